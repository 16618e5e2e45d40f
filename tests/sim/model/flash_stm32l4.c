/* STM32L4 embedded flash controller (RM0351, STM32L47x/L48x and relatives).
 *
 * Registers at 0x40022000 as in RM0351 §3.7: KEYR/OPTKEYR, SR (write-1-to-clear), CR (PG, PER,
 * MER1, PNB[10:3], BKER, MER2, STRT, EOPIE, LOCK, OPTLOCK), OPTR, WRP1AR/BR (bank 1) and
 * WRP2AR/BR (bank 2). 2 KiB pages; parts with 1 MiB are always dual bank (256 pages per bank,
 * bank 2 selected with BKER), smaller 0x415/0x461 parts are dual bank when OPTR.DUALBANK is set.
 * Programming is by double word (two 32-bit writes), as on G4.
 *
 * Injected programming errors (--fault flash-err=...) raise the flag of the same name.
 */
#include <stdlib.h>
#include <string.h>

#include "flash_stm32_common.h"
#include "sim/flash_families.h"

#define ACR 0x00u
#define KEYR 0x08u
#define OPTKEYR 0x0Cu
#define SR 0x10u
#define CR 0x14u
#define ECCR 0x18u
#define OPTR 0x20u
#define PCROP1SR 0x24u
#define PCROP1ER 0x28u
#define WRP1AR 0x2Cu
#define WRP1BR 0x30u
#define PCROP2SR 0x44u
#define PCROP2ER 0x48u
#define WRP2AR 0x4Cu
#define WRP2BR 0x50u

#define SR_EOP (1u << 0)
#define SR_OPERR (1u << 1)
#define SR_PROGERR (1u << 3)
#define SR_WRPERR (1u << 4)
#define SR_PGAERR (1u << 5)
#define SR_SIZERR (1u << 6)
#define SR_PGSERR (1u << 7)
#define SR_MISERR (1u << 8)
#define SR_FASTERR (1u << 9)
#define SR_RDERR (1u << 14)
#define SR_OPTVERR (1u << 15)
#define SR_BSY (1u << 16)
#define SR_W1C 0xC3FBu
#define SR_PROG_ERRORS                                                                       \
    (SR_PROGERR | SR_WRPERR | SR_PGAERR | SR_SIZERR | SR_PGSERR | SR_MISERR | SR_FASTERR)

#define CR_PG (1u << 0)
#define CR_PER (1u << 1)
#define CR_MER1 (1u << 2)
#define CR_PNB_SHIFT 3
#define CR_PNB_MASK (0xFFu << CR_PNB_SHIFT)
#define CR_BKER (1u << 11)
#define CR_MER2 (1u << 15)
#define CR_STRT (1u << 16)
#define CR_EOPIE (1u << 24)
#define CR_ERRIE (1u << 25)
#define CR_RDERRIE (1u << 26)
#define CR_OPTLOCK (1u << 30)
#define CR_LOCK (1u << 31)
#define CR_WRITABLE (CR_PG | CR_PER | CR_MER1 | CR_PNB_MASK | CR_BKER | CR_MER2 | CR_EOPIE | \
                     CR_ERRIE | CR_RDERRIE)

#define OPTR_DUALBANK (1u << 21)
#define WRP_UNPROTECTED 0x000000FFu
#define WRP_FIELD_MASK 0xFFu
#define BANK_PAGES_MAX 256u

struct l4_state {
    uint32_t acr, sr, cr, optr;
    uint32_t wrp[2][2]; /* [bank][A/B] */
    enum stm32_keys keys, optkeys;
    struct stm32_dw dw;
    int eop_pending;
};

static struct l4_state *st(struct sim_flash *fl) { return fl->family_state; }

static int dual_bank(const struct sim_flash *fl)
{
    const struct l4_state *s = fl->family_state;
    uint32_t dev = fl->target->chip->dbgmcu_idcode & 0xFFFu;
    if (fl->size >= 1024u * 1024u)
        return 1;
    return (dev == 0x415u || dev == 0x461u) && (s->optr & OPTR_DUALBANK);
}

static uint32_t bank_pages(const struct sim_flash *fl)
{
    uint32_t pages = fl->size / fl->page_size;
    return dual_bank(fl) ? pages / 2 : pages;
}

