/* stm32h7.so: one chip-family component, "stm32h7". */
#include "stm32h7.h"

#include <stdlib.h>

struct h7_plugin {
    struct h7_family family;
    struct espctl_component component;
    const struct espctl_component *components[2];
};

static int plugin_init(const struct espctl_host *host, void **plugin_data)
{
    struct h7_plugin *p = calloc(1, sizeof *p);
    if (!p)
        return host->set_error(host, ESPCTL_E_NOMEM, "stm32h7: out of memory");
    h7_family_init(&p->family, host);
    p->component = (struct espctl_component){
        .hdr = ESPCTL_ABI_HDR(struct espctl_component),
        .kind = ESPCTL_COMPONENT_CHIP_FAMILY,
        .vtable = &p->family.vtable,
    };
    p->components[0] = &p->component;
    p->components[1] = NULL;
    *plugin_data = p;
    return 0;
}

static void plugin_deinit(void *plugin_data)
{
    free(plugin_data);
}

static const struct espctl_component *const *plugin_components(void *plugin_data)
{
    return ((struct h7_plugin *)plugin_data)->components;
}

ESPCTL_PLUGIN_ENTRY
{
    static const struct espctl_plugin_entry entry = {
        .hdr = ESPCTL_ABI_HDR(struct espctl_plugin_entry),
        .name = "stm32h7",
        .version = "0.1.0",
        .description = "STM32H7 chip family (H742/H743/H750/H753 dual-bank flash)",
        .init = plugin_init,
        .deinit = plugin_deinit,
        .components = plugin_components,
    };
    return &entry;
}
