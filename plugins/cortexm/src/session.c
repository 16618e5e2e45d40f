#include "session.h"

#include "adiv5.h"
#include "cortex_m.h"
#include "flash_engine.h"
#include "link.h"
#include "probe_flash.h"
#include "probe_flash_chips.h"
#include "probe_select.h"
#include "rtt_session.h"
#include "target_mem.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct cm_session {
    const struct espctl_host *host;
    struct cm_link link;
    struct espctl_target_mem mem;
    struct cm_core core;
    /** The chip family that identifies the chip; NULL for a chip of cortexm's own
     * table of probe-written chips (probe_flash_chips.c). */
    const struct espctl_chip_family *family;
    const struct espctl_chip_desc *chip;
    /** The probe's flash writer: when set, it programs flash instead of the family. */
    const struct espctl_flash_writer *writer;
    /** What drives the open flash handle: the chip family or the probe-flash adapter. */
    const struct espctl_chip_family *flash_family;
    void *flash;
    struct espctl_flash_geometry geometry;
    int connected;
    struct cm_rtt_monitor *monitor;
};

static int family_usable(const struct espctl_chip_family *f)
{
    /* ABI 1.0 ends at flash_close; later members are optional (ESPCTL_HAS_FN). */
    return f && ESPCTL_HAS(f, struct espctl_chip_family, flash_close) && f->chips &&
           f->identify && f->flash_open && f->sector_at && f->erase_sector && f->mass_erase &&
           f->program && f->flash_close && (!f->arch || strcmp(f->arch, "cortexm") == 0);
}

static const struct espctl_chip_desc *desc_named(const struct espctl_chip_family *f,
                                                 const char *name)
{
    for (const struct espctl_chip_desc *const *d = f->chips; *d; d++)
        if ((*d)->name && (!strcasecmp((*d)->name, name) ||
                           ((*d)->probe_rs_name && !strcasecmp((*d)->probe_rs_name, name))))
            return *d;
    return NULL;
}

static int lookup(const struct espctl_host *h, const char *name,
                  const struct espctl_chip_family **family, const struct espctl_chip_desc **chip)
{
    const struct espctl_chip_family *f =
        ESPCTL_HAS_FN(h, struct espctl_host, find_chip_family) ? h->find_chip_family(h, name) : NULL;
    const struct espctl_chip_desc *d = family_usable(f) ? desc_named(f, name) : NULL;
    if (!d)
        return ESPCTL_E_NOT_FOUND;
    *family = f;
    *chip = d;
    return 0;
}

int cm_find_chip(const struct espctl_host *h, const char *name,
                 const struct espctl_chip_family **family, const struct espctl_chip_desc **chip)
{
    if (!name || !*name)
        return ESPCTL_E_NOT_FOUND;
    if (lookup(h, name, family, chip) == 0)
        return 0;
    char base[ESPCTL_NAME_SIZE];
    size_t n = strlen(name);
    if (n < 4 || n >= sizeof base || tolower((unsigned char)name[n - 1]) != 'x' ||
        !isalpha((unsigned char)name[n - 2]))
        return ESPCTL_E_NOT_FOUND;
    for (size_t i = 0; i + 2 < n; i++)
        base[i] = (char)tolower((unsigned char)name[i]);
    base[n - 2] = '\0';
    return lookup(h, base, family, chip);
}

static int32_t supports_chip(void *target_data, const char *chip)
{
    const struct espctl_chip_family *f;
    const struct espctl_chip_desc *d;
    return cm_find_chip(target_data, chip, &f, &d) == 0 || pf_chip_named(chip) != NULL;
}

/* The chip a session is asked for: a loaded family's first, then cortexm's own table. */
static int named_chip(struct cm_session *s, const char *name)
{
    if (cm_find_chip(s->host, name, &s->family, &s->chip) == 0)
        return 0;
    const struct pf_chip *pc = pf_chip_named(name);
    if (!pc)
        return cm_error(s->host, ESPCTL_E_INVAL,
                        "connect: unknown chip '%s' (no loaded chip family declares it)", name);
    s->family = NULL;
    s->chip = &pc->desc;
    return 0;
}