static int l4_init(struct sim_flash *fl)
{
    fl->family_state = calloc(1, sizeof(struct l4_state));
    if (!fl->family_state)
        return -1;
    fl->page_erase_ns = SIM_L4_PAGE_ERASE_NS;
    fl->mass_erase_ns = SIM_L4_MASS_ERASE_NS;
    fl->program_ns = SIM_L4_PROGRAM_DW_NS;
    struct l4_state *s = st(fl);
    for (int b = 0; b < 2; b++)
        s->wrp[b][0] = s->wrp[b][1] = WRP_UNPROTECTED;
    s->optr = 0xFFEFF8AAu; /* RM0351 reset value: RDP level 0, DUALBANK=1 */
    fl->ops->reset(fl);
    return 0;
}

static void l4_fini(struct sim_flash *fl)
{
    free(fl->family_state);
    fl->family_state = NULL;
}

static void l4_reset(struct sim_flash *fl)
{
    struct l4_state *s = st(fl);
    sim_flash_stall(fl);
    s->acr = 0x00000600u;
    s->sr = 0;
    s->cr = CR_LOCK | CR_OPTLOCK;
    s->keys = s->optkeys = STM32_KEYS_IDLE;
    s->dw.pending = 0;
    s->eop_pending = 0;
}

static void settle(struct sim_flash *fl)
{
    struct l4_state *s = st(fl);
    stm32_settle_eop(fl, &s->eop_pending, (s->cr & CR_EOPIE) != 0, &s->sr, SR_EOP);
}

/* Page index across the whole array (bank 2 pages follow bank 1's). */
static int page_protected(struct sim_flash *fl, uint32_t page)
{
    struct l4_state *s = st(fl);
    uint32_t per_bank = bank_pages(fl), bank = page / per_bank, local = page % per_bank;
    if (bank > 1)
        return 0;
    for (int i = 0; i < 2; i++) {
        uint32_t v = s->wrp[bank][i];
        uint32_t start = v & WRP_FIELD_MASK, end = (v >> 16) & WRP_FIELD_MASK;
        if (start <= end && local >= start && local <= end)
            return 1;
    }
    return 0;
}

static void erase_range(struct sim_flash *fl, uint32_t first, uint32_t count, uint32_t *err)
{
    for (uint32_t p = first; p < first + count; p++)
        if (page_protected(fl, p)) {
            *err = SR_WRPERR;
            return;
        }
    memset(fl->array + first * fl->page_size, 0xFF, count * fl->page_size);
}

static void start_erase(struct sim_flash *fl)
{
    struct l4_state *s = st(fl);
    uint32_t ops = s->cr & (CR_PG | CR_PER | CR_MER1 | CR_MER2);
    uint32_t per_bank = bank_pages(fl), err = 0;
    if ((s->sr & SR_PROG_ERRORS) || !ops || (ops & CR_PG) || ((ops & CR_PER) && ops != CR_PER)) {
        s->sr |= SR_PGSERR;
        return;
    }
    if (ops == CR_PER) {
        uint32_t local = (s->cr & CR_PNB_MASK) >> CR_PNB_SHIFT;
        uint32_t bank = (s->cr & CR_BKER) ? 1 : 0;
        if (local >= per_bank || (bank && !dual_bank(fl))) {
            s->sr |= SR_PGSERR;
            return;
        }
        erase_range(fl, bank * per_bank + local, 1, &err);
        if (err) {
            s->sr |= err;
            return;
        }
        fl->target->stats.page_erases++;
        sim_flash_start_op(fl, fl->page_erase_ns);
    } else {
        if ((ops & CR_MER2) && !dual_bank(fl)) {
            s->sr |= SR_PGSERR;
            return;
        }
        if (ops & CR_MER1)
            erase_range(fl, 0, per_bank, &err);
        if (!err && (ops & CR_MER2))
            erase_range(fl, per_bank, per_bank, &err);
        if (err) {
            s->sr |= err;
            return;
        }
        fl->target->stats.mass_erases++;
        sim_flash_start_op(fl, fl->mass_erase_ns);
    }
    s->eop_pending = 1;
}

