/* An out-of-tree plugin: built with nothing but `pkg-config --cflags espctl-plugin`
 * against an installed prefix. It registers one probe driver reporting one probe. */
#include <espctl/plugin.h>

static int oot_enumerate(void *driver_data, espctl_probe_found_fn found, void *user)
{
    (void)driver_data;
    struct espctl_probe_info info = {
        ESPCTL_ABI_HDR(struct espctl_probe_info),
        "oot", "oot:1", NULL, NULL, "Out-of-tree probe", NULL, NULL, 0, 0, 0,
    };
    found(user, &info);
    return 0;
}

static const struct espctl_probe_driver oot_driver = {
    .hdr = ESPCTL_ABI_HDR(struct espctl_probe_driver),
    .name = "oot",
    .description = "out-of-tree fixture driver",
    .enumerate = oot_enumerate,
};

static const struct espctl_component oot_component = {
    ESPCTL_ABI_HDR(struct espctl_component), ESPCTL_COMPONENT_PROBE_DRIVER, 0, &oot_driver};
static const struct espctl_component *const oot_list[] = {&oot_component, NULL};

static int oot_init(const struct espctl_host *host, void **plugin_data)
{
    host->log(host, ESPCTL_LOG_DEBUG, "out-of-tree plugin ready");
    *plugin_data = NULL;
    return 0;
}

static const struct espctl_component *const *oot_components(void *plugin_data)
{
    (void)plugin_data;
    return oot_list;
}

static const struct espctl_plugin_entry oot_entry = {
    .hdr = ESPCTL_ABI_HDR(struct espctl_plugin_entry),
    .name = "oot",
    .version = "0.0.1",
    .description = "out-of-tree plugin built from an installed prefix",
    .init = oot_init,
    .components = oot_components,
};

ESPCTL_PLUGIN_ENTRY
{
    return &oot_entry;
}
