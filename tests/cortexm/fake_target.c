#include "fake_target.h"

#include <stdio.h>
#include <string.h>

#define REG_KEYR 0x40022008u
#define REG_SR 0x40022010u
#define REG_CR 0x40022014u
#define REG_OPTR 0x40022020u
#define SR_BSY (1u << 16)
#define SR_PROGERR (1u << 3)
#define SR_WRPERR (1u << 4)
#define SR_PGAERR (1u << 5)
#define SR_SIZERR (1u << 6)
#define SR_PGSERR (1u << 7)
#define CR_LOCK (1u << 31)

void fake_target_init(struct fake_target *t)
{
    memset(t, 0, sizeof *t);
    t->idcode = 0x20016468u;
    t->size_kib = 128;
    t->optr = 0xFFEFF8AAu & ~(1u << 22);
    t->max_block = 1024;
    t->wrp_first_page = 1;
    t->wrp_last_page = 0;
    t->busy_reads = 2;
    t->probe_count = 1;
    t->has_dp = 1;
    t->fail_after_ops = -1;
    t->cr = CR_LOCK;
    memset(t->flash, 0xFF, sizeof t->flash);
}

static int in_flash(uint64_t a)
{
    return a >= FAKE_FLASH_BASE && a < FAKE_FLASH_BASE + FAKE_FLASH_BYTES;
}

static int dual_bank(const struct fake_target *t)
{
    return (t->idcode & 0xFFF) == 0x469 && (t->optr & (1u << 22));
}

static uint32_t page_size(const struct fake_target *t)
{
    return ((t->idcode & 0xFFF) == 0x469 && !dual_bank(t)) ? 4096 : 2048;
}

static int protected_page(const struct fake_target *t, uint32_t offset)
{
    int page = (int)(offset / page_size(t));
    return page >= t->wrp_first_page && page <= t->wrp_last_page;
}

static void write_cr(struct fake_target *t, uint32_t v)
{
    if (t->cr_log_count < 256)
        t->cr_log[t->cr_log_count++] = v;
    if (t->cr & CR_LOCK) {
        return; /* locked: ignored */
    }
    t->cr = v & ~(1u << 16);
    if (!(v & (1u << 16)))
        return;
    if (v & (1u << 1)) { /* PER */
        uint32_t page = (v >> 3) & 0xFF;
        uint32_t offset = page * page_size(t) + ((v & (1u << 11)) ? 256u * 1024u : 0);
        t->last_erase_addr = FAKE_FLASH_BASE + offset;
        if (protected_page(t, offset)) {
            t->sr |= SR_WRPERR;
            return;
        }
        memset(t->flash + offset, 0xFF, page_size(t));
        t->page_erases++;
        t->busy_left = t->busy_reads;
    } else if (v & (1u << 2)) { /* MER1 */
        if (t->wrp_first_page <= t->wrp_last_page) {
            t->sr |= SR_WRPERR;
            return;
        }
        memset(t->flash, 0xFF, sizeof t->flash);
        t->mass_erases++;
        t->busy_left = t->busy_reads;
    }
}

static void system_reset(struct fake_target *t)
{
    t->reset_st = 1;
    t->halted = (t->demcr & 1u) || (t->dhcsr_c & 2u);
    t->cr = CR_LOCK;
    t->key_state = 0;
}

static void write_reg(struct fake_target *t, uint32_t a, uint32_t v)
{
    switch (a) {
    case REG_KEYR:
        if (t->keys_refused)
            break;
        if (t->key_state == 0 && v == 0x45670123u)
            t->key_state = 1;
        else if (t->key_state == 1 && v == 0xCDEF89ABu) {
            t->cr &= ~CR_LOCK;
            t->key_state = 0;
        } else
            t->key_state = 0;
        break;
    case REG_SR: t->sr &= ~(v & 0xC3FBu); break;
    case REG_CR: write_cr(t, v); break;
    case 0xE000EDF0u:
        if ((v >> 16) == 0xA05Fu) {
            t->dhcsr_c = v & 0xFu;
            t->halted = (v & 2u) ? 1 : 0;
        }
        break;
    case 0xE000EDFCu: t->demcr = v; break;
    case 0xE000ED0Cu:
        if (v == 0x05FA0004u) {
            t->system_resets++;
            system_reset(t);
        }
        break;
    default: break;
    }
}

