/* Shared STM32 flash-controller helpers: errors, register access, polling, unlock, size. */
#include "stm32_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* The poll budget when the host clock does not move (one poll per microsecond of timeout
 * would be far more than any probe can do). */
#define POLLS_PER_MS 100u

int stm32_error(const struct espctl_host *host, int code, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return host->set_error(host, code, text);
}

void stm32_log(const struct espctl_host *host, int32_t level, const char *fmt, ...)
{
    if (!ESPCTL_HAS_FN(host, struct espctl_host, log))
        return;
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    host->log(host, level, text);
}

int stm32_rd(const struct stm32_io *io, uint32_t address, uint32_t *value)
{
    return io->mem->read32(io->mem->ctx, address, value);
}

int stm32_wr(const struct stm32_io *io, uint32_t address, uint32_t value)
{
    return io->mem->write32(io->mem->ctx, address, value);
}

int stm32_rd16(const struct stm32_io *io, uint32_t address, uint32_t *value)
{
    uint8_t raw[2];
    int rc = io->mem->read(io->mem->ctx, address, raw, 2);
    if (rc == 0)
        *value = (uint32_t)raw[0] | (uint32_t)raw[1] << 8;
    return rc;
}

int stm32_rd_regs(const struct stm32_io *io, uint32_t first, uint32_t count, uint32_t *values)
{
    uint8_t raw[4 * STM32_REGS_MAX];
    if (count == 0 || count > STM32_REGS_MAX)
        return stm32_error(io->host, ESPCTL_E_INVAL, "register block of %u words at 0x%08x", count,
                           first);
    int rc = io->mem->read(io->mem->ctx, first, raw, 4 * count);
    for (uint32_t i = 0; rc == 0 && i < count; i++) {
        const uint8_t *p = raw + 4 * i;
        values[i] = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    }
    return rc;
}

int stm32_wr_regs(const struct stm32_io *io, uint32_t first, uint32_t count, const uint32_t *values)
{
    uint8_t raw[4 * STM32_REGS_MAX];
    if (count == 0 || count > STM32_REGS_MAX)
        return stm32_error(io->host, ESPCTL_E_INVAL, "register block of %u words at 0x%08x", count,
                           first);
    for (uint32_t i = 0; i < count; i++)
        for (uint32_t b = 0; b < 4; b++)
            raw[4 * i + b] = (uint8_t)(values[i] >> (8 * b));
    return io->mem->write(io->mem->ctx, first, raw, 4 * count, 32);
}

void stm32_flag_names(uint32_t value, const struct stm32_flag *table, size_t count, char *out,
                      size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        if (!(value & table[i].bit))
            continue;
        int n = snprintf(out + used, cap - used, "%s%s", used ? "|" : "", table[i].name);
        if (n < 0 || (size_t)n >= cap - used)
            break;
        used += (size_t)n;
    }
}

static uint64_t now_us(const struct espctl_host *host)
{
    return ESPCTL_HAS_FN(host, struct espctl_host, now_us) ? host->now_us(host) : 0;
}

/* Poll `reg` until (value & mask) is nonzero when `want_set`, zero otherwise. */
static int poll_until(const struct stm32_io *io, uint32_t reg, uint32_t mask, int want_set,
                      uint64_t timeout_us, const char *what, const char *stage, uint64_t address,
                      uint32_t *value)
{
    const struct espctl_host *host = io->host;
    uint64_t deadline = now_us(host) + timeout_us;
    uint64_t budget = timeout_us / 1000u * POLLS_PER_MS + POLLS_PER_MS;
    for (uint64_t polls = 0;; polls++) {
        int rc = stm32_rd(io, reg, value);
        if (rc)
            return rc;
        if (((*value & mask) != 0) == want_set)
            return 0;
        if (polls >= budget || now_us(host) > deadline)
            return stm32_error(host, ESPCTL_E_TIMEOUT,
                               "%s: %s after %llu ms at 0x%08llx (register 0x%08x = 0x%08x)",
                               stage, what, (unsigned long long)(timeout_us / 1000u),
                               (unsigned long long)address, reg, *value);
        if (ESPCTL_HAS_FN(host, struct espctl_host, cancelled) && host->cancelled(host))
            return stm32_error(host, ESPCTL_E_CANCELLED, "%s: cancelled at 0x%08llx", stage,
                               (unsigned long long)address);
    }
}

int stm32_wait_idle(const struct stm32_io *io, uint32_t sr_addr, uint32_t busy_mask,
                    uint64_t timeout_us, const char *stage, uint64_t address, uint32_t *sr)
{
    return poll_until(io, sr_addr, busy_mask, 0, timeout_us, "flash controller still busy", stage,
                      address, sr);
}

int stm32_wait_set(const struct stm32_io *io, uint32_t reg, uint32_t mask, uint64_t timeout_us,
                   const char *what, const char *stage, uint64_t address, uint32_t *value)
{
    return poll_until(io, reg, mask, 1, timeout_us, what, stage, address, value);
}