/* The connected chip: check it against the one named, or find a family that claims it. */
static int identify(struct cm_session *s)
{
    const struct espctl_host *h = s->host;
    if (s->chip && s->writer) {
        /* A probe that writes flash itself may not model the id registers (QEMU reads
         * DBGMCU_IDCODE as 0): the named chip is taken as given. */
        cm_log(h, ESPCTL_LOG_DEBUG, "connect: %s taken as named (the probe writes flash itself)",
               s->chip->name);
        return 0;
    }
    if (s->chip && !s->family)
        return cm_error(h, ESPCTL_E_NOT_SUPPORTED,
                        "connect: %s is flashed only through a probe that writes flash itself "
                        "(gdb:HOST:PORT, Black Magic Probe); probe driver '%s' does not",
                        s->chip->name, s->link.drv->name);
    if (s->family) {
        const struct espctl_chip_desc *seen = NULL;
        int rc = s->family->identify(s->family->family_data, &s->mem, &seen);
        if (rc)
            return rc;
        if (seen->device_id != s->chip->device_id)
            return cm_error(h, ESPCTL_E_TARGET,
                            "connect: the target is a %s-class chip (device id 0x%03x), not %s "
                            "(0x%03x)", seen->name, seen->device_id, s->chip->name,
                            s->chip->device_id);
        return 0;
    }
    uint32_t n = ESPCTL_HAS_FN(h, struct espctl_host, chip_family_count) ? h->chip_family_count(h) : 0;
    for (uint32_t i = 0; i < n; i++) {
        const struct espctl_chip_family *f = h->chip_family_at(h, i);
        const struct espctl_chip_desc *seen = NULL;
        if (!family_usable(f) || f->identify(f->family_data, &s->mem, &seen) != 0 || !seen)
            continue;
        s->family = f;
        s->chip = seen;
        return 0;
    }
    return cm_error(h, ESPCTL_E_NOT_FOUND,
                    "connect: no loaded chip family recognises the target; name it with --chip");
}

static int attach_mode(uint32_t flags)
{
    if (flags & ESPCTL_TARGET_CONNECT_UNDER_RESET)
        return CM_ATTACH_UNDER_RESET;
    return (flags & ESPCTL_TARGET_NO_RESET) ? CM_ATTACH_HALT : CM_ATTACH_RESET_HALT;
}

static const struct espctl_run_control *run_control(const struct espctl_probe_driver *d, void *probe)
{
    if (!ESPCTL_HAS_FN(d, struct espctl_probe_driver, get_extension) || !d->get_extension)
        return NULL;
    const struct espctl_run_control *rc = d->get_extension(probe, ESPCTL_EXT_RUN_CONTROL);
    if (!rc || rc->hdr.struct_size < sizeof *rc || !rc->halt || !rc->resume || !rc->is_halted ||
        !rc->reset_and_halt)
        return NULL;
    return rc;
}

static int connect_probe(struct cm_session *s, const struct espctl_target_params *p)
{
    char selector[ESPCTL_PATH_SIZE];
    const struct espctl_probe_driver *d = NULL;
    int rc = cm_probe_select(s->host, p->probe, &d, selector, sizeof selector);
    if (rc)
        return rc;
    if (!d->mem_read || !d->mem_write || !d->close)
        return cm_error(s->host, ESPCTL_E_NOT_SUPPORTED,
                        "connect: probe driver '%s' offers no memory access", d->name);
    s->link.drv = d;
    rc = d->open(d->driver_data, selector, &s->link.probe);
    if (rc)
        return rc;
    if (d->connect) {
        uint32_t cflags = (p->flags & ESPCTL_TARGET_CONNECT_UNDER_RESET) ? ESPCTL_CONNECT_UNDER_RESET : 0;
        rc = d->connect(s->link.probe, cflags);
        if (rc)
            return rc;
    }
    s->connected = 1;
    /* Capabilities and extensions only after connect: a probe may learn the target's
     * memory map (Black Magic Probe) or the AP's block size (ST-Link) while connecting. */
    struct espctl_probe_caps caps = {.hdr = ESPCTL_ABI_HDR(struct espctl_probe_caps)};
    if (d->caps && d->caps(s->link.probe, &caps) == 0)
        s->link.max_block = caps.max_mem_block;
    s->core.run = run_control(d, s->link.probe);
    s->writer = pf_writer(&s->link);
    cm_log(s->host, ESPCTL_LOG_DEBUG, "opened probe %s through '%s' (max block %u bytes)", selector,
           d->name, s->link.max_block);
    return 0;
}

