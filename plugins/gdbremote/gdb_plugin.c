/* Plugin entry: the "gdbremote" probe-driver component, its vtable and extensions. */
#include "espctl/plugin/ext/flash_writer.h"
#include "espctl/plugin/ext/run_control.h"
#include "gdb_enum.h"
#include "gdb_selector.h"
#include "gdb_target.h"

#include "plugin_caps.h"
#include "plugin_component.h"

#include <stdlib.h>
#include <string.h>

struct gdb_plugin {
    struct plugin_single single; /* first: plugin_single_components reads it */
    const struct espctl_host *host;
    struct espctl_probe_driver driver;
};

static const char *const selector_prefixes[] = {GDB_SELECTOR_PREFIX, NULL};
static const struct espctl_usb_id usb_ids[] = {
    {GDB_BMP_VID, GDB_BMP_PID, ESPCTL_USB_ID_SERIAL},
};

static int drv_enumerate(void *driver_data, espctl_probe_found_fn found, void *user)
{
    struct gdb_plugin *pl = driver_data;
    struct gdb_env env;
    gdb_env_init(&env, pl->host);
    const char *root = pl->host->config_get ? pl->host->config_get(pl->host, "gdbremote.sysfs_root")
                                            : NULL;
    return gdb_enumerate(&env, root ? root : "/sys", pl->driver.name, found, user);
}

static int drv_open(void *driver_data, const char *selector, void **out)
{
    struct gdb_plugin *pl = driver_data;
    struct gdb_env env;
    gdb_env_init(&env, pl->host);
    struct gdb_selector sel;
    if (gdb_selector_parse(selector, &sel))
        return gdb_fail(&env, ESPCTL_E_INVAL,
                        "bad GDB selector '%s' (expected gdb:HOST:PORT or gdb:/dev/ttyACMn)",
                        selector ? selector : "(null)");
    struct gdb_io io;
    int rc = sel.is_serial ? gdb_io_open_serial(&env, sel.path, &io)
                           : gdb_io_open_tcp(&env, sel.host, sel.port, &io);
    if (rc)
        return rc;
    struct gdb_target *t = NULL;
    rc = gdb_target_open(&env, &io, &t);
    if (rc)
        return rc;
    *out = t;
    return 0;
}

static void drv_close(void *probe) { gdb_target_close(probe); }

static int drv_caps(void *probe, struct espctl_probe_caps *caps)
{
    struct gdb_target *t = probe;
    struct espctl_probe_caps c = {.hdr = ESPCTL_ABI_HDR(struct espctl_probe_caps)};
    c.flags = ESPCTL_PROBE_CAP_MEM;
    if (gdb_target_writes_flash(t))
        c.flags |= ESPCTL_PROBE_CAP_FLASH_WRITE;
    c.max_mem_block = gdb_target_read_chunk(t);
    return plugin_put_caps(t->env.host, &c, caps);
}

static int drv_connect(void *probe, uint32_t flags)
{
    struct gdb_target *t = probe;
    if (flags & ESPCTL_CONNECT_UNDER_RESET)
        return gdb_fail(&t->env, ESPCTL_E_NOT_SUPPORTED,
                        "GDB server %s cannot hold nRESET while connecting", t->rsp.io.peer);
    return gdb_target_attach(t);
}

static int drv_disconnect(void *probe) { return gdb_target_resume(probe); }

static int check_access(struct gdb_target *t, uint64_t addr, uint32_t width, uint32_t len)
{
    if (width != 8 && width != 16 && width != 32)
        return gdb_fail(&t->env, ESPCTL_E_INVAL, "memory access width %u (expected 8, 16 or 32)",
                        width);
    if (addr % (width / 8) || len % (width / 8))
        return gdb_fail(&t->env, ESPCTL_E_INVAL,
                        "memory access at 0x%08llx, %u bytes, is not %u-bit aligned",
                        (unsigned long long)addr, len, width);
    return 0;
}

static int drv_mem_read(void *probe, uint32_t ap, uint64_t addr, uint32_t width, uint8_t *buf,
                        uint32_t len)
{
    (void)ap;
    int rc = check_access(probe, addr, width, len);
    return rc ? rc : gdb_target_read(probe, addr, buf, len);
}

static int drv_mem_write(void *probe, uint32_t ap, uint64_t addr, uint32_t width,
                         const uint8_t *buf, uint32_t len)
{
    (void)ap;
    int rc = check_access(probe, addr, width, len);
    return rc ? rc : gdb_target_write(probe, addr, buf, len);
}

/* SYSTEM: reset through the server's monitor, then let the new image run. */
static int drv_reset(void *probe, int32_t kind)
{
    struct gdb_target *t = probe;
    if (kind != ESPCTL_RESET_SYSTEM)
        return gdb_fail(&t->env, ESPCTL_E_NOT_SUPPORTED,
                        "GDB server %s offers only a system reset (no nRESET control)",
                        t->rsp.io.peer);
    int rc = gdb_target_reset_halt(t);
    return rc ? rc : gdb_target_resume(t);
}