static int l4_reg_read(struct sim_flash *fl, uint32_t off, unsigned size, uint32_t *val)
{
    struct l4_state *s = st(fl);
    uint32_t v;
    settle(fl);
    switch (off & ~3u) {
    case ACR: v = s->acr; break;
    case SR: v = s->sr | (sim_flash_busy(fl) ? SR_BSY : 0); break;
    case CR: v = s->cr; break;
    case OPTR: v = s->optr; break;
    case PCROP1SR: case PCROP2SR: v = 0x0000FFFFu; break;
    case WRP1AR: v = s->wrp[0][0]; break;
    case WRP1BR: v = s->wrp[0][1]; break;
    case WRP2AR: v = s->wrp[1][0]; break;
    case WRP2BR: v = s->wrp[1][1]; break;
    default: v = 0; break; /* key registers are write-only; ECCR and reserved read 0 */
    }
    *val = stm32_lanes(v, off, size);
    return 0;
}

static int l4_reg_write(struct sim_flash *fl, uint32_t off, unsigned size, uint32_t v)
{
    struct l4_state *s = st(fl);
    settle(fl);
    if (size != 4)
        return -1;
    switch (off) {
    case ACR:
        s->acr = v & 0x0000770Fu;
        return 0;
    case KEYR:
        return stm32_key_write(&s->keys, v, STM32_KEY1, STM32_KEY2, &s->cr, CR_LOCK,
                               (s->cr & CR_LOCK) != 0);
    case OPTKEYR:
        if (s->cr & CR_LOCK)
            return -1;
        return stm32_key_write(&s->optkeys, v, STM32_OPTKEY1, STM32_OPTKEY2, &s->cr, CR_OPTLOCK,
                               (s->cr & CR_OPTLOCK) != 0);
    case SR:
        s->sr &= ~(v & SR_W1C);
        return 0;
    case CR:
        if (s->cr & CR_LOCK)
            return 0;
        if (sim_flash_busy(fl))
            sim_flash_stall(fl), settle(fl);
        s->cr = (s->cr & (CR_LOCK | CR_OPTLOCK)) | (v & CR_WRITABLE) | (v & (CR_LOCK | CR_OPTLOCK));
        if (!(s->cr & CR_PG))
            s->dw.pending = 0;
        if ((v & CR_STRT) && !(v & CR_LOCK))
            start_erase(fl);
        return 0;
    default:
        return 0; /* option registers are fixed in this model */
    }
}

/* The SR flag of each injected programming error. */
static const struct stm32_err_flags injected_flags = {
    .pgaerr = SR_PGAERR, .wrperr = SR_WRPERR, .progerr = SR_PROGERR, .sizerr = SR_SIZERR, .pgserr = SR_PGSERR,
};

static int l4_array_write(struct sim_flash *fl, uint32_t off, unsigned size, uint32_t v)
{
    struct l4_state *s = st(fl);
    settle(fl);
    if (!(s->cr & CR_PG) || (s->cr & CR_LOCK) || (s->sr & SR_PROG_ERRORS)) {
        s->sr |= SR_PGSERR;
        s->dw.pending = 0;
        return 0;
    }
    if (size != 4) {
        s->sr |= SR_SIZERR;
        s->dw.pending = 0;
        return 0;
    }
    if (!stm32_dw_collect(&s->dw, off, v, &s->sr, SR_PGAERR))
        return 0;
    uint32_t dw = s->dw.off;
    uint32_t err = stm32_injected_flag(fl, dw, 8, &injected_flags);
    if (!err && page_protected(fl, dw / fl->page_size))
        err = SR_WRPERR;
    if (!err && !stm32_erased(fl, dw, 8) && (s->dw.first != 0 || v != 0))
        err = SR_PROGERR;
    if (err) {
        s->sr |= err;
        return 0;
    }
    stm32_dw_program(fl, &s->dw, v);
    s->eop_pending = 1;
    return 0;
}

/* Pages are numbered across the array: bank 2's first page follows bank 1's last. */
static int l4_protect(struct sim_flash *fl, uint32_t first, uint32_t last)
{
    struct l4_state *s = st(fl);
    uint32_t per_bank = bank_pages(fl);
    if (first > last || last >= fl->size / fl->page_size || per_bank > BANK_PAGES_MAX ||
        first / per_bank != last / per_bank)
        return -1;
    uint32_t bank = first / per_bank;
    s->wrp[bank][0] = (first % per_bank) | ((last % per_bank) << 16);
    return 0;
}

const struct sim_flash_ops sim_flash_stm32l4_ops = {
    .family = "stm32l4",
    .regs_size = 0x400,
    .init = l4_init,
    .fini = l4_fini,
    .reset = l4_reset,
    .reg_read = l4_reg_read,
    .reg_write = l4_reg_write,
    .array_write = l4_array_write,
    .protect = l4_protect,
};
