/* Memory access (m, M, X) and flash programming (vFlash*, or QEMU's writable flash model). */
#include "gdb_target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for "$", "#cc" and the longest "X<addr>,<len>:" header. */
#define HEADER_ROOM 48u

static const char hex_digits[] = "0123456789abcdef";

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

uint32_t gdb_target_read_chunk(const struct gdb_target *t)
{
    uint32_t chunk = (t->packet_size - 1) / 2;
    uint32_t reply_bound = GDB_MAX_REPLY / 2;
    return chunk < reply_bound ? chunk : reply_bound;
}

static int target_error(struct gdb_target *t, const char *op, uint64_t addr, uint32_t len)
{
    const char *r = t->rsp.reply;
    unsigned code;
    if (gdb_rsp_is_error(r, &code))
        return gdb_fail(&t->env, ESPCTL_E_TARGET,
                        "GDB server %s: %s of %u bytes at 0x%08llx failed (E%02X)", t->rsp.io.peer,
                        op, len, (unsigned long long)addr, code);
    if (r[0] == '\0')
        return gdb_fail(&t->env, ESPCTL_E_NOT_SUPPORTED, "GDB server %s does not support %s",
                        t->rsp.io.peer, op);
    return gdb_fail(&t->env, ESPCTL_E_PROTOCOL,
                    "GDB server %s: %s at 0x%08llx: unexpected reply '%.32s'", t->rsp.io.peer, op,
                    (unsigned long long)addr, r);
}

static int read_halted(struct gdb_target *t, uint64_t addr, uint8_t *buf, uint32_t len)
{
    uint32_t chunk = gdb_target_read_chunk(t);
    while (len) {
        int cancel = gdb_check_cancel(&t->env);
        if (cancel)
            return cancel;
        uint32_t n = len < chunk ? len : chunk;
        char packet[64];
        snprintf(packet, sizeof packet, "m%llx,%x", (unsigned long long)addr, n);
        int rc = gdb_rsp_transact(&t->rsp, packet, NULL, 0, t->env.timeout_ms);
        if (rc)
            return rc;
        const char *r = t->rsp.reply;
        size_t hex_len = t->rsp.reply_len;
        unsigned code;
        if (hex_len == 0 || gdb_rsp_is_error(r, &code))
            return target_error(t, "memory read", addr, n);
        if (hex_len % 2 || hex_len / 2 > n)
            return gdb_fail(&t->env, ESPCTL_E_PROTOCOL,
                            "GDB server %s: read of %u bytes at 0x%08llx returned %zu hex digits",
                            t->rsp.io.peer, n, (unsigned long long)addr, hex_len);
        uint32_t got = (uint32_t)(hex_len / 2);
        for (uint32_t i = 0; i < got; i++) {
            int hi = hexval(r[2 * i]), lo = hexval(r[2 * i + 1]);
            if (hi < 0 || lo < 0)
                return gdb_fail(&t->env, ESPCTL_E_PROTOCOL,
                                "GDB server %s: read at 0x%08llx: non-hex data at offset %u",
                                t->rsp.io.peer, (unsigned long long)addr, 2 * i);
            buf[i] = (uint8_t)(hi << 4 | lo);
        }
        addr += got;
        buf += got;
        len -= got;
    }
    return 0;
}

/* Ask once whether X is accepted: a zero-length X answers OK or empty. */
static int probe_binary_writes(struct gdb_target *t, uint64_t addr)
{
    char packet[64];
    snprintf(packet, sizeof packet, "X%llx,0:", (unsigned long long)addr);
    int rc = gdb_rsp_transact(&t->rsp, packet, NULL, 0, t->env.timeout_ms);
    if (rc)
        return rc;
    t->binary_writes = strcmp(t->rsp.reply, "OK") == 0 ? 1 : -1;
    return 0;
}