static uint32_t read_reg(struct fake_target *t, uint32_t a)
{
    switch (a) {
    case REG_SR:
        t->sr_reads++;
        if (t->busy_left > 0) {
            t->busy_left--;
            return t->sr | SR_BSY;
        }
        return t->sr;
    case REG_CR: return t->cr;
    case REG_OPTR: return t->optr;
    case 0x4002202Cu: return 0xFF; /* WRP1AR as read by tools: unprotected */
    case 0xE0042000u: return t->idcode;
    case 0xE000ED00u: return 0x410FC241u;
    case 0xE000EDF0u: {
        uint32_t v = t->dhcsr_c | (1u << 16) | (t->halted ? 1u << 17 : 0) |
                     (t->reset_st ? 1u << 25 : 0);
        t->reset_st = 0;
        return v;
    }
    case 0xE000EDFCu: return t->demcr;
    case 0x1FFF75E0u: return t->size_kib;
    default: return 0;
    }
}

static void program_word(struct fake_target *t, uint32_t a, uint32_t w)
{
    if (!(t->cr & 1u)) {
        t->sr |= SR_PGSERR;
        return;
    }
    if ((a & 7u) == 0) {
        t->have_first = 1;
        t->first_addr = a;
        t->first_word = w;
        return;
    }
    if (!t->have_first || t->first_addr + 4 != a) {
        t->sr |= SR_PGAERR;
        t->have_first = 0;
        return;
    }
    t->have_first = 0;
    uint32_t offset = t->first_addr - FAKE_FLASH_BASE;
    if (t->inject_sr) {
        t->sr |= t->inject_sr;
        t->inject_sr = 0;
        return;
    }
    if (protected_page(t, offset)) {
        t->sr |= SR_WRPERR;
        return;
    }
    for (int i = 0; i < 8; i++)
        if (t->flash[offset + i] != 0xFF) {
            t->sr |= SR_PROGERR;
            return;
        }
    memcpy(t->flash + offset, &t->first_word, 4);
    memcpy(t->flash + offset + 4, &w, 4);
    t->dw_programs++;
}

static int op_allowed(struct fake_target *t)
{
    t->ops++;
    return !(t->fail_after_ops >= 0 && t->ops > t->fail_after_ops);
}

static int fk_mem_read(void *probe, uint32_t ap, uint64_t addr, uint32_t width, uint8_t *buf,
                       uint32_t len)
{
    struct fake_target *t = probe;
    (void)ap;
    if (!op_allowed(t))
        return ESPCTL_E_IO;
    if ((addr | len) & (width / 8 - 1))
        return ESPCTL_E_INVAL;
    if (in_flash(addr)) {
        if (!in_flash(addr + len - 1))
            return ESPCTL_E_TARGET;
        memcpy(buf, t->flash + (addr - FAKE_FLASH_BASE), len);
        t->flash_bytes_read += len;
        t->flash_reads++;
        if (t->corrupt_addr >= addr && t->corrupt_addr < addr + len)
            buf[t->corrupt_addr - addr] ^= 0xFF;
        return 0;
    }
    for (uint32_t i = 0; i < len; i += width / 8) {
        uint64_t a = addr + i;
        uint32_t word = read_reg(t, (uint32_t)(a & ~3ull));
        uint32_t v = word >> (8 * (a & 3));
        memcpy(buf + i, &v, width / 8);
    }
    return 0;
}

static int fk_mem_write(void *probe, uint32_t ap, uint64_t addr, uint32_t width,
                        const uint8_t *buf, uint32_t len)
{
    struct fake_target *t = probe;
    (void)ap;
    if (!op_allowed(t))
        return ESPCTL_E_IO;
    t->mem_writes++;
    if ((addr | len) & (width / 8 - 1))
        return ESPCTL_E_INVAL;
    for (uint32_t i = 0; i < len; i += 4) {
        uint32_t w;
        memcpy(&w, buf + i, 4);
        if (in_flash(addr + i)) {
            if (width != 32)
                t->sr |= SR_SIZERR;
            else
                program_word(t, (uint32_t)(addr + i), w);
        } else {
            write_reg(t, (uint32_t)(addr + i), w);
        }
    }
    return 0;
}

static int fk_dp_read(void *probe, uint32_t addr, uint32_t *v)
{
    struct fake_target *t = probe;
    if (!op_allowed(t))
        return ESPCTL_E_IO;
    *v = addr == 0x4 ? t->ctrl_stat : addr == 0 ? 0x2BA01477u : 0;
    return 0;
}

static int fk_dp_write(void *probe, uint32_t addr, uint32_t v)
{
    struct fake_target *t = probe;
    if (!op_allowed(t))
        return ESPCTL_E_IO;
    if (addr == 0x4) /* ACKs mirror the requests */
        t->ctrl_stat = (v & 0x50000000u) | ((v & 0x50000000u) << 1);
    if (addr == 0x0 && (v & 0x1E))
        t->sticky_clears++;
    return 0;
}

