/* The monitor front-end API: pick the mode from the flash target, resolve the RTT
 * control block from the firmware ELF, and pass read/write/close to the target. */
#include "flash_internal.h"

#include "espctl/defmt.h"
#include "espctl/monitor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(ESPCTL_MONITOR_MODE_RTT == ESPCTL_MONITOR_RTT, "monitor modes");
_Static_assert(ESPCTL_MONITOR_MODE_UART == ESPCTL_MONITOR_UART, "monitor modes");

#define RTT_SYMBOL "_SEGGER_RTT"
#define BUNDLE_ELF "files/firmware.elf"

struct espctl_monitor {
    espctl_flash_session *session;
    int32_t mode;
    uint64_t rtt_address;
};

static const struct espctl_flash_target *vt(const espctl_flash_session *s)
{
    return &s->target->vtable.flash_target;
}

int32_t espctl_monitor_mode_for_target(const char *kind)
{
    if (kind && strcmp(kind, "cortexm") == 0)
        return ESPCTL_MONITOR_MODE_RTT;
    if (kind && strcmp(kind, "esp32") == 0)
        return ESPCTL_MONITOR_MODE_UART;
    return ESPCTL_MONITOR_MODE_AUTO;
}

static int offers_monitor(const struct espctl_flash_target *t)
{
    return ESPCTL_HAS_FN(t, struct espctl_flash_target, monitor_open) &&
           ESPCTL_HAS_FN(t, struct espctl_flash_target, monitor_read) &&
           ESPCTL_HAS_FN(t, struct espctl_flash_target, monitor_write) &&
           ESPCTL_HAS_FN(t, struct espctl_flash_target, monitor_close);
}

static const char *mode_name(int32_t mode)
{
    return mode == ESPCTL_MONITOR_MODE_RTT ? "RTT" : mode == ESPCTL_MONITOR_MODE_UART ? "UART" : "?";
}

static int choose_mode(const espctl_flash_session *s, int32_t asked, int32_t *mode)
{
    int32_t native = espctl_monitor_mode_for_target(s->target->name);
    if (asked != ESPCTL_MONITOR_MODE_AUTO && asked != ESPCTL_MONITOR_MODE_RTT &&
        asked != ESPCTL_MONITOR_MODE_UART)
        return core_error(ESPCTL_E_INVAL, "monitor: unknown mode %d", (int)asked);
    if (asked == ESPCTL_MONITOR_MODE_AUTO && native == ESPCTL_MONITOR_MODE_AUTO)
        return core_error(ESPCTL_E_INVAL,
                          "monitor: no default monitor mode for flash target '%s'; choose RTT or UART",
                          s->target->name);
    if (asked != ESPCTL_MONITOR_MODE_AUTO && native != ESPCTL_MONITOR_MODE_AUTO && asked != native)
        return core_error(ESPCTL_E_INVAL, "monitor: flash target '%s' monitors over %s, not %s",
                          s->target->name, mode_name(native), mode_name(asked));
    *mode = asked != ESPCTL_MONITOR_MODE_AUTO ? asked : native;
    return 0;
}

/* `_SEGGER_RTT` from the ELF: 0 with *address set; an ELF without the symbol leaves
 * *address 0 (the target scans RAM); a missing or malformed file is an error. */
static int rtt_from_elf(espctl_ctx *ctx, const char *path, const uint8_t *bytes, size_t size,
                        uint64_t *address)
{
    int rc;
    if (path) {
        FILE *f = fopen(path, "rb");
        if (!f)
            return core_error(ESPCTL_E_NOT_FOUND, "monitor: cannot open ELF %s", path);
        fclose(f);
        rc = espctl_elf_symbol(path, RTT_SYMBOL, address, NULL);
    } else {
        rc = espctl_elf_symbol_bytes(bytes, size, BUNDLE_ELF, RTT_SYMBOL, address, NULL);
    }
    const char *label = path ? path : BUNDLE_ELF;
    if (rc == ESPCTL_E_NOT_FOUND) {
        *address = 0;
        core_message(ctx, "monitor", "%s has no %s symbol: scanning RAM for the RTT control block",
                     label, RTT_SYMBOL);
        return 0;
    }
    if (rc) {
        char *detail = strdup(espctl_last_error());
        core_error(rc, "monitor: %s", detail ? detail : espctl_strerror(rc));
        free(detail);
        return rc;
    }
    core_message(ctx, "monitor", "RTT control block at 0x%08llx (%s in %s)",
                 (unsigned long long)*address, RTT_SYMBOL, label);
    return 0;
}