static int write_halted(struct gdb_target *t, uint64_t addr, const uint8_t *buf, uint32_t len)
{
    if (t->binary_writes == 0) {
        int rc = probe_binary_writes(t, addr);
        if (rc)
            return rc;
    }
    uint32_t budget = t->packet_size > HEADER_ROOM + 2 ? t->packet_size - HEADER_ROOM : 2;
    char *hex = t->binary_writes > 0 ? NULL : malloc((size_t)budget + HEADER_ROOM);
    if (t->binary_writes < 0 && !hex)
        return gdb_fail(&t->env, ESPCTL_E_NOMEM, "out of memory");
    int rc = 0;
    while (rc == 0 && len && (rc = gdb_check_cancel(&t->env)) == 0) {
        uint32_t n;
        if (hex) {
            n = budget / 2 < len ? budget / 2 : len;
            int at = snprintf(hex, HEADER_ROOM, "M%llx,%x:", (unsigned long long)addr, n);
            for (uint32_t i = 0; i < n; i++) {
                hex[at + 2 * (int)i] = hex_digits[buf[i] >> 4];
                hex[at + 2 * (int)i + 1] = hex_digits[buf[i] & 15];
            }
            hex[at + 2 * (int)n] = '\0';
            rc = gdb_rsp_transact(&t->rsp, hex, NULL, 0, t->env.timeout_ms);
        } else {
            n = (uint32_t)gdb_rsp_fit(buf, len, budget);
            char header[HEADER_ROOM];
            snprintf(header, sizeof header, "X%llx,%x:", (unsigned long long)addr, n);
            rc = gdb_rsp_transact(&t->rsp, header, buf, n, t->env.timeout_ms);
        }
        if (rc == 0 && strcmp(t->rsp.reply, "OK") != 0)
            rc = target_error(t, "memory write", addr, n);
        addr += n;
        buf += n;
        len -= n;
    }
    free(hex);
    return rc;
}

/* Run op with the core halted, restoring the run state the caller had. */
#define WITH_HALT(t, call)                                      \
    do {                                                        \
        int was_running_ = (t)->running;                        \
        int rc_ = gdb_target_halt(t);                           \
        if (rc_ == 0)                                           \
            rc_ = (call);                                       \
        if (was_running_) {                                     \
            int rrc_ = gdb_target_resume(t);                    \
            if (rc_ == 0)                                       \
                rc_ = rrc_;                                     \
        }                                                       \
        return rc_;                                             \
    } while (0)

int gdb_target_read(struct gdb_target *t, uint64_t addr, uint8_t *buf, uint32_t len)
{
    WITH_HALT(t, read_halted(t, addr, buf, len));
}

int gdb_target_write(struct gdb_target *t, uint64_t addr, const uint8_t *buf, uint32_t len)
{
    WITH_HALT(t, write_halted(t, addr, buf, len));
}

int gdb_target_writes_flash(const struct gdb_target *t)
{
    if (t->is_qemu)
        return 1;
    for (uint32_t i = 0; t->map_loaded && i < t->map.count; i++)
        if (t->map.regions[i].type == GDB_REGION_FLASH)
            return 1;
    return 0;
}

static const struct gdb_region *flash_region_of(const struct gdb_target *t, uint64_t addr,
                                                uint64_t len)
{
    for (uint32_t i = 0; t->map_loaded && i < t->map.count; i++) {
        const struct gdb_region *r = &t->map.regions[i];
        if (r->type == GDB_REGION_FLASH && addr >= r->start && len <= r->length &&
            addr - r->start <= r->length - len)
            return r;
    }
    return NULL;
}

static int vflash_check(struct gdb_target *t, const char *op, uint64_t addr, uint64_t len)
{
    if (!flash_region_of(t, addr, len))
        return gdb_fail(&t->env, ESPCTL_E_INVAL,
                        "GDB server %s: %s of %llu bytes at 0x%08llx is outside its flash regions",
                        t->rsp.io.peer, op, (unsigned long long)len, (unsigned long long)addr);
    return 0;
}

