/* STM32G4 embedded flash controller (RM0440, single-bank category 2 parts such as G431). */
#include <stdlib.h>
#include <string.h>

#include "flash_stm32_common.h"

/* Register offsets. */
#define ACR     0x00u
#define PDKEYR  0x04u
#define KEYR    0x08u
#define OPTKEYR 0x0Cu
#define SR      0x10u
#define CR      0x14u
#define ECCR    0x18u
#define OPTR    0x20u
#define PCROP1SR 0x24u
#define PCROP1ER 0x28u
#define WRP1AR  0x2Cu
#define WRP1BR  0x30u
#define SEC1R   0x70u

#define SR_EOP     (1u << 0)
#define SR_OPERR   (1u << 1)
#define SR_PROGERR (1u << 3)
#define SR_WRPERR  (1u << 4)
#define SR_PGAERR  (1u << 5)
#define SR_SIZERR  (1u << 6)
#define SR_PGSERR  (1u << 7)
#define SR_MISSERR (1u << 8)
#define SR_FASTERR (1u << 9)
#define SR_RDERR   (1u << 14)
#define SR_OPTVERR (1u << 15)
#define SR_BSY     (1u << 16)
#define SR_W1C (SR_EOP | SR_OPERR | SR_PROGERR | SR_WRPERR | SR_PGAERR | SR_SIZERR | SR_PGSERR | \
                SR_MISSERR | SR_FASTERR | SR_RDERR | SR_OPTVERR)
/* Flags that must be clear before a new program/erase may start. */
#define SR_PROG_ERRORS (SR_PROGERR | SR_WRPERR | SR_PGAERR | SR_SIZERR | SR_PGSERR | SR_MISSERR | SR_FASTERR)

#define CR_PG      (1u << 0)
#define CR_PER     (1u << 1)
#define CR_MER1    (1u << 2)
#define CR_PNB_SHIFT 3
#define CR_PNB_MASK (0x7Fu << CR_PNB_SHIFT)
#define CR_STRT    (1u << 16)
#define CR_OPTSTRT (1u << 17)
#define CR_FSTPG   (1u << 18)
#define CR_EOPIE   (1u << 24)
#define CR_ERRIE   (1u << 25)
#define CR_RDERRIE (1u << 26)
#define CR_OBL_LAUNCH (1u << 27)
#define CR_SEC_PROT1 (1u << 28)
#define CR_OPTLOCK (1u << 30)
#define CR_LOCK    (1u << 31)
#define CR_WRITABLE (CR_PG | CR_PER | CR_MER1 | CR_PNB_MASK | CR_FSTPG | CR_EOPIE | CR_ERRIE | CR_RDERRIE)

#define WRP_UNPROTECTED 0x000000FFu
#define WRP_FIELD_MASK 0x7Fu

struct g4_state {
    uint32_t acr, sr, cr, optr, wrp1ar, wrp1br, pcrop1sr, pcrop1er, eccr, sec1r;
    enum stm32_keys keys, optkeys;
    struct stm32_dw dw;
    int eop_pending;      /* an operation completes with EOP when it finishes */
};

static struct g4_state *st(struct sim_flash *fl) { return fl->family_state; }

static int g4_init(struct sim_flash *fl)
{
    fl->family_state = calloc(1, sizeof(struct g4_state));
    fl->page_erase_ns = SIM_G4_PAGE_ERASE_NS;
    fl->mass_erase_ns = SIM_G4_MASS_ERASE_NS;
    fl->program_ns = SIM_G4_PROGRAM_DW_NS;
    if (!fl->family_state)
        return -1;
    struct g4_state *s = st(fl);
    s->wrp1ar = s->wrp1br = WRP_UNPROTECTED;
    fl->ops->reset(fl);
    return 0;
}

static void g4_fini(struct sim_flash *fl)
{
    free(fl->family_state);
    fl->family_state = NULL;
}

static void g4_reset(struct sim_flash *fl)
{
    struct g4_state *s = st(fl);
    sim_flash_stall(fl); /* a reset during an operation waits for it in this model */
    s->acr = 0x00000600u;
    s->sr = 0;
    s->cr = CR_LOCK | CR_OPTLOCK;
    s->optr = 0xFFEFF8AAu; /* RDP level 0 */
    s->pcrop1sr = 0x000000FFu;
    s->pcrop1er = 0x00000000u;
    s->eccr = 0;
    s->sec1r = 0xFF00FF00u;
    s->keys = s->optkeys = STM32_KEYS_IDLE;
    s->dw.pending = 0;
    s->eop_pending = 0;
}

/* Fold a finished operation into SR. */
static void settle(struct sim_flash *fl)
{
    struct g4_state *s = st(fl);
    stm32_settle_eop(fl, &s->eop_pending, (s->cr & CR_EOPIE) != 0, &s->sr, SR_EOP);
}

