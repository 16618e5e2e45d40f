/* Plugin entry: the "esp32" flash target and the "esp-serial" probe driver. */
#include "esp_env.h"
#include "esp_serial_probe.h"
#include "esp_target.h"

#include <stdlib.h>

struct esp_plugin {
    const struct espctl_host *host;
    struct espctl_flash_target target;
    struct espctl_probe_driver serial;
    struct espctl_component target_component, serial_component;
    const struct espctl_component *components[3];
};

static const char *const no_prefixes[] = {NULL};

static int serial_enumerate(void *driver_data, espctl_probe_found_fn found, void *user)
{
    (void)driver_data;
    return esp_serial_enumerate("/sys", "/dev", "esp-serial", found, user);
}

static int serial_open(void *driver_data, const char *selector, void **probe)
{
    struct esp_plugin *pl = driver_data;
    struct esp_env env = {pl->host};
    *probe = NULL;
    return esp_fail(&env, ESPCTL_E_NOT_SUPPORTED,
                    "esp-serial: '%s' is a serial port, not a debug probe: flash through the esp32 target with --port",
                    selector ? selector : "");
}

static void serial_close(void *probe)
{
    (void)probe;
}

static int plugin_init(const struct espctl_host *host, void **plugin_data)
{
    struct esp_plugin *pl = calloc(1, sizeof *pl);
    if (!pl)
        return host->set_error(host, ESPCTL_E_NOMEM, "esp32: out of memory");
    pl->host = host;
    esp_target_vtable(&pl->target, host);
    pl->serial = (struct espctl_probe_driver){
        .hdr = ESPCTL_ABI_HDR(struct espctl_probe_driver),
        .name = "esp-serial",
        .description = "USB-serial bridges of ESP boards (CP210x, CH340, CH9102, FTDI, Espressif USB-JTAG-serial)",
        .usb_id_count = esp_serial_usb_id_count,
        .usb_ids = esp_serial_usb_ids,
        .selector_prefixes = no_prefixes,
        .driver_data = pl,
        .enumerate = serial_enumerate,
        .open = serial_open,
        .close = serial_close,
    };
    pl->target_component = (struct espctl_component){
        .hdr = ESPCTL_ABI_HDR(struct espctl_component), .kind = ESPCTL_COMPONENT_FLASH_TARGET, .vtable = &pl->target};
    pl->serial_component = (struct espctl_component){
        .hdr = ESPCTL_ABI_HDR(struct espctl_component), .kind = ESPCTL_COMPONENT_PROBE_DRIVER, .vtable = &pl->serial};
    pl->components[0] = &pl->target_component;
    pl->components[1] = &pl->serial_component;
    pl->components[2] = NULL;
    *plugin_data = pl;
    return 0;
}

static void plugin_deinit(void *plugin_data)
{
    free(plugin_data);
}

static const struct espctl_component *const *plugin_components(void *plugin_data)
{
    return ((struct esp_plugin *)plugin_data)->components;
}

static const struct espctl_plugin_entry entry = {
    .hdr = ESPCTL_ABI_HDR(struct espctl_plugin_entry),
    .name = "esp32",
    .version = "0.1.0",
    .description = "ESP32 family: ROM serial loader flashing, ESP-IDF app images, UART monitor",
    .init = plugin_init,
    .deinit = plugin_deinit,
    .components = plugin_components,
};

ESPCTL_PLUGIN_ENTRY
{
    return &entry;
}