static int vflash_erase(struct gdb_target *t, uint64_t addr, uint64_t len)
{
    int rc = vflash_check(t, "flash erase", addr, len);
    if (rc)
        return rc;
    const struct gdb_region *r = flash_region_of(t, addr, len);
    if ((addr - r->start) % r->blocksize || len % r->blocksize)
        return gdb_fail(&t->env, ESPCTL_E_INVAL,
                        "flash erase 0x%08llx+0x%llx is not aligned to the %u-byte block size",
                        (unsigned long long)addr, (unsigned long long)len, r->blocksize);
    char packet[80];
    snprintf(packet, sizeof packet, "vFlashErase:%llx,%llx", (unsigned long long)addr,
             (unsigned long long)len);
    rc = gdb_rsp_transact(&t->rsp, packet, NULL, 0, t->env.flash_timeout_ms);
    if (rc == 0 && strcmp(t->rsp.reply, "OK") != 0)
        rc = target_error(t, "flash erase", addr, (uint32_t)len);
    return rc;
}

static int vflash_write(struct gdb_target *t, uint64_t addr, const uint8_t *data, uint32_t len)
{
    int rc = vflash_check(t, "flash write", addr, len);
    uint32_t budget = t->packet_size > HEADER_ROOM + 2 ? t->packet_size - HEADER_ROOM : 2;
    while (rc == 0 && len && (rc = gdb_check_cancel(&t->env)) == 0) {
        uint32_t n = (uint32_t)gdb_rsp_fit(data, len, budget);
        char header[HEADER_ROOM];
        snprintf(header, sizeof header, "vFlashWrite:%llx:", (unsigned long long)addr);
        rc = gdb_rsp_transact(&t->rsp, header, data, n, t->env.flash_timeout_ms);
        if (rc == 0 && strcmp(t->rsp.reply, "OK") != 0)
            rc = target_error(t, "flash write", addr, n);
        addr += n;
        data += n;
        len -= n;
    }
    return rc;
}

static int vflash_done(struct gdb_target *t)
{
    int rc = gdb_rsp_transact(&t->rsp, "vFlashDone", NULL, 0, t->env.flash_timeout_ms);
    if (rc == 0 && strcmp(t->rsp.reply, "OK") != 0)
        rc = target_error(t, "flash commit (vFlashDone)", 0, 0);
    return rc;
}

/* QEMU's flash model takes debug writes; erasing is writing the erased value. */
static int qemu_erase(struct gdb_target *t, uint64_t addr, uint64_t len)
{
    uint8_t ones[4096];
    memset(ones, 0xff, sizeof ones);
    while (len) {
        uint32_t n = len < sizeof ones ? (uint32_t)len : (uint32_t)sizeof ones;
        int rc = write_halted(t, addr, ones, n);
        if (rc)
            return rc;
        addr += n;
        len -= n;
    }
    return 0;
}

int gdb_target_flash_erase(struct gdb_target *t, uint64_t addr, uint64_t len)
{
    if (t->map_loaded && gdb_target_writes_flash(t) && !t->is_qemu)
        WITH_HALT(t, vflash_erase(t, addr, len));
    if (t->is_qemu)
        WITH_HALT(t, qemu_erase(t, addr, len));
    return gdb_fail(&t->env, ESPCTL_E_NOT_SUPPORTED, "GDB server %s does not write flash",
                    t->rsp.io.peer);
}

int gdb_target_flash_write(struct gdb_target *t, uint64_t addr, const uint8_t *data, uint32_t len)
{
    if (t->map_loaded && gdb_target_writes_flash(t) && !t->is_qemu)
        WITH_HALT(t, vflash_write(t, addr, data, len));
    if (t->is_qemu)
        WITH_HALT(t, write_halted(t, addr, data, len));
    return gdb_fail(&t->env, ESPCTL_E_NOT_SUPPORTED, "GDB server %s does not write flash",
                    t->rsp.io.peer);
}

int gdb_target_flash_done(struct gdb_target *t)
{
    if (t->map_loaded && gdb_target_writes_flash(t) && !t->is_qemu)
        WITH_HALT(t, vflash_done(t));
    if (t->is_qemu)
        return 0;
    return gdb_fail(&t->env, ESPCTL_E_NOT_SUPPORTED, "GDB server %s does not write flash",
                    t->rsp.io.peer);
}