static int rc_halt(void *probe) { return gdb_target_halt(probe); }
static int rc_resume(void *probe) { return gdb_target_resume(probe); }
static int rc_is_halted(void *probe, int32_t *halted)
{
    *halted = ((struct gdb_target *)probe)->running ? 0 : 1;
    return 0;
}
static int rc_reset_and_halt(void *probe) { return gdb_target_reset_halt(probe); }

static const struct espctl_run_control run_control = {
    .hdr = ESPCTL_ABI_HDR(struct espctl_run_control),
    .flags = ESPCTL_RUN_CONTROL_ALL_STOP,
    .halt = rc_halt,
    .resume = rc_resume,
    .is_halted = rc_is_halted,
    .reset_and_halt = rc_reset_and_halt,
};

static uint32_t fw_region_count(void *probe)
{
    struct gdb_target *t = probe;
    uint32_t n = 0;
    for (uint32_t i = 0; t->map_loaded && i < t->map.count; i++)
        n += t->map.regions[i].type == GDB_REGION_FLASH;
    return n;
}

static int fw_region(void *probe, uint32_t index, struct espctl_flash_region *region)
{
    struct gdb_target *t = probe;
    for (uint32_t i = 0; t->map_loaded && i < t->map.count; i++) {
        const struct gdb_region *r = &t->map.regions[i];
        if (r->type != GDB_REGION_FLASH || index-- != 0)
            continue;
        uint32_t size = region->hdr.struct_size;
        struct espctl_flash_region out = {
            .hdr = ESPCTL_ABI_HDR(struct espctl_flash_region),
            .start = r->start,
            .length = r->length,
            .block_size = r->blocksize,
        };
        if (size > sizeof out)
            size = sizeof out;
        if (size < sizeof out.hdr)
            return gdb_fail(&t->env, ESPCTL_E_ABI, "flash region: struct_size %u too small", size);
        out.hdr.struct_size = size;
        memcpy(region, &out, size);
        return 0;
    }
    return gdb_fail(&t->env, ESPCTL_E_NOT_FOUND, "no flash region %u", index);
}

static int fw_erase(void *probe, uint64_t addr, uint64_t len)
{
    return gdb_target_flash_erase(probe, addr, len);
}
static int fw_write(void *probe, uint64_t addr, const uint8_t *data, uint32_t len)
{
    return gdb_target_flash_write(probe, addr, data, len);
}
static int fw_done(void *probe) { return gdb_target_flash_done(probe); }

static const struct espctl_flash_writer flash_writer_map = {
    .hdr = ESPCTL_ABI_HDR(struct espctl_flash_writer),
    .flags = 0,
    .region_count = fw_region_count,
    .region = fw_region,
    .erase = fw_erase,
    .write = fw_write,
    .done = fw_done,
};

static const struct espctl_flash_writer flash_writer_no_map = {
    .hdr = ESPCTL_ABI_HDR(struct espctl_flash_writer),
    .flags = ESPCTL_FLASH_WRITER_NO_MAP,
    .region_count = fw_region_count,
    .region = fw_region,
    .erase = fw_erase,
    .write = fw_write,
    .done = fw_done,
};

static const void *drv_get_extension(void *probe, const char *id)
{
    struct gdb_target *t = probe;
    if (!id)
        return NULL;
    if (strcmp(id, ESPCTL_EXT_RUN_CONTROL) == 0)
        return &run_control;
    if (strcmp(id, ESPCTL_EXT_FLASH_WRITER) == 0 && gdb_target_writes_flash(t))
        return t->is_qemu ? &flash_writer_no_map : &flash_writer_map;
    return NULL;
}

static int plugin_init(const struct espctl_host *host, void **plugin_data)
{
    struct gdb_plugin *pl = calloc(1, sizeof *pl);
    if (!pl)
        return host->set_error(host, ESPCTL_E_NOMEM, "out of memory");
    pl->host = host;
    pl->driver = (struct espctl_probe_driver){
        .hdr = ESPCTL_ABI_HDR(struct espctl_probe_driver),
        .name = "gdbremote",
        .description = "GDB remote serial protocol: QEMU's gdbstub on TCP, Black Magic Probe",
        .usb_id_count = (uint32_t)(sizeof usb_ids / sizeof usb_ids[0]),
        .usb_ids = usb_ids,
        .selector_prefixes = selector_prefixes,
        .driver_data = pl,
        .enumerate = drv_enumerate,
        .open = drv_open,
        .close = drv_close,
        .caps = drv_caps,
        .connect = drv_connect,
        .disconnect = drv_disconnect,
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
    .name = "gdbremote",
    .version = "0.1.0",
    .description = "GDB remote protocol probes (QEMU gdbstub, Black Magic Probe)",
    .init = plugin_init,
    .deinit = plugin_free,
    .components = plugin_single_components,
};

ESPCTL_PLUGIN_ENTRY
{
    return &entry;
}