int stm32_ctrl_ready(const struct stm32_io *io, const struct stm32_ctrl *c, uint32_t keyr,
                     uint32_t lock_bit, uint32_t sr, uint32_t cr, uint64_t timeout_us,
                     uint64_t address, const char *what)
{
    int rc = 0;
    if (sr & c->busy) {
        rc = stm32_wait_idle(io, c->sr, c->busy, timeout_us, "unlock", address, &sr);
        if (rc == 0)
            rc = stm32_rd(io, c->cr, &cr);
    }
    if (rc == 0)
        rc = stm32_unlock_known(io, cr, c->cr, keyr, lock_bit, what);
    if (rc == 0 && (sr & (c->errors | c->eop)))
        rc = stm32_wr(io, c->sr, c->errors | c->eop);
    return rc;
}

int stm32_report_flags(const struct stm32_io *io, const struct stm32_ctrl *c, const char *stage,
                       const char *where, uint32_t sr)
{
    char names[96];
    stm32_flag_names(sr, c->flags, c->flag_count, names, sizeof names);
    (void)stm32_wr(io, c->sr, sr & (c->errors | c->eop));
    (void)stm32_wr(io, c->cr, 0);
    return stm32_error(io->host, ESPCTL_E_TARGET, "%s: %s %s (FLASH_SR=0x%08x)", stage, names, where,
                       sr);
}

int stm32_report_flags_at(const struct stm32_io *io, const struct stm32_ctrl *c, const char *stage,
                          uint64_t address, uint32_t sr)
{
    char where[32];
    snprintf(where, sizeof where, "at 0x%08llx", (unsigned long long)address);
    return stm32_report_flags(io, c, stage, where, sr);
}

int stm32_wait_checked(const struct stm32_io *io, const struct stm32_ctrl *c, const char *stage,
                       uint64_t address, uint64_t timeout_us, int *cr_cleared)
{
    uint32_t sr = 0;
    int rc = stm32_wait_idle(io, c->sr, c->busy, timeout_us, stage, address, &sr);
    if (rc || !(sr & c->errors))
        return rc;
    if (cr_cleared)
        *cr_cleared = 1;
    return stm32_report_flags_at(io, c, stage, address, sr);
}

int stm32_unlock(const struct stm32_io *io, uint32_t cr_addr, uint32_t keyr_addr,
                 uint32_t lock_bit, const char *what)
{
    uint32_t cr = 0;
    int rc = stm32_rd(io, cr_addr, &cr);
    return rc ? rc : stm32_unlock_known(io, cr, cr_addr, keyr_addr, lock_bit, what);
}

int stm32_unlock_known(const struct stm32_io *io, uint32_t cr, uint32_t cr_addr,
                       uint32_t keyr_addr, uint32_t lock_bit, const char *what)
{
    if (!(cr & lock_bit))
        return 0;
    int rc = stm32_wr(io, keyr_addr, STM32_KEY1);
    if (rc == 0)
        rc = stm32_wr(io, keyr_addr, STM32_KEY2);
    if (rc == 0)
        rc = stm32_rd(io, cr_addr, &cr);
    if (rc == 0 && (cr & lock_bit))
        return stm32_error(io->host, ESPCTL_E_TARGET,
                           "unlock: %s stays locked after the key sequence (CR at 0x%08x = 0x%08x)",
                           what, cr_addr, cr);
    return rc;
}

int stm32_flash_size(const struct stm32_io *io, uint32_t reg, uint32_t max_bytes,
                     uint32_t fallback_bytes, uint64_t *size)
{
    uint32_t kib = 0;
    /* A word-aligned register is read as one word (a single round trip on probes that
     * return the status with the data); its upper half is another field. */
    int rc = (reg & 3u) ? stm32_rd16(io, reg, &kib) : stm32_rd(io, reg, &kib);
    if (rc)
        return rc;
    kib &= 0xFFFFu;
    if (kib == 0 || kib == 0xFFFFu || (uint64_t)kib * 1024u > max_bytes) {
        stm32_log(io->host, ESPCTL_LOG_WARN,
                  "flash size register at 0x%08x reads 0x%04x; assuming %u KiB", reg, kib,
                  fallback_bytes / 1024u);
        *size = fallback_bytes;
    } else {
        *size = (uint64_t)kib * 1024u;
    }
    return 0;
}

const struct espctl_chip_desc *stm32_largest_of(const struct espctl_chip_desc *const *list,
                                                uint32_t dev)
{
    const struct espctl_chip_desc *best = NULL;
    for (; *list; list++)
        if ((*list)->device_id == dev && (!best || (*list)->flash_size > best->flash_size))
            best = *list;
    return best;
}

int stm32_plugin_init(const struct espctl_host *host, void **plugin_data, size_t size,
                      const char *name, stm32_family_setup_fn setup)
{
    struct stm32_plugin_head *head = calloc(1, size);
    if (!head)
        return stm32_error(host, ESPCTL_E_NOMEM, "%s: out of memory", name);
    head->component = (struct espctl_component){
        .hdr = ESPCTL_ABI_HDR(struct espctl_component),
        .kind = ESPCTL_COMPONENT_CHIP_FAMILY,
        .vtable = setup(head, host),
    };
    head->list[0] = &head->component;
    head->list[1] = NULL;
    *plugin_data = head;
    return 0;
}

const struct espctl_component *const *stm32_plugin_components(void *plugin_data)
{
    return ((struct stm32_plugin_head *)plugin_data)->list;
}

void stm32_plugin_deinit(void *plugin_data)
{
    free(plugin_data);
}
