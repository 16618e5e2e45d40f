/* STM32H742/743/753 embedded flash controller (RM0433 §4), one or two banks.
 *
 * Each bank has its own register set (bank 1 at 0x52002000, bank 2 at +0x100): KEYR, CR (LOCK,
 * PG, SER, BER, PSIZE, FW, START, SNB[10:8], CRC_EN), SR (BSY, WBNE, QW, EOP, WRPERR, PGSERR,
 * STRBERR, INCERR, OPERR, RDPERR, RDSERR, SNECCERR1, DBECCERR1, CRCRDERR1), CCR (write 1 to
 * clear), WPSN_CUR (0 = sector protected), ECC_FA. ACR, OPTKEYR, OPTCR, OPTSR_CUR and BOOT_CUR
 * are shared. 128 KiB sectors, 8 per bank; banks are 1 MiB apart (bank 2 at 0x08100000).
 *
 * Programming collects a 256-bit flash word in the bank's write buffer; the eighth word starts
 * it, FW programs a partial buffer (missing bytes stay erased). Writing another flash word while
 * the buffer is partly filled is INCERR, writing a byte twice STRBERR; programming a word that is
 * neither erased nor all zeros is OPERR (on silicon it corrupts the ECC).
 * The CRC unit (CRCCR, CRCSADD, CRCEADD per bank, one CRCDATA at 0x5C, mirrored at 0x15C) runs
 * when CRC_EN is set: CLEAN_CRC resets the result, START_CRC computes it over the address range
 * (whole bursts, from the burst holding CRCSADD to the one holding CRCEADD), the whole bank
 * (ALL_BANK) or the listed sectors (CRC_BY_SECT, ADD_SECT/CLEAN_SECT), showing CRC_BUSY for
 * SIM_H7_CRC_WORD_NS per flash word and then CRCEND. The CRC is CRC-32 with the Ethernet
 * polynomial, MSB first, over each 32-bit little-endian word's bytes from the most significant,
 * starting from 0xB6C0AE5A (RM0433 leaves both undocumented; decision 0804). Protected areas
 * (PCROP, secure) are not modelled, so CRCRDERR never sets.
 *
 * Injected programming errors map to: pgaerr -> INCERR, wrperr -> WRPERR, progerr -> OPERR,
 * sizerr -> STRBERR, pgserr -> PGSERR. sim_flash_stm32h7_inject_ecc() arms ECC read errors.
 *
 * The family also maps the DBGMCU at 0x5C001000 (IDCODE there, as OpenOCD's stm32h7x reads it)
 * and the SWO funnel registers after it (stm32h7x.cfg's examine-end writes SWTF_CTRL).
 */
#include <stdlib.h>
#include <string.h>

#include "flash_stm32_common.h"
#include "sim/flash_families.h"

#define ACR 0x00u
#define KEYR 0x04u
#define OPTKEYR 0x08u
#define CR 0x0Cu
#define SR 0x10u
#define CCR 0x14u
#define OPTCR 0x18u
#define OPTSR_CUR 0x1Cu
#define OPTSR_PRG 0x20u
#define PRAR_CUR 0x28u
#define SCAR_CUR 0x30u
#define WPSN_CUR 0x38u
#define WPSN_PRG 0x3Cu
#define BOOT_CUR 0x40u
#define CRCCR 0x50u
#define CRCSADD 0x54u
#define CRCEADD 0x58u
#define CRCDATA 0x5Cu
#define ECC_FA 0x60u
#define BANK_REG_STRIDE 0x100u

#define SR_BSY (1u << 0)
#define SR_WBNE (1u << 1)
#define SR_QW (1u << 2)
#define SR_CRC_BUSY (1u << 3)
#define SR_EOP (1u << 16)
#define SR_WRPERR (1u << 17)
#define SR_PGSERR (1u << 18)
#define SR_STRBERR (1u << 19)
#define SR_INCERR (1u << 21)
#define SR_OPERR (1u << 22)
#define SR_RDPERR (1u << 23)
#define SR_RDSERR (1u << 24)
#define SR_SNECCERR (1u << 25)
#define SR_DBECCERR (1u << 26)
#define SR_CRCEND (1u << 27)
#define SR_CRCRDERR (1u << 28)
#define SR_CLEARABLE 0x1FEF0000u
#define SR_PROG_ERRORS (SR_WRPERR | SR_PGSERR | SR_STRBERR | SR_INCERR | SR_OPERR)