static void session_close(void *session)
{
    struct cm_session *s = session;
    if (!s)
        return;
    s->link.quiet = 1;
    cm_rtt_monitor_close(s->monitor);
    if (s->flash)
        s->flash_family->flash_close(s->flash);
    if (s->connected) {
        s->link.stage = "disconnect";
        cm_core_detach(&s->core);
        if (s->link.drv->disconnect)
            (void)s->link.drv->disconnect(s->link.probe);
    }
    if (s->link.probe)
        s->link.drv->close(s->link.probe);
    free(s);
}

static int session_open(void *target_data, const struct espctl_target_params *p, void **out)
{
    const struct espctl_host *h = target_data;
    struct cm_session *s = calloc(1, sizeof *s);
    if (!s)
        return cm_error(h, ESPCTL_E_NOMEM, "connect: out of memory");
    s->host = h;
    s->link.host = h;
    s->link.stage = "connect";
    s->link.at = UINT64_MAX;
    cm_target_mem_init(&s->mem, &s->link);
    s->core = (struct cm_core){.link = &s->link, .mem = &s->mem};
    int rc = 0;
    if (p->chip && *p->chip)
        rc = named_chip(s, p->chip);
    cm_emit(h, ESPCTL_EVENT_STAGE_BEGIN, "connect", 0, 0, 0, ESPCTL_NO_ADDRESS, NULL);
    if (rc == 0)
        rc = connect_probe(s, p);
    if (rc == 0)
        rc = adiv5_init(&s->link);
    if (rc == 0)
        rc = cm_core_attach(&s->core, attach_mode(p->flags));
    if (rc == 0)
        rc = identify(s);
    cm_emit(h, ESPCTL_EVENT_STAGE_END, "connect", rc, 0, 0, ESPCTL_NO_ADDRESS, NULL);
    if (rc) {
        /* keep the failure text: closing must not overwrite it */
        if (s->connected)
            s->core.halted_by_us = 0;
        session_close(s);
        return rc;
    }
    if (p->chip && *p->chip && s->writer)
        cm_message(h, "connect", "connected to %s (as named) through %s, which writes flash itself",
                   s->chip->name, s->link.drv->name);
    else if (p->chip && *p->chip)
        cm_message(h, "connect", "connected to %s (device id 0x%03x) through %s", s->chip->name,
                   s->chip->device_id, s->link.drv->name);
    else
        cm_message(h, "connect", "connected to a %s chip with device id 0x%03x through %s",
                   s->family->name, s->chip->device_id, s->link.drv->name);
    *out = s;
    return 0;
}

static int flash_ready(struct cm_session *s)
{
    if (s->flash)
        return 0;
    s->link.stage = "unlock";
    if (s->writer)
        return pf_open(&s->link, s->writer, s->chip, &s->flash_family, &s->flash, &s->geometry);
    s->flash_family = s->family;
    return s->family->flash_open(s->family->family_data, s->chip, &s->mem, &s->flash, &s->geometry);
}

static struct fe_target engine(struct cm_session *s)
{
    return (struct fe_target){.host = s->host, .link = &s->link, .family = s->flash_family,
                              .flash = s->flash, .geometry = &s->geometry,
                              .commit = s->writer ? pf_commit : NULL};
}

static int session_flash(void *session, const struct espctl_flash_image *img, uint32_t flags)
{
    struct cm_session *s = session;
    int rc = flash_ready(s);
    if (rc)
        return rc;
    struct fe_target t = engine(s);
    struct fe_stats st;
    rc = fe_flash(&t, img, flags, &st);
    if (rc == 0)
        cm_log(s->host, ESPCTL_LOG_INFO,
               "%u sectors touched: %u unchanged, %u erased; %llu bytes programmed, %llu verified "
               "(%llu of them by the target's own check)",
               st.sectors, st.skipped, st.erased, (unsigned long long)st.programmed,
               (unsigned long long)st.verified, (unsigned long long)st.on_target);
    return rc;
}

static int session_verify(void *session, const struct espctl_flash_image *img)
{
    struct cm_session *s = session;
    struct fe_target t = engine(s);
    return fe_verify(&t, img);
}

static int session_erase(void *session, uint64_t address, uint64_t length, uint32_t flags)
{
    struct cm_session *s = session;
    int rc = flash_ready(s);
    if (rc)
        return rc;
    struct fe_target t = engine(s);
    return fe_erase(&t, address, length, flags);
}