static int page_protected(const struct g4_state *s, uint32_t page)
{
    const uint32_t areas[2] = {s->wrp1ar, s->wrp1br};
    for (int i = 0; i < 2; i++) {
        uint32_t start = areas[i] & WRP_FIELD_MASK, end = (areas[i] >> 16) & WRP_FIELD_MASK;
        if (start <= end && page >= start && page <= end)
            return 1;
    }
    return 0;
}

/* The SR flag of each injected programming error. */
static const struct stm32_err_flags injected_flags = {
    .pgaerr = SR_PGAERR, .wrperr = SR_WRPERR, .progerr = SR_PROGERR, .sizerr = SR_SIZERR, .pgserr = SR_PGSERR,
};

static void start_erase(struct sim_flash *fl)
{
    struct g4_state *s = st(fl);
    uint32_t ops = s->cr & (CR_PG | CR_PER | CR_MER1);
    uint32_t npages = fl->size / fl->page_size;
    if ((s->sr & SR_PROG_ERRORS) || (ops != CR_PER && ops != CR_MER1)) {
        s->sr |= SR_PGSERR;
        return;
    }
    if (ops == CR_PER) {
        uint32_t page = (s->cr & CR_PNB_MASK) >> CR_PNB_SHIFT;
        if (page >= npages) {
            s->sr |= SR_PGSERR;
            return;
        }
        if (page_protected(s, page)) {
            s->sr |= SR_WRPERR;
            return;
        }
        memset(fl->array + page * fl->page_size, 0xFF, fl->page_size);
        fl->target->stats.page_erases++;
        sim_flash_start_op(fl, fl->page_erase_ns);
    } else {
        uint32_t err = 0;
        for (uint32_t p = 0; !err && p < npages; p++)
            if (page_protected(s, p))
                err = SR_WRPERR;
        if (err) {
            s->sr |= err;
            return;
        }
        memset(fl->array, 0xFF, fl->size);
        fl->target->stats.mass_erases++;
        sim_flash_start_op(fl, fl->mass_erase_ns);
    }
    s->eop_pending = 1;
}

static int g4_reg_read(struct sim_flash *fl, uint32_t off, unsigned size, uint32_t *val)
{
    struct g4_state *s = st(fl);
    uint32_t v;
    settle(fl);
    switch (off & ~3u) {
    case ACR: v = s->acr; break;
    case SR: v = s->sr | (sim_flash_busy(fl) ? SR_BSY : 0); break;
    case CR: v = s->cr; break;
    case ECCR: v = s->eccr; break;
    case OPTR: v = s->optr; break;
    case PCROP1SR: v = s->pcrop1sr; break;
    case PCROP1ER: v = s->pcrop1er; break;
    case WRP1AR: v = s->wrp1ar; break;
    case WRP1BR: v = s->wrp1br; break;
    case SEC1R: v = s->sec1r; break;
    default: v = 0; break; /* KEYR, PDKEYR, OPTKEYR are write-only; reserved reads as 0 */
    }
    *val = stm32_lanes(v, off, size);
    return 0;
}

static int g4_reg_write(struct sim_flash *fl, uint32_t off, unsigned size, uint32_t v)
{
    struct g4_state *s = st(fl);
    settle(fl);
    if (size != 4)
        return -1; /* the flash interface registers accept 32-bit accesses only */
    switch (off) {
    case ACR:
        s->acr = v & 0x0004F70Fu;
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
            return 0; /* ignored while locked */
        if (sim_flash_busy(fl))
            sim_flash_stall(fl), settle(fl);
        s->cr = (s->cr & (CR_LOCK | CR_OPTLOCK)) | (v & CR_WRITABLE) | (v & (CR_LOCK | CR_OPTLOCK));
        if (!(s->cr & CR_PG))
            s->dw.pending = 0;
        if ((v & CR_STRT) && !(v & CR_LOCK))
            start_erase(fl);
        /* OPTSTRT/OBL_LAUNCH: option bytes are fixed in this model; the request is ignored. */
        return 0;
    default:
        return 0; /* option registers and ECCR are read-only here */
    }
}

static int g4_array_write(struct sim_flash *fl, uint32_t off, unsigned size, uint32_t v)
{
    struct g4_state *s = st(fl);
    settle(fl);
    if (!(s->cr & CR_PG) || (s->cr & CR_LOCK)) {
        s->sr |= SR_PGSERR;
        return 0;
    }
    if (s->sr & SR_PROG_ERRORS) {
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
    if (!err && page_protected(s, dw / fl->page_size))
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

static int g4_protect(struct sim_flash *fl, uint32_t first, uint32_t last)
{
    struct g4_state *s = st(fl);
    if (first > last || last >= fl->size / fl->page_size || last > WRP_FIELD_MASK)
        return -1;
    s->wrp1ar = first | (last << 16);
    return 0;
}

const struct sim_flash_ops sim_flash_stm32g4_ops = {
    .family = "stm32g4",
    .regs_size = 0x400,
    .init = g4_init,
    .fini = g4_fini,
    .reset = g4_reset,
    .reg_read = g4_reg_read,
    .reg_write = g4_reg_write,
    .array_write = g4_array_write,
    .protect = g4_protect,
};