#define CR_LOCK (1u << 0)
#define CR_PG (1u << 1)
#define CR_SER (1u << 2)
#define CR_BER (1u << 3)
#define CR_PSIZE_MASK (3u << 4)
#define CR_FW (1u << 6)
#define CR_START (1u << 7)
#define CR_SNB_SHIFT 8
#define CR_SNB_MASK (7u << CR_SNB_SHIFT)
#define CR_CRC_EN (1u << 15)
#define CR_IE_MASK 0x1FEF0000u
#define CR_WRITABLE (CR_PG | CR_SER | CR_BER | CR_PSIZE_MASK | CR_SNB_MASK | CR_CRC_EN | CR_IE_MASK)

#define OPTCR_OPTLOCK (1u << 0)

#define CRCCR_SECT_MASK 7u
#define CRCCR_BY_SECT (1u << 8)
#define CRCCR_ADD_SECT (1u << 9)
#define CRCCR_CLEAN_SECT (1u << 10)
#define CRCCR_START (1u << 16)
#define CRCCR_CLEAN (1u << 17)
#define CRCCR_BURST_SHIFT 20
#define CRCCR_ALL_BANK (1u << 22)
#define CRCCR_KEPT (CRCCR_SECT_MASK | CRCCR_BY_SECT | (3u << CRCCR_BURST_SHIFT) | CRCCR_ALL_BANK)
#define CRC_INIT 0xB6C0AE5Au

#define WORD_BYTES 32u
#define SECTOR_BYTES (128u * 1024u)
#define BANK_SPAN (1024u * 1024u) /* bank 2 always starts 1 MiB above bank 1 */

/* DBGMCU at 0x5C001000 and, 0x3000 above it, the SWO trace funnel: plain registers here. */
#define DBGMCU_BASE 0x5C001000u
#define DBGMCU_SIZE 0x4000u

struct h7_bank {
    uint32_t cr, sr, wpsn, ecc_fa;
    enum stm32_keys keys;
    uint8_t wb[WORD_BYTES];
    uint32_t wb_mask; /* bytes of the write buffer already written */
    uint32_t wb_off;  /* array offset of the flash word being collected */
    uint32_t crccr, crcsadd, crceadd;
    uint32_t crc_sectors; /* CRC_BY_SECT list, one bit per sector */
};

struct h7_state {
    struct sim_flash *fl;
    struct h7_bank bank[2];
    uint32_t nbanks;
    uint32_t acr, optcr, optsr;
    enum stm32_keys optkeys;
    int ecc_armed, ecc_double;
    uint32_t ecc_off;
    uint32_t dbgmcu[DBGMCU_SIZE / 4];
    uint32_t crcdata;
    uint64_t crc_until_ns; /* CRC_BUSY reads 1 until the virtual clock reaches this */
};

static struct h7_state *st(struct sim_flash *fl) { return fl->family_state; }

/* Array offset → bank index; -1 in the gap above a bank smaller than 1 MiB. */
static int bank_of(const struct sim_flash *fl, uint32_t off)
{
    const struct h7_state *s = fl->family_state;
    uint32_t bank_size = fl->size / s->nbanks;
    uint32_t b = off / BANK_SPAN;
    if (b >= s->nbanks || off % BANK_SPAN >= bank_size)
        return -1;
    return (int)b;
}

static int sector_protected(const struct h7_bank *b, uint32_t sector)
{
    return !((b->wpsn >> sector) & 1u);
}

/* ----- DBGMCU and the ECC-checking view of the array ----- */

