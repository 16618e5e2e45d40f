/* STM32F7 embedded flash controller (RM0385 F74x/F75x, RM0410 F76x/F77x in single-bank mode,
 * RM0431 F72x/F73x).
 *
 * Registers at 0x40023C00: ACR, KEYR, OPTKEYR, SR (EOP, OPERR, WRPERR, PGAERR, PGPERR, ERSERR,
 * BSY; write-1-to-clear), CR (PG, SER, MER, SNB[6:3], PSIZE[9:8], STRT, EOPIE, ERRIE, LOCK),
 * OPTCR (OPTLOCK, RDP, nWRP[23:16]) and OPTCR1 (boot addresses).
 * Sectors: 4 x U, 1 x 4U, then 8U each, with U = 32 KiB (0x449/0x451) or 16 KiB (0x452). An F76x
 * put in dual-bank mode (sim_flash_stm32f7_set_dual_bank: OPTCR.nDBANK=0) has two banks of
 * 16/64/128 KiB sectors; SNB 0x10+n selects sector n of bank 2, MER2 erases bank 2.
 * Programming writes one unit of the PSIZE parallelism per bus write (x8/x16/x32; an access of
 * another size is PGPERR) and can only clear bits, as on silicon.
 *
 * The CRC peripheral and DMA2 (dma_crc_stm32f7.c) are mapped with it, clocked by the RCC_AHB1ENR
 * word of the RCC modelled here.
 *
 * Injected programming errors map to this controller's flags: pgaerr -> PGAERR, wrperr -> WRPERR,
 * progerr -> OPERR, sizerr -> PGPERR, pgserr -> ERSERR.
 */
#include <stdlib.h>
#include <string.h>

#include "dma_crc_stm32f7.h"
#include "flash_stm32_common.h"
#include "sim/flash_families.h"

#define ACR 0x00u
#define KEYR 0x04u
#define OPTKEYR 0x08u
#define SR 0x0Cu
#define CR 0x10u
#define OPTCR 0x14u
#define OPTCR1 0x18u

#define SR_EOP (1u << 0)
#define SR_OPERR (1u << 1)
#define SR_WRPERR (1u << 4)
#define SR_PGAERR (1u << 5)
#define SR_PGPERR (1u << 6)
#define SR_ERSERR (1u << 7)
#define SR_BSY (1u << 16)
#define SR_W1C 0xF3u
#define SR_ERRORS 0xF2u

#define CR_PG (1u << 0)
#define CR_SER (1u << 1)
#define CR_MER (1u << 2)
#define CR_SNB_SHIFT 3
#define CR_SNB_MASK (0x1Fu << CR_SNB_SHIFT) /* SNB[4] selects bank 2 on F76x (RM0410) */
#define CR_PSIZE_SHIFT 8
#define CR_PSIZE_MASK (3u << CR_PSIZE_SHIFT)
#define CR_MER2 (1u << 15)
#define CR_STRT (1u << 16)
#define CR_EOPIE (1u << 24)
#define CR_ERRIE (1u << 25)
#define CR_LOCK (1u << 31)
#define CR_WRITABLE (CR_PG | CR_SER | CR_MER | CR_SNB_MASK | CR_PSIZE_MASK | CR_MER2 | CR_EOPIE | \
                     CR_ERRIE)

#define RCC_BASE 0x40023800u /* RCC of the F7, touched by OpenOCD's reset-init script */
#define RCC_SIZE 0x400u
#define RCC_CR_HSION (1u << 0)
#define RCC_CR_HSIRDY (1u << 1)
#define RCC_CR_PLLON (1u << 24)
#define RCC_CR_PLLRDY (1u << 25)
#define RCC_CFGR 0x08u
#define RCC_AHB1ENR 0x30u
#define RCC_AHB1ENR_RESET 0x00100000u /* DTCMRAMEN */

#define OPTCR_OPTLOCK (1u << 0)
#define OPTCR_NWRP_SHIFT 16
#define OPTCR_NDBANK (1u << 29)
#define BANK2_SNB 0x10u
#define MAX_SECTORS 24u