static int open_with(espctl_flash_session *s, const struct espctl_monitor_options *o,
                     const uint8_t *elf, size_t elf_size, espctl_monitor **out)
{
    if (!s || !o || !out)
        return core_error(ESPCTL_E_INVAL, "espctl_monitor_open: NULL argument");
    *out = NULL;
    if (o->hdr.abi_major != ESPCTL_PLUGIN_ABI_MAJOR ||
        o->hdr.struct_size < sizeof(struct espctl_monitor_options))
        return core_error(ESPCTL_E_ABI, "espctl_monitor_open: options of an unknown version");
    int32_t mode = 0;
    int rc = choose_mode(s, o->mode, &mode);
    if (rc)
        return rc;
    if (!offers_monitor(vt(s)))
        return core_error(ESPCTL_E_NOT_SUPPORTED, "monitor: flash target '%s' offers no monitor",
                          s->target->name);
    uint64_t address = o->rtt_address;
    if (mode == ESPCTL_MONITOR_MODE_RTT && address == 0 && (o->elf_path || elf))
        rc = rtt_from_elf(s->ctx, o->elf_path, elf, elf_size, &address);
    if (rc)
        return rc;
    espctl_monitor *m = calloc(1, sizeof *m);
    if (!m)
        return core_error(ESPCTL_E_NOMEM, "monitor: out of memory");
    m->session = s;
    m->mode = mode;
    m->rtt_address = mode == ESPCTL_MONITOR_MODE_RTT ? address : 0;
    struct espctl_monitor_params p = {
        .hdr = ESPCTL_ABI_HDR(struct espctl_monitor_params),
        .mode = mode,
        .channel = o->channel,
        .elf_path = o->elf_path,
        .port = o->port,
        .baud = o->baud,
        .rtt_address = m->rtt_address,
        .rtt_timeout_ms = o->rtt_timeout_ms,
    };
    espctl_clear_error();
    rc = vt(s)->monitor_open(s->handle, &p);
    if (rc) {
        free(m);
        const char *detail = espctl_last_error();
        if (strncmp(detail, "monitor", 7) != 0) {
            char *copy = strdup(detail[0] ? detail : espctl_strerror(rc));
            core_error(rc, "monitor: %s", copy ? copy : espctl_strerror(rc));
            free(copy);
        }
        return rc;
    }
    *out = m;
    return 0;
}

int espctl_monitor_open(espctl_flash_session *session, const struct espctl_monitor_options *opts,
                        espctl_monitor **monitor)
{
    return open_with(session, opts, NULL, 0, monitor);
}

int espctl_monitor_open_bundle(espctl_flash_session *session, const espctl_bundle *bundle,
                               const struct espctl_monitor_options *opts, espctl_monitor **monitor)
{
    if (!bundle || !opts)
        return core_error(ESPCTL_E_INVAL, "espctl_monitor_open_bundle: NULL argument");
    const void *data = NULL;
    uint64_t size = 0;
    if (!opts->elf_path && espctl_bundle_member_data(bundle, BUNDLE_ELF, &data, &size) != 0) {
        data = NULL;
        size = 0;
    }
    espctl_clear_error();
    return open_with(session, opts, data, (size_t)size, monitor);
}

int espctl_monitor_read(espctl_monitor *m, uint8_t *buf, uint32_t capacity, uint32_t *got,
                        uint32_t timeout_ms)
{
    if (got)
        *got = 0;
    if (!m || !got || (capacity && !buf))
        return core_error(ESPCTL_E_INVAL, "espctl_monitor_read: NULL argument");
    return vt(m->session)->monitor_read(m->session->handle, buf, capacity, got, timeout_ms);
}

int espctl_monitor_write(espctl_monitor *m, const uint8_t *buf, uint32_t length)
{
    if (!m || (length && !buf))
        return core_error(ESPCTL_E_INVAL, "espctl_monitor_write: NULL argument");
    if (length == 0)
        return 0;
    return vt(m->session)->monitor_write(m->session->handle, buf, length);
}

void espctl_monitor_close(espctl_monitor *m)
{
    if (!m)
        return;
    char *kept = strdup(espctl_last_error());
    vt(m->session)->monitor_close(m->session->handle);
    if (kept) {
        core_error_str(0, kept);
        free(kept);
    }
    free(m);
}

int32_t espctl_monitor_mode(const espctl_monitor *m)
{
    return m ? m->mode : ESPCTL_MONITOR_MODE_AUTO;
}

uint64_t espctl_monitor_rtt_address(const espctl_monitor *m)
{
    return m ? m->rtt_address : 0;
}