static int dbgmcu_read(void *ctx, uint32_t off, unsigned size, uint32_t *val)
{
    struct h7_state *s = ctx;
    uint32_t w = off < 4 ? s->fl->target->chip->dbgmcu_idcode : s->dbgmcu[off / 4];
    *val = stm32_lanes(w, off, size);
    return 0;
}

static int dbgmcu_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
    struct h7_state *s = ctx;
    if (size == 4 && off >= 4)
        s->dbgmcu[off / 4] = val;
    return 0;
}
static const struct sim_region_ops dbgmcu_ops = {dbgmcu_read, dbgmcu_write};

static int checked_array_read(void *ctx, uint32_t off, unsigned size, uint32_t *val)
{
    struct h7_state *s = ctx;
    struct sim_flash *fl = s->fl;
    int b = bank_of(fl, off);
    if (b < 0)
        return -1;
    if (s->ecc_armed && off / WORD_BYTES == s->ecc_off / WORD_BYTES) {
        s->ecc_armed = 0;
        struct h7_bank *bk = &s->bank[b];
        bk->ecc_fa = (off % BANK_SPAN) / WORD_BYTES;
        bk->sr |= s->ecc_double ? SR_DBECCERR : SR_SNECCERR;
        if (s->ecc_double)
            return -1;
    }
    return sim_flash_array_ops.read(fl, off, size, val);
}

static int checked_array_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
    struct h7_state *s = ctx;
    if (bank_of(s->fl, off) < 0)
        return -1;
    return sim_flash_array_ops.write(s->fl, off, size, val);
}
static const struct sim_region_ops checked_array_ops = {checked_array_read, checked_array_write};

int sim_flash_stm32h7_inject_ecc(struct sim_flash *fl, uint32_t address, int double_error)
{
    if (fl->ops != &sim_flash_stm32h7_ops || address - fl->base >= fl->size)
        return -1;
    struct h7_state *s = st(fl);
    s->ecc_armed = 1;
    s->ecc_double = double_error;
    s->ecc_off = address - fl->base;
    return 0;
}

/* ----- controller ----- */

static int h7_init(struct sim_flash *fl)
{
    struct h7_state *s = calloc(1, sizeof *s);
    if (!s)
        return -1;
    fl->family_state = s;
    s->fl = fl;
    s->nbanks = fl->size > BANK_SPAN ? 2 : 1;
    fl->page_erase_ns = SIM_H7_SECTOR_ERASE_NS;
    fl->mass_erase_ns = SIM_H7_BANK_ERASE_NS;
    fl->program_ns = SIM_H7_PROGRAM_WORD_NS;
    for (int b = 0; b < 2; b++)
        s->bank[b].wpsn = 0xFFu; /* no sector write-protected */
    s->optsr = 0x1386AAF0u;      /* RDP level 0 (0xAA), factory user options */
    fl->ops->reset(fl);
    /* Mapped before the target's generic regions, so these take precedence. */
    int rc = sim_bus_map(&fl->target->bus, "dbgmcu-h7", DBGMCU_BASE, DBGMCU_SIZE, &dbgmcu_ops, s);
    uint32_t span = s->nbanks == 2 ? BANK_SPAN + fl->size / 2 : fl->size;
    if (span > fl->size)
        span = fl->size;
    rc |= sim_bus_map(&fl->target->bus, "flash-h7", fl->base, span, &checked_array_ops, s);
    return rc;
}

static void h7_fini(struct sim_flash *fl)
{
    free(fl->family_state);
    fl->family_state = NULL;
}

static void h7_reset(struct sim_flash *fl)
{
    struct h7_state *s = st(fl);
    sim_flash_stall(fl);
    s->acr = 0x00000037u;
    s->optcr = OPTCR_OPTLOCK;
    s->optkeys = STM32_KEYS_IDLE;
    for (int i = 0; i < 2; i++) {
        struct h7_bank *b = &s->bank[i];
        b->cr = CR_LOCK | CR_PSIZE_MASK;
        b->sr = 0;
        b->keys = STM32_KEYS_IDLE;
        b->wb_mask = 0;
        b->ecc_fa = 0;
        b->crccr = b->crcsadd = b->crceadd = b->crc_sectors = 0;
    }
    s->crcdata = 0;
    s->crc_until_ns = 0;
}