struct f7_state {
    uint32_t acr, sr, cr, optcr, optcr1;
    enum stm32_keys keys, optkeys;
    int eop_pending;
    int dual_bank; /* F76x with OPTCR.nDBANK=0: two banks of 16/64/128 KiB sectors */
    uint32_t nsectors;
    struct f7_sector {
        uint32_t off, size, snb, wrp_bit;
    } sectors[MAX_SECTORS];
    uint32_t rcc[RCC_SIZE / 4];
    struct sim_f7_dma_crc dma_crc; /* CRC unit and DMA2, clocked by RCC_AHB1ENR */
};

static struct f7_state *st(struct sim_flash *fl) { return fl->family_state; }

/* One bank: 4 x unit, 1 x 4 unit, then 8 unit sectors, numbered from snb_base. */
static void add_bank(struct f7_state *s, uint32_t base, uint32_t bytes, uint32_t unit,
                     uint32_t snb_base)
{
    for (uint32_t i = 0, off = 0; off < bytes && s->nsectors < MAX_SECTORS; i++) {
        uint32_t size = i < 4 ? unit : i == 4 ? 4 * unit : 8 * unit;
        s->sectors[s->nsectors++] = (struct f7_sector){base + off, size, snb_base + i, i};
        off += size;
    }
}

static void build_sectors(struct sim_flash *fl)
{
    struct f7_state *s = st(fl);
    uint32_t dev = fl->target->chip->dbgmcu_idcode & 0xFFFu;
    s->nsectors = 0;
    s->dual_bank = dev == 0x451u && !(s->optcr & OPTCR_NDBANK);
    if (s->dual_bank) {
        add_bank(s, 0, fl->size / 2, 16u * 1024u, 0);
        add_bank(s, fl->size / 2, fl->size / 2, 16u * 1024u, BANK2_SNB);
    } else {
        add_bank(s, 0, fl->size, dev == 0x452u ? 16u * 1024u : 32u * 1024u, 0);
    }
}

static const struct f7_sector *sector_of(const struct f7_state *s, uint32_t off)
{
    for (uint32_t i = 0; i < s->nsectors; i++)
        if (off - s->sectors[i].off < s->sectors[i].size)
            return &s->sectors[i];
    return NULL;
}

static const struct f7_sector *sector_by_snb(const struct f7_state *s, uint32_t snb)
{
    for (uint32_t i = 0; i < s->nsectors; i++)
        if (s->sectors[i].snb == snb)
            return &s->sectors[i];
    return NULL;
}

static uint64_t sector_erase_ns(uint32_t bytes)
{
    if (bytes <= 32u * 1024u)
        return SIM_F7_ERASE_32K_NS;
    if (bytes <= 128u * 1024u)
        return SIM_F7_ERASE_128K_NS;
    return SIM_F7_ERASE_256K_NS;
}

/* RCC: plain registers, except that oscillators and the PLL are ready as soon as they are
 * switched on and CFGR.SWS follows SW. */
static int rcc_read(void *ctx, uint32_t off, unsigned size, uint32_t *val)
{
    struct f7_state *s = ctx;
    *val = stm32_lanes(s->rcc[off / 4], off, size);
    return 0;
}

static int rcc_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
    struct f7_state *s = ctx;
    if (size != 4)
        return -1;
    if (off == 0) {
        val &= ~(RCC_CR_HSIRDY | RCC_CR_PLLRDY);
        if (val & RCC_CR_HSION)
            val |= RCC_CR_HSIRDY;
        if (val & RCC_CR_PLLON)
            val |= RCC_CR_PLLRDY;
    } else if (off == RCC_CFGR) {
        val = (val & ~0xCu) | ((val & 0x3u) << 2);
    }
    s->rcc[off / 4] = val;
    return 0;
}
static const struct sim_region_ops rcc_ops = {rcc_read, rcc_write};

static int f7_init(struct sim_flash *fl)
{
    fl->family_state = calloc(1, sizeof(struct f7_state));
    if (!fl->family_state)
        return -1;
    fl->page_erase_ns = SIM_F7_ERASE_32K_NS;
    fl->mass_erase_ns = SIM_F7_MASS_ERASE_NS;
    fl->program_ns = SIM_F7_PROGRAM_NS;
    /* Reset values: RM0385 0xC0FFAAFD (F74x/F75x, F72x); RM0410 0xFFFFAAFD (F76x/F77x: 12 nWRP
     * bits, nDBOOT, nDBANK=1: single bank, as shipped). */
    uint32_t dev = fl->target->chip->dbgmcu_idcode & 0xFFFu;
    st(fl)->optcr = dev == 0x451u ? 0xFFFFAAFDu : 0xC0FFAAFDu;
    st(fl)->optcr1 = 0x00400080u;
    build_sectors(fl);
    if (sim_f7_dma_crc_map(&st(fl)->dma_crc, fl->target, &st(fl)->rcc[RCC_AHB1ENR / 4]))
        return -1;
    fl->ops->reset(fl);
    return sim_bus_map(&fl->target->bus, "rcc-f7", RCC_BASE, RCC_SIZE, &rcc_ops, st(fl));
}

