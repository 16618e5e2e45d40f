/* Plugin entry: the "cmsisdap" probe-driver component and its vtable glue. */
#include "dap_env.h"
#include "dap_ids.h"
#include "dap_probe.h"
#include "dap_selector.h"
#include "dap_tcp.h"
#include "dap_usb.h"

#include "plugin_caps.h"
#include "plugin_component.h"

#include <stdlib.h>
#include <string.h>

/** Largest mem_read/mem_write length worth handing over in one call: the driver keeps
 * its window of requests in flight across the whole call. */
#define DAP_MAX_MEM_BLOCK 65536u

struct dap_plugin {
    struct plugin_single single; /* first: plugin_single_components reads it */
    const struct espctl_host *host;
    struct espctl_probe_driver driver;
};

static const char *const selector_prefixes[] = {DAP_TCP_PREFIX, NULL};

static int drv_enumerate(void *driver_data, espctl_probe_found_fn found, void *user)
{
    struct dap_plugin *pl = driver_data;
    struct dap_env env;
    dap_env_init(&env, pl->host);
    return dap_usb_enumerate(&env, pl->driver.name, found, user);
}

static int drv_open(void *driver_data, const char *selector, void **out)
{
    struct dap_plugin *pl = driver_data;
    struct dap_env env;
    dap_env_init(&env, pl->host);
    struct dap_selector sel;
    if (dap_selector_parse(selector, &sel))
        return dap_fail(&env, ESPCTL_E_INVAL,
                        "bad CMSIS-DAP selector '%s' (expected dap-tcp:HOST[:PORT] or VID:PID[:SERIAL])",
                        selector ? selector : "(null)");
    struct dap_transport *t = NULL;
    int rc = sel.is_tcp ? dap_tcp_open(&env, sel.host, sel.port, &t)
                        : dap_usb_open(&env, sel.vid, sel.pid, sel.serial[0] ? sel.serial : NULL, &t);
    if (rc)
        return rc;
    struct dap_probe *p = NULL;
    rc = dap_probe_new(&p, &env, t);
    if (rc)
        return rc;
    *out = p;
    return 0;
}

static void drv_close(void *probe)
{
    struct dap_probe *p = probe;
    if (!p)
        return;
    dap_disconnect(p);
    dap_probe_free(p);
}

static int drv_caps(void *probe, struct espctl_probe_caps *caps)
{
    struct dap_probe *p = probe;
    struct espctl_probe_caps c = {.hdr = ESPCTL_ABI_HDR(struct espctl_probe_caps)};
    c.flags = ESPCTL_PROBE_CAP_DP_AP | ESPCTL_PROBE_CAP_MEM | ESPCTL_PROBE_CAP_HW_RESET;
    c.max_mem_block = DAP_MAX_MEM_BLOCK;
    c.speed_khz = p->speed_khz;
    return plugin_put_caps(p->env.host, &c, caps);
}

static int drv_set_speed(void *probe, uint32_t khz, uint32_t *actual) { return dap_set_speed(probe, khz, actual); }
static int drv_connect(void *probe, uint32_t flags) { return dap_connect(probe, flags); }
static int drv_disconnect(void *probe) { return dap_disconnect(probe); }
static int drv_dp_read(void *probe, uint32_t addr, uint32_t *v) { return dap_dp_read(probe, addr, v); }
static int drv_dp_write(void *probe, uint32_t addr, uint32_t v) { return dap_dp_write(probe, addr, v); }
static int drv_ap_read(void *probe, uint32_t ap, uint32_t addr, uint32_t *v) { return dap_ap_read(probe, ap, addr, v); }
static int drv_ap_write(void *probe, uint32_t ap, uint32_t addr, uint32_t v)
{
    return dap_ap_write(probe, ap, addr, v);
}
static int drv_mem_read(void *probe, uint32_t ap, uint64_t addr, uint32_t width, uint8_t *buf, uint32_t len)
{
    return dap_mem_read(probe, ap, addr, width, buf, len);
}
static int drv_mem_write(void *probe, uint32_t ap, uint64_t addr, uint32_t width, const uint8_t *buf,
                         uint32_t len)
{
    return dap_mem_write(probe, ap, addr, width, buf, len);
}
static int drv_reset(void *probe, int32_t kind) { return dap_reset(probe, kind); }

static int plugin_init(const struct espctl_host *host, void **plugin_data)
{
    struct dap_plugin *pl = calloc(1, sizeof *pl);
    if (!pl)
        return host->set_error(host, ESPCTL_E_NOMEM, "out of memory");
    pl->host = host;
    pl->driver = (struct espctl_probe_driver){
        .hdr = ESPCTL_ABI_HDR(struct espctl_probe_driver),
        .name = "cmsisdap",
        .description = "CMSIS-DAP probes: v2 bulk and v1 HID over USB, elaphureLink over TCP (SWD)",
        .usb_id_count = dap_usb_id_count,
        .usb_ids = dap_usb_ids,
        .selector_prefixes = selector_prefixes,
        .driver_data = pl,
        .enumerate = drv_enumerate,
        .open = drv_open,
        .close = drv_close,
        .caps = drv_caps,
        .set_speed = drv_set_speed,
        .target_voltage = NULL,
        .connect = drv_connect,
        .disconnect = drv_disconnect,
        .dp_read = drv_dp_read,
        .dp_write = drv_dp_write,
        .ap_read = drv_ap_read,
        .ap_write = drv_ap_write,
        .mem_read = drv_mem_read,
        .mem_write = drv_mem_write,
        .reset = drv_reset,
        .get_extension = NULL,
    };
    plugin_single_init(&pl->single, ESPCTL_COMPONENT_PROBE_DRIVER, &pl->driver);
    *plugin_data = pl;
    return 0;
}

static const struct espctl_plugin_entry entry = {
    .hdr = ESPCTL_ABI_HDR(struct espctl_plugin_entry),
    .name = "cmsisdap",
    .version = "0.1.0",
    .description = "CMSIS-DAP probes (USB v2 bulk / v1 HID via libusb, elaphureLink over TCP)",
    .init = plugin_init,
    .deinit = plugin_free,
    .components = plugin_single_components,
};

ESPCTL_PLUGIN_ENTRY
{
    return &entry;
}