static const struct stm32_err_flags injected_flags = {
    .pgaerr = SR_INCERR, .wrperr = SR_WRPERR, .progerr = SR_OPERR, .sizerr = SR_STRBERR, .pgserr = SR_PGSERR,
};

/* Program the collected flash word (all of it, or the written bytes when forced). */
static void commit_word(struct sim_flash *fl, struct h7_bank *b)
{
    uint32_t off = b->wb_off, err = stm32_injected_flag(fl, off, WORD_BYTES, &injected_flags);
    uint32_t sector = (off % BANK_SPAN) / SECTOR_BYTES;
    int zeros = 1;
    for (uint32_t i = 0; i < WORD_BYTES; i++)
        if ((b->wb_mask >> i) & 1u)
            zeros &= b->wb[i] == 0;
    if (!err && sector_protected(b, sector))
        err = SR_WRPERR;
    if (!err && !stm32_erased(fl, off, WORD_BYTES) && !zeros)
        err = SR_OPERR;
    if (err) {
        b->sr |= err;
    } else {
        for (uint32_t i = 0; i < WORD_BYTES; i++)
            if ((b->wb_mask >> i) & 1u)
                fl->array[off + i] = b->wb[i];
        stm32_program_started(fl);
        b->sr |= SR_EOP;
    }
    b->wb_mask = 0;
}

static void start_erase(struct sim_flash *fl, int bank)
{
    struct h7_state *s = st(fl);
    struct h7_bank *b = &s->bank[bank];
    uint32_t ops = b->cr & (CR_PG | CR_SER | CR_BER);
    uint32_t bank_size = fl->size / s->nbanks, base = (uint32_t)bank * BANK_SPAN;
    if ((b->sr & SR_PROG_ERRORS) || (ops != CR_SER && ops != CR_BER) || b->wb_mask) {
        b->sr |= SR_PGSERR;
        return;
    }
    if (ops == CR_SER) {
        uint32_t snb = (b->cr & CR_SNB_MASK) >> CR_SNB_SHIFT;
        if ((snb + 1) * SECTOR_BYTES > bank_size) {
            b->sr |= SR_PGSERR;
            return;
        }
        if (sector_protected(b, snb)) {
            b->sr |= SR_WRPERR;
            return;
        }
        memset(fl->array + base + snb * SECTOR_BYTES, 0xFF, SECTOR_BYTES);
        fl->target->stats.page_erases++;
        sim_flash_start_op(fl, fl->page_erase_ns);
    } else {
        if ((b->wpsn & 0xFFu) != 0xFFu) {
            b->sr |= SR_WRPERR;
            return;
        }
        memset(fl->array + base, 0xFF, bank_size);
        fl->target->stats.mass_erases++;
        sim_flash_start_op(fl, fl->mass_erase_ns);
    }
    b->sr |= SR_EOP;
}

/* ----- CRC unit ----- */

static uint32_t crc_bytes(uint32_t crc, const uint8_t *p, uint32_t n)
{
    for (uint32_t w = 0; w + 4 <= n; w += 4)
        for (int i = 3; i >= 0; i--) {
            crc ^= (uint32_t)p[w + (uint32_t)i] << 24;
            for (int k = 0; k < 8; k++)
                crc = (crc << 1) ^ ((crc >> 31) ? 0x04C11DB7u : 0u);
        }
    return crc;
}

/* Fold [first, end) of bank `bank` (offsets inside the bank) into the result. */
static uint32_t crc_span(struct sim_flash *fl, int bank, uint32_t first, uint32_t end, uint32_t crc,
                         uint64_t *words)
{
    crc = crc_bytes(crc, fl->array + (uint32_t)bank * BANK_SPAN + first, end - first);
    *words += (end - first) / WORD_BYTES;
    return crc;
}