static void f7_fini(struct sim_flash *fl)
{
    free(fl->family_state);
    fl->family_state = NULL;
}

static void f7_reset(struct sim_flash *fl)
{
    struct f7_state *s = st(fl);
    sim_flash_stall(fl);
    s->acr = 0;
    s->sr = 0;
    s->cr = CR_LOCK;
    s->optcr |= OPTCR_OPTLOCK;
    s->keys = s->optkeys = STM32_KEYS_IDLE;
    s->eop_pending = 0;
    memset(s->rcc, 0, sizeof s->rcc);
    s->rcc[0] = 0x00000083u; /* HSION | HSIRDY | HSITRIM reset value */
    s->rcc[1] = 0x24003010u; /* PLLCFGR reset value */
    s->rcc[RCC_AHB1ENR / 4] = RCC_AHB1ENR_RESET;
    sim_f7_dma_crc_reset(&s->dma_crc);
}

static void settle(struct sim_flash *fl)
{
    struct f7_state *s = st(fl);
    stm32_settle_eop(fl, &s->eop_pending, (s->cr & CR_EOPIE) != 0, &s->sr, SR_EOP);
}

/* nWRPi protects sector i (of each bank, in dual-bank mode). */
static int sector_protected(const struct f7_state *s, const struct f7_sector *sec)
{
    return !((s->optcr >> (OPTCR_NWRP_SHIFT + sec->wrp_bit)) & 1u);
}

static void start_erase(struct sim_flash *fl)
{
    struct f7_state *s = st(fl);
    uint32_t ops = s->cr & (CR_PG | CR_SER | CR_MER | CR_MER2);
    int mass = ops == CR_MER || (s->dual_bank && (ops == CR_MER2 || ops == (CR_MER | CR_MER2)));
    if ((s->sr & SR_ERRORS) || (ops != CR_SER && !mass)) {
        s->sr |= SR_ERSERR;
        return;
    }
    if (ops == CR_SER) {
        const struct f7_sector *sec = sector_by_snb(s, (s->cr & CR_SNB_MASK) >> CR_SNB_SHIFT);
        if (!sec) {
            s->sr |= SR_ERSERR;
            return;
        }
        if (sector_protected(s, sec)) {
            s->sr |= SR_WRPERR;
            return;
        }
        memset(fl->array + sec->off, 0xFF, sec->size);
        fl->target->stats.page_erases++;
        sim_flash_start_op(fl, sector_erase_ns(sec->size));
    } else {
        /* MER erases bank 1 (the whole array in single-bank mode), MER2 bank 2. */
        uint32_t first = s->dual_bank && !(ops & CR_MER) ? fl->size / 2 : 0;
        uint32_t end = s->dual_bank && !(ops & CR_MER2) ? fl->size / 2 : fl->size;
        for (uint32_t i = 0; i < s->nsectors; i++)
            if (s->sectors[i].off >= first && s->sectors[i].off < end &&
                sector_protected(s, &s->sectors[i])) {
                s->sr |= SR_WRPERR;
                return;
            }
        memset(fl->array + first, 0xFF, end - first);
        fl->target->stats.mass_erases++;
        sim_flash_start_op(fl, fl->mass_erase_ns);
    }
    s->eop_pending = 1;
}

static int f7_reg_read(struct sim_flash *fl, uint32_t off, unsigned size, uint32_t *val)
{
    struct f7_state *s = st(fl);
    uint32_t v;
    settle(fl);
    switch (off & ~3u) {
    case ACR: v = s->acr; break;
    case SR: v = s->sr | (sim_flash_busy(fl) ? SR_BSY : 0); break;
    case CR: v = s->cr; break;
    case OPTCR: v = s->optcr; break;
    case OPTCR1: v = s->optcr1; break;
    default: v = 0; break;
    }
    *val = stm32_lanes(v, off, size);
    return 0;
}