static int fk_ap_read(void *probe, uint32_t ap, uint32_t addr, uint32_t *v)
{
    struct fake_target *t = probe;
    if (!op_allowed(t))
        return ESPCTL_E_IO;
    *v = (ap == 0 && addr == 0xFC) ? 0x24770011u : 0;
    return 0;
}

static int fk_ap_write(void *probe, uint32_t ap, uint32_t addr, uint32_t v)
{
    (void)probe, (void)ap, (void)addr, (void)v;
    return 0;
}

static int fk_reset(void *probe, int32_t kind)
{
    struct fake_target *t = probe;
    if (kind == ESPCTL_RESET_HW_PULSE || kind == ESPCTL_RESET_HW_DEASSERT) {
        t->hw_resets++;
        system_reset(t);
    }
    return 0;
}


static int fk_enumerate(void *data, espctl_probe_found_fn found, void *user)
{
    struct fake_target *t = data;
    for (int i = 0; i < t->probe_count; i++) {
        char sel[32], serial[16];
        snprintf(sel, sizeof sel, "fake:%d", i);
        snprintf(serial, sizeof serial, "SN%d", i);
        struct espctl_probe_info info = {.hdr = ESPCTL_ABI_HDR(struct espctl_probe_info),
                                         .driver = "fake", .selector = sel, .serial = serial,
                                         .product = "Fake Probe", .vid = 0x1234, .pid = 0x5678};
        if (found(user, &info))
            break;
    }
    return 0;
}

static int fk_open(void *data, const char *selector, void **probe)
{
    struct fake_target *t = data;
    if (strncmp(selector, "fake:", 5) != 0 && strncmp(selector, "1234:5678", 9) != 0)
        return ESPCTL_E_NOT_FOUND;
    *probe = t;
    return 0;
}

static void fk_close(void *probe)
{
    (void)probe;
}

static int fk_caps(void *probe, struct espctl_probe_caps *caps)
{
    struct fake_target *t = probe;
    caps->flags = ESPCTL_PROBE_CAP_MEM | ESPCTL_PROBE_CAP_HW_RESET |
                  (t->has_dp ? ESPCTL_PROBE_CAP_DP_AP : 0);
    caps->max_mem_block = t->max_block;
    return 0;
}

static int fk_connect(void *probe, uint32_t flags)
{
    struct fake_target *t = probe;
    (void)flags;
    t->connects++;
    return 0;
}

static const char *const fake_prefixes[] = {"fake:", NULL};
static const struct espctl_usb_id fake_ids[] = {{0x1234, 0x5678, 0}};

static struct espctl_probe_driver fake = {
    .hdr = ESPCTL_ABI_HDR(struct espctl_probe_driver),
    .name = "fake",
    .description = "test double",
    .usb_id_count = 1,
    .usb_ids = fake_ids,
    .selector_prefixes = fake_prefixes,
    .enumerate = fk_enumerate,
    .open = fk_open,
    .close = fk_close,
    .caps = fk_caps,
    .connect = fk_connect,
    .mem_read = fk_mem_read,
    .mem_write = fk_mem_write,
    .reset = fk_reset,
};

const struct espctl_probe_driver *fake_driver(struct fake_target *t)
{
    fake.driver_data = t;
    fake.dp_read = t->has_dp ? fk_dp_read : NULL;
    fake.dp_write = t->has_dp ? fk_dp_write : NULL;
    fake.ap_read = t->has_dp ? fk_ap_read : NULL;
    fake.ap_write = t->has_dp ? fk_ap_write : NULL;
    return &fake;
}

static int other_enumerate(void *data, espctl_probe_found_fn found, void *user)
{
    (void)data;
    struct espctl_probe_info info = {.hdr = ESPCTL_ABI_HDR(struct espctl_probe_info),
                                     .driver = "other", .selector = "other:7", .serial = "OTHER7"};
    found(user, &info);
    return 0;
}

static int other_open(void *data, const char *selector, void **probe)
{
    if (strcmp(selector, "other:7") != 0)
        return ESPCTL_E_NOT_FOUND;
    *probe = data;
    return 0;
}

static const char *const other_prefixes[] = {"other:", NULL};
static struct espctl_probe_driver other = {
    .hdr = ESPCTL_ABI_HDR(struct espctl_probe_driver),
    .name = "other",
    .selector_prefixes = other_prefixes,
    .enumerate = other_enumerate,
    .open = other_open,
    .close = fk_close,
    .mem_read = fk_mem_read,
    .mem_write = fk_mem_write,
};

const struct espctl_probe_driver *fake_other_driver(struct fake_target *t)
{
    other.driver_data = t;
    return &other;
}