static void start_crc(struct sim_flash *fl, int bank)
{
    struct h7_state *s = st(fl);
    struct h7_bank *b = &s->bank[bank];
    uint32_t bank_size = fl->size / s->nbanks;
    uint32_t burst = 4u * WORD_BYTES << (2u * ((b->crccr >> CRCCR_BURST_SHIFT) & 3u));
    uint64_t words = 0;
    uint32_t crc = s->crcdata;
    sim_flash_stall(fl);
    if (b->crccr & CRCCR_ALL_BANK) {
        crc = crc_span(fl, bank, 0, bank_size, crc, &words);
    } else if (b->crccr & CRCCR_BY_SECT) {
        for (uint32_t sec = 0; sec < bank_size / SECTOR_BYTES; sec++)
            if ((b->crc_sectors >> sec) & 1u)
                crc = crc_span(fl, bank, sec * SECTOR_BYTES, (sec + 1) * SECTOR_BYTES, crc, &words);
    } else {
        uint32_t first = (b->crcsadd & 0x000FFFFCu) / burst * burst;
        uint32_t end = ((b->crceadd & 0x000FFFFCu) / burst + 1) * burst;
        if (end > bank_size)
            end = bank_size;
        if (first < end)
            crc = crc_span(fl, bank, first, end, crc, &words);
    }
    s->crcdata = crc;
    s->crc_until_ns = fl->target->clock.now_ns + words * SIM_H7_CRC_WORD_NS;
    b->sr |= SR_CRCEND;
}

static void crccr_write(struct sim_flash *fl, int bank, uint32_t v)
{
    struct h7_state *s = st(fl);
    struct h7_bank *b = &s->bank[bank];
    if (!(b->cr & CR_CRC_EN) || (b->cr & CR_LOCK))
        return;
    b->crccr = v & CRCCR_KEPT;
    if (v & CRCCR_CLEAN_SECT)
        b->crc_sectors = 0;
    if (v & CRCCR_ADD_SECT)
        b->crc_sectors |= 1u << (v & CRCCR_SECT_MASK);
    if (v & CRCCR_CLEAN)
        s->crcdata = CRC_INIT;
    if (v & CRCCR_START)
        start_crc(fl, bank);
}

static int h7_reg_read(struct sim_flash *fl, uint32_t off, unsigned size, uint32_t *val)
{
    struct h7_state *s = st(fl);
    uint32_t bank = off / BANK_REG_STRIDE, reg = (off % BANK_REG_STRIDE) & ~3u, v = 0;
    if (bank >= 2)
        return -1;
    struct h7_bank *b = &s->bank[bank];
    int busy = sim_flash_busy(fl);
    switch (reg) {
    case ACR: v = s->acr; break;
    case CR: v = b->cr; break;
    case SR:
        v = b->sr | (b->wb_mask ? SR_WBNE : 0) | (busy ? SR_BSY | SR_QW : 0);
        if (busy)
            v &= ~SR_EOP; /* EOP shows once the operation has finished */
        if (fl->target->clock.now_ns < s->crc_until_ns)
            v = (v | SR_CRC_BUSY) & ~SR_CRCEND;
        break;
    case CRCCR: v = b->crccr; break;
    case CRCSADD: v = b->crcsadd; break;
    case CRCEADD: v = b->crceadd; break;
    case CRCDATA: v = fl->target->clock.now_ns < s->crc_until_ns ? 0 : s->crcdata; break;
    case OPTCR: v = s->optcr; break;
    case OPTSR_CUR: case OPTSR_PRG: v = s->optsr; break;
    case PRAR_CUR: case PRAR_CUR + 4: case SCAR_CUR: case SCAR_CUR + 4: v = 0x000000FFu; break;
    case WPSN_CUR: case WPSN_PRG: v = b->wpsn; break;
    case BOOT_CUR: v = 0x1FF00800u; break;
    case ECC_FA: v = b->ecc_fa; break;
    default: v = 0; break;
    }
    *val = stm32_lanes(v, off, size);
    return 0;
}