static int f7_reg_write(struct sim_flash *fl, uint32_t off, unsigned size, uint32_t v)
{
    struct f7_state *s = st(fl);
    settle(fl);
    if (size != 4)
        return -1;
    switch (off) {
    case ACR:
        s->acr = v & 0x00000B0Fu;
        return 0;
    case KEYR:
        return stm32_key_write(&s->keys, v, STM32_KEY1, STM32_KEY2, &s->cr, CR_LOCK,
                               (s->cr & CR_LOCK) != 0);
    case OPTKEYR:
        return stm32_key_write(&s->optkeys, v, STM32_OPTKEY1, STM32_OPTKEY2, &s->optcr,
                               OPTCR_OPTLOCK, (s->optcr & OPTCR_OPTLOCK) != 0);
    case SR:
        s->sr &= ~(v & SR_W1C);
        return 0;
    case CR:
        if (s->cr & CR_LOCK)
            return 0;
        /* RM0385: a CR write while BSY stalls the bus until the operation ends. */
        if (sim_flash_busy(fl))
            sim_flash_stall(fl), settle(fl);
        s->cr = (v & CR_WRITABLE) | (v & CR_LOCK);
        if ((v & CR_STRT) && !(v & CR_LOCK))
            start_erase(fl);
        return 0;
    case OPTCR:
        if (!(s->optcr & OPTCR_OPTLOCK) && (v & OPTCR_OPTLOCK))
            s->optcr |= OPTCR_OPTLOCK; /* re-lock; option programming is not modelled */
        return 0;
    default:
        return 0;
    }
}

static const struct stm32_err_flags injected_flags = {
    .pgaerr = SR_PGAERR, .wrperr = SR_WRPERR, .progerr = SR_OPERR, .sizerr = SR_PGPERR, .pgserr = SR_ERSERR,
};

static int f7_array_write(struct sim_flash *fl, uint32_t off, unsigned size, uint32_t v)
{
    struct f7_state *s = st(fl);
    settle(fl);
    if (!(s->cr & CR_PG) || (s->cr & CR_LOCK) || (s->cr & (CR_SER | CR_MER | CR_MER2)) ||
        (s->sr & SR_ERRORS)) {
        s->sr |= SR_ERSERR;
        return 0;
    }
    unsigned psize_bytes = 1u << ((s->cr & CR_PSIZE_MASK) >> CR_PSIZE_SHIFT);
    if (size != psize_bytes) {
        s->sr |= SR_PGPERR;
        return 0;
    }
    uint32_t err = stm32_injected_flag(fl, off, size, &injected_flags);
    const struct f7_sector *sector = sector_of(s, off);
    if (!err && (!sector || sector_protected(s, sector)))
        err = SR_WRPERR;
    if (err) {
        s->sr |= err;
        return 0;
    }
    uint32_t old = sim_le_get(fl->array + off, size);
    sim_le_put(fl->array + off, size, old & v); /* programming only clears bits */
    stm32_program_started(fl);
    s->eop_pending = 1;
    return 0;
}

/* Sectors are numbered in address order (0-11 bank 1, 12-23 bank 2 in dual-bank mode);
 * protecting one sets its nWRP bit to 0. */
static int f7_protect(struct sim_flash *fl, uint32_t first, uint32_t last)
{
    struct f7_state *s = st(fl);
    if (first > last || last >= s->nsectors)
        return -1;
    for (uint32_t i = first; i <= last; i++)
        s->optcr &= ~(1u << (OPTCR_NWRP_SHIFT + s->sectors[i].wrp_bit));
    return 0;
}

int sim_flash_stm32f7_set_dual_bank(struct sim_flash *fl, int dual)
{
    if (fl->ops != &sim_flash_stm32f7_ops || (fl->target->chip->dbgmcu_idcode & 0xFFFu) != 0x451u)
        return -1;
    struct f7_state *s = st(fl);
    s->optcr = dual ? s->optcr & ~OPTCR_NDBANK : s->optcr | OPTCR_NDBANK;
    build_sectors(fl);
    return 0;
}

const struct sim_flash_ops sim_flash_stm32f7_ops = {
    .family = "stm32f7",
    .regs_size = 0x400,
    .init = f7_init,
    .fini = f7_fini,
    .reset = f7_reset,
    .reg_read = f7_reg_read,
    .reg_write = f7_reg_write,
    .array_write = f7_array_write,
    .protect = f7_protect,
};