static int session_reset(void *session, int32_t kind)
{
    struct cm_session *s = session;
    s->link.stage = "reset";
    if (s->flash) { /* the reset locks the controller anyway */
        s->flash_family->flash_close(s->flash);
        s->flash = NULL;
    }
    if (kind == ESPCTL_RESET_SYSTEM || kind == ESPCTL_RESET_HW_PULSE)
        return cm_core_reset(&s->core, kind, 0);
    if (kind != ESPCTL_RESET_HW_ASSERT && kind != ESPCTL_RESET_HW_DEASSERT)
        return cm_error(s->host, ESPCTL_E_INVAL, "reset: unknown reset kind %d", (int)kind);
    if (!s->link.drv->reset)
        return cm_error(s->host, ESPCTL_E_NOT_SUPPORTED, "reset: probe driver '%s' cannot drive nRESET",
                        s->link.drv->name);
    return s->link.drv->reset(s->link.probe, kind);
}

static int session_read(void *session, uint64_t address, uint8_t *buf, uint64_t length)
{
    struct cm_session *s = session;
    s->link.stage = "read";
    cm_emit(s->host, ESPCTL_EVENT_STAGE_BEGIN, "read", 0, 0, length, address, NULL);
    const uint64_t chunk = 16384;
    int rc = 0;
    uint64_t done = 0;
    while (done < length && rc == 0) {
        uint64_t n = length - done < chunk ? length - done : chunk;
        if (cm_cancelled(s->host))
            rc = cm_error(s->host, ESPCTL_E_CANCELLED, "read: cancelled at 0x%08llx",
                          (unsigned long long)(address + done));
        if (rc == 0)
            rc = cm_mem_read_bytes(&s->link, address + done, buf + done, n);
        if (rc == 0) {
            done += n;
            cm_emit(s->host, ESPCTL_EVENT_PROGRESS, "read", 0, done, length, address + done - n, NULL);
        }
    }
    cm_emit(s->host, ESPCTL_EVENT_STAGE_END, "read", rc, 0, 0, rc ? address + done : ESPCTL_NO_ADDRESS,
            NULL);
    return rc;
}

static int session_monitor_open(void *session, const struct espctl_monitor_params *p)
{
    struct cm_session *s = session;
    s->link.stage = "monitor";
    s->link.at = UINT64_MAX;
    cm_rtt_monitor_close(s->monitor);
    s->monitor = NULL;
    struct cm_rtt_env env = {.host = s->host, .mem = &s->mem, .chip = s->chip, .core = &s->core,
                             .drv = s->link.drv, .probe = s->link.probe};
    return cm_rtt_monitor_open(&s->monitor, &env, p);
}

static int session_monitor_read(void *session, uint8_t *buf, uint32_t capacity, uint32_t *got,
                                uint32_t timeout_ms)
{
    struct cm_session *s = session;
    *got = 0;
    if (!s->monitor)
        return cm_error(s->host, ESPCTL_E_INVAL, "monitor: not open");
    return cm_rtt_monitor_read(s->monitor, buf, capacity, got, timeout_ms);
}

static int session_monitor_write(void *session, const uint8_t *buf, uint32_t length)
{
    struct cm_session *s = session;
    if (!s->monitor)
        return cm_error(s->host, ESPCTL_E_INVAL, "monitor: not open");
    return cm_rtt_monitor_write(s->monitor, buf, length);
}

static void session_monitor_close(void *session)
{
    struct cm_session *s = session;
    cm_rtt_monitor_close(s->monitor);
    s->monitor = NULL;
}

void cm_target_init(struct espctl_flash_target *vt, const struct espctl_host *host)
{
    *vt = (struct espctl_flash_target){
        .hdr = ESPCTL_ABI_HDR(struct espctl_flash_target),
        .name = "cortexm",
        .description = "Cortex-M over an ADIv5 debug probe (flash engine, chip families)",
        .target_data = (void *)host,
        .supports_chip = supports_chip,
        .open = session_open,
        .close = session_close,
        .flash = session_flash,
        .verify = session_verify,
        .erase = session_erase,
        .reset = session_reset,
        .read = session_read,
        .monitor_open = session_monitor_open,
        .monitor_read = session_monitor_read,
        .monitor_write = session_monitor_write,
        .monitor_close = session_monitor_close,
    };
}