static int h7_reg_write(struct sim_flash *fl, uint32_t off, unsigned size, uint32_t v)
{
    struct h7_state *s = st(fl);
    uint32_t bank = off / BANK_REG_STRIDE, reg = off % BANK_REG_STRIDE;
    if (size != 4 || bank >= 2)
        return -1;
    struct h7_bank *b = &s->bank[bank];
    switch (reg) {
    case ACR:
        s->acr = v & 0x3Fu;
        return 0;
    case KEYR:
        return stm32_key_write(&b->keys, v, STM32_KEY1, STM32_KEY2, &b->cr, CR_LOCK,
                               (b->cr & CR_LOCK) != 0);
    case OPTKEYR:
        return stm32_key_write(&s->optkeys, v, STM32_OPTKEY1, STM32_OPTKEY2, &s->optcr,
                               OPTCR_OPTLOCK, (s->optcr & OPTCR_OPTLOCK) != 0);
    case CCR:
        b->sr &= ~(v & SR_CLEARABLE);
        return 0;
    case CRCCR:
        crccr_write(fl, (int)bank, v);
        return 0;
    case CRCSADD:
        if (b->cr & CR_CRC_EN)
            b->crcsadd = v;
        return 0;
    case CRCEADD:
        if (b->cr & CR_CRC_EN)
            b->crceadd = v;
        return 0;
    case OPTCR:
        if (!(s->optcr & OPTCR_OPTLOCK) && (v & OPTCR_OPTLOCK))
            s->optcr |= OPTCR_OPTLOCK; /* option programming is not modelled */
        return 0;
    case CR:
        if (b->cr & CR_LOCK)
            return 0;
        if (v & CR_LOCK) {
            b->cr |= CR_LOCK;
            return 0;
        }
        if (sim_flash_busy(fl))
            sim_flash_stall(fl);
        b->cr = (b->cr & CR_LOCK) | (v & CR_WRITABLE);
        if ((v & CR_FW) && b->wb_mask)
            commit_word(fl, b);
        if (v & CR_START)
            start_erase(fl, (int)bank);
        return 0;
    default:
        return 0;
    }
}

static int h7_array_write(struct sim_flash *fl, uint32_t off, unsigned size, uint32_t v)
{
    struct h7_state *s = st(fl);
    int bank = bank_of(fl, off);
    if (bank < 0)
        return -1;
    struct h7_bank *b = &s->bank[bank];
    if (!(b->cr & CR_PG) || (b->cr & CR_LOCK) || (b->sr & SR_PROG_ERRORS)) {
        b->sr |= SR_PGSERR;
        b->wb_mask = 0;
        return 0;
    }
    uint32_t word = off & ~(WORD_BYTES - 1), pos = off - word;
    if (b->wb_mask && word != b->wb_off) {
        b->sr |= SR_INCERR;
        b->wb_mask = 0;
        return 0;
    }
    uint32_t lanes = ((1u << size) - 1) << pos;
    if (b->wb_mask & lanes) {
        b->sr |= SR_STRBERR;
        b->wb_mask = 0;
        return 0;
    }
    b->wb_off = word;
    b->wb_mask |= lanes;
    sim_le_put(b->wb + pos, size, v);
    if (b->wb_mask == 0xFFFFFFFFu)
        commit_word(fl, b);
    return 0;
}

/* Sectors are numbered across the banks: 0-7 bank 1, 8-15 bank 2. */
static int h7_protect(struct sim_flash *fl, uint32_t first, uint32_t last)
{
    struct h7_state *s = st(fl);
    uint32_t per_bank = fl->size / s->nbanks / SECTOR_BYTES;
    if (first > last || last >= per_bank * s->nbanks)
        return -1;
    for (uint32_t i = first; i <= last; i++)
        s->bank[i / per_bank].wpsn &= ~(1u << (i % per_bank));
    return 0;
}

const struct sim_flash_ops sim_flash_stm32h7_ops = {
    .family = "stm32h7",
    .regs_size = 0x200,
    .init = h7_init,
    .fini = h7_fini,
    .reset = h7_reset,
    .reg_read = h7_reg_read,
    .reg_write = h7_reg_write,
    .array_write = h7_array_write,
    .protect = h7_protect,
};
