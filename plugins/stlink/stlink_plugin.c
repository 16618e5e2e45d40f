/* Plugin entry: the "stlink" probe-driver component and its vtable glue. */
#include "stlink_env.h"
#include "stlink_ids.h"
#include "stlink_probe.h"
#include "stlink_selector.h"
#include "stlink_tcp.h"
#include "stlink_usb.h"

#include "plugin_component.h"

#include <stdlib.h>

struct stlink_plugin {
    struct plugin_single single; /* first: plugin_single_components reads it */
    const struct espctl_host *host;
    struct espctl_probe_driver driver;
};

static const char *const selector_prefixes[] = {STLINK_TCP_PREFIX, NULL};

static int drv_enumerate(void *driver_data, espctl_probe_found_fn found, void *user)
{
    struct stlink_plugin *pl = driver_data;
    struct stlink_env env;
    stlink_env_init(&env, pl->host);
    return stlink_usb_enumerate(&env, pl->driver.name, found, user);
}

static int drv_open(void *driver_data, const char *selector, void **out)
{
    struct stlink_plugin *pl = driver_data;
    struct stlink_env env;
    stlink_env_init(&env, pl->host);
    struct stlink_selector sel;
    if (stlink_selector_parse(selector, &sel))
        return stlink_fail(&env, ESPCTL_E_INVAL,
                           "bad ST-Link selector '%s' (expected stlink-tcp:HOST[:PORT] or VID:PID[:SERIAL])",
                           selector ? selector : "(null)");
    struct stlink_transport *t = NULL;
    int rc = sel.is_tcp ? stlink_tcp_open(&env, sel.host, sel.port, NULL, &t)
                        : stlink_usb_open(&env, sel.vid, sel.pid, sel.serial[0] ? sel.serial : NULL, &t);
    if (rc)
        return rc;
    struct stlink_probe *p = NULL;
    rc = stlink_probe_new(&p, &env, t);
    if (rc)
        return rc;
    *out = p;
    return 0;
}

static void drv_close(void *probe)
{
    struct stlink_probe *p = probe;
    if (!p)
        return;
    stlink_disconnect(p);
    stlink_probe_free(p);
}

static int drv_caps(void *probe, struct espctl_probe_caps *caps)
{
    struct stlink_probe *p = probe;
    uint32_t size = caps->hdr.struct_size;
    struct espctl_probe_caps c = {.hdr = ESPCTL_ABI_HDR(struct espctl_probe_caps)};
    c.flags = ESPCTL_PROBE_CAP_DP_AP | ESPCTL_PROBE_CAP_MEM | ESPCTL_PROBE_CAP_HW_RESET;
    if (p->features & STLINK_F_VOLTAGE)
        c.flags |= ESPCTL_PROBE_CAP_VOLTAGE;
    c.max_mem_block = stlink_mem_chunk_limit(p, 32);
    c.speed_khz = p->speed_khz;
    /* Write only what the caller's struct can hold. */
    if (size > sizeof c)
        size = sizeof c;
    if (size < sizeof c.hdr)
        return stlink_fail(&p->env, ESPCTL_E_ABI, "caps: struct_size %u too small", size);
    c.hdr.struct_size = size;
    for (uint32_t i = 0; i < size; i++)
        ((unsigned char *)caps)[i] = ((const unsigned char *)&c)[i];
    return 0;
}

static int drv_set_speed(void *probe, uint32_t khz, uint32_t *actual)
{
    return stlink_set_speed(probe, khz, actual);
}
static int drv_voltage(void *probe, uint32_t *mv) { return stlink_target_voltage(probe, mv); }
static int drv_connect(void *probe, uint32_t flags) { return stlink_connect(probe, flags); }
static int drv_disconnect(void *probe) { return stlink_disconnect(probe); }
static int drv_dp_read(void *probe, uint32_t addr, uint32_t *v) { return stlink_dp_read(probe, addr, v); }
static int drv_dp_write(void *probe, uint32_t addr, uint32_t v) { return stlink_dp_write(probe, addr, v); }
static int drv_ap_read(void *probe, uint32_t ap, uint32_t addr, uint32_t *v)
{
    return stlink_ap_read(probe, ap, addr, v);
}
static int drv_ap_write(void *probe, uint32_t ap, uint32_t addr, uint32_t v)
{
    return stlink_ap_write(probe, ap, addr, v);
}
static int drv_mem_read(void *probe, uint32_t ap, uint64_t addr, uint32_t width, uint8_t *buf,
                        uint32_t len)
{
    return stlink_mem_read(probe, ap, addr, width, buf, len);
}
static int drv_mem_write(void *probe, uint32_t ap, uint64_t addr, uint32_t width,
                         const uint8_t *buf, uint32_t len)
{
    return stlink_mem_write(probe, ap, addr, width, buf, len);
}
static int drv_reset(void *probe, int32_t kind) { return stlink_reset(probe, kind); }
static const void *drv_get_extension(void *probe, const char *id)
{
    (void)probe;
    (void)id;
    return NULL;
}

static int plugin_init(const struct espctl_host *host, void **plugin_data)
{
    struct stlink_plugin *pl = calloc(1, sizeof *pl);
    if (!pl)
        return host->set_error(host, ESPCTL_E_NOMEM, "out of memory");
    pl->host = host;
    pl->driver = (struct espctl_probe_driver){
        .hdr = ESPCTL_ABI_HDR(struct espctl_probe_driver),
        .name = "stlink",
        .description = "ST-Link V2/V2-1/V3 over USB or stlink-server TCP (SWD, dap-direct)",
        .usb_id_count = stlink_usb_id_count,
        .usb_ids = stlink_usb_ids,
        .selector_prefixes = selector_prefixes,
        .driver_data = pl,
        .enumerate = drv_enumerate,
        .open = drv_open,
        .close = drv_close,
        .caps = drv_caps,
        .set_speed = drv_set_speed,
        .target_voltage = drv_voltage,
        .connect = drv_connect,
        .disconnect = drv_disconnect,
        .dp_read = drv_dp_read,
        .dp_write = drv_dp_write,
        .ap_read = drv_ap_read,
        .ap_write = drv_ap_write,
        .mem_read = drv_mem_read,
        .mem_write = drv_mem_write,
        .reset = drv_reset,
        .get_extension = drv_get_extension,
    };
    plugin_single_init(&pl->single, ESPCTL_COMPONENT_PROBE_DRIVER, &pl->driver);
    *plugin_data = pl;
    return 0;
}

static const struct espctl_plugin_entry entry = {
    .hdr = ESPCTL_ABI_HDR(struct espctl_plugin_entry),
    .name = "stlink",
    .version = "0.1.0",
    .description = "ST-Link probes (USB via libusb, stlink-server over TCP)",
    .init = plugin_init,
    .deinit = plugin_free,
    .components = plugin_single_components,
};

ESPCTL_PLUGIN_ENTRY
{
    return &entry;
}
