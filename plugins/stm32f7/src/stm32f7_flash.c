/* STM32F7 flash controller (RM0385 §3.3, RM0410 §3.3): unlock, SNB sector erase, mass erase and
 * x32 word programming. */
#include "stm32f7.h"

#include "stm32_common.h"
#include "stm32_runs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REGS 0x40023C00u
#define KEYR (REGS + 0x04u)
#define SR (REGS + 0x0Cu)
#define CR (REGS + 0x10u)
#define OPTCR (REGS + 0x14u)

#define CR_PG (1u << 0)
#define CR_SER (1u << 1)
#define CR_MER (1u << 2)
#define CR_SNB_SHIFT 3
#define CR_PSIZE_X32 (2u << 8)
#define CR_MER2 (1u << 15)
#define CR_STRT (1u << 16)
#define CR_LOCK (1u << 31)

#define SR_EOP (1u << 0)
#define SR_BSY (1u << 16)
#define SR_ERRORS 0x1F2u
#define OPTCR_NWRP_SHIFT 16
#define OPTCR_NDBANK (1u << 29)
#define BANK2_SNB 0x10u

#define MAX_SECTORS 24
#define ERASE_TIMEOUT_US 10000000u       /* 256 KiB sector: 4 s max (DS10916) */
#define MASS_ERASE_TIMEOUT_US 64000000u  /* 2 MiB, two banks: 32 s max */
#define PROGRAM_TIMEOUT_US 1000000u

static const struct stm32_flag sr_flags[] = {
    {1u << 1, "OPERR"},  {1u << 4, "WRPERR"}, {1u << 5, "PGAERR"},
    {1u << 6, "PGPERR"}, {1u << 7, "ERSERR"}, {1u << 8, "RDERR"},
};

struct f7_sector {
    uint32_t start, size;
    uint32_t snb; /* value of CR.SNB that selects it */
    uint32_t wrp_bit;
};

struct f7_flash {
    struct stm32_io io;
    struct espctl_target_mem mem;
    const struct espctl_chip_desc *chip;
    uint64_t size;
    int dual_bank;
    uint32_t optcr;
    uint32_t count;
    struct f7_sector sectors[MAX_SECTORS];
    int pg_on;
    struct f7_dma_crc crc;
};

static const struct stm32_ctrl ctrl = {SR, CR, SR_BSY, SR_ERRORS, SR_EOP, sr_flags,
                                       sizeof sr_flags / sizeof sr_flags[0]};

/* Error reports reset FLASH_CR, so PG is off afterwards. */
static int report_errors(struct f7_flash *f, const char *stage, const char *where, uint32_t sr)
{
    f->pg_on = 0;
    return stm32_report_flags(&f->io, &ctrl, stage, where, sr);
}

static int report_at(struct f7_flash *f, const char *stage, uint64_t address, uint32_t sr)
{
    f->pg_on = 0;
    return stm32_report_flags_at(&f->io, &ctrl, stage, address, sr);
}

static int wait_done(struct f7_flash *f, const char *stage, uint64_t address, uint64_t timeout_us)
{
    int cleared = 0;
    int rc = stm32_wait_checked(&f->io, &ctrl, stage, address, timeout_us, &cleared);
    if (cleared)
        f->pg_on = 0;
    return rc;
}

/* A run set an error flag: name the first word that does not hold its data, or the whole run
 * when the read-back cannot tell. */
static int report_failed_run(struct f7_flash *f, uint64_t address, const uint8_t *data,
                             uint32_t length, uint32_t sr)
{
    uint64_t bad = stm32_run_failed_unit(&f->mem, address, data, length, 4);
    if (bad)
        return report_at(f, "program", bad, sr);
    char where[64];
    snprintf(where, sizeof where, "in the %u bytes at 0x%08llx", length,
             (unsigned long long)address);
    return report_errors(f, "program", where, sr);
}

/* One bank of `bytes` starting at `base`: 4 x u, 1 x 4u, then 8u sectors. */
static void add_bank(struct f7_flash *f, uint32_t base, uint32_t bytes, uint32_t unit,
                     uint32_t snb_base)
{
    uint32_t off = 0;
    for (uint32_t i = 0; off < bytes && f->count < MAX_SECTORS; i++) {
        uint32_t size = i < 4 ? unit : i == 4 ? 4 * unit : 8 * unit;
        f->sectors[f->count++] = (struct f7_sector){base + off, size, snb_base + i, i};
        off += size;
    }
}

/* Size register, then SR, CR and OPTCR in one transfer. */
static int read_layout(struct f7_flash *f, uint32_t *sr, uint32_t *cr)
{
    uint32_t dev = f->chip->device_id;
    uint32_t regs[3];
    int rc = stm32_flash_size(&f->io, f7_flash_size_reg(dev), f7_max_flash(dev),
                              f->chip->flash_size, &f->size);
    if (rc == 0)
        rc = stm32_rd_regs(&f->io, SR, 3, regs);
    if (rc)
        return rc;
    *sr = regs[0];
    *cr = regs[1];
    f->optcr = regs[2];
    f->dual_bank = dev == F7_DEV_F76X_F77X && !(f->optcr & OPTCR_NDBANK);
    uint32_t size = (uint32_t)f->size;
    if (f->dual_bank) {
        add_bank(f, F7_FLASH_BASE, size / 2, 16u * 1024u, 0);
        add_bank(f, F7_FLASH_BASE + size / 2, size / 2, 16u * 1024u, BANK2_SNB);
    } else {
        add_bank(f, F7_FLASH_BASE, size, dev == F7_DEV_F72X_F73X ? 16u * 1024u : 32u * 1024u, 0);
    }
    return 0;
}

int f7_flash_open(void *family_data, const struct espctl_chip_desc *chip,
                  const struct espctl_target_mem *mem, void **flash,
                  struct espctl_flash_geometry *geometry)
{
    struct f7_family *fam = family_data;
    struct f7_flash *f = calloc(1, sizeof *f);
    if (!f)
        return stm32_error(fam->host, ESPCTL_E_NOMEM, "stm32f7: out of memory");
    f->mem = *mem;
    f->io = (struct stm32_io){fam->host, &f->mem};
    f->chip = chip;
    uint32_t sr = 0, cr = 0;
    int rc = read_layout(f, &sr, &cr);
    if (rc == 0)
        rc = stm32_ctrl_ready(&f->io, &ctrl, KEYR, CR_LOCK, sr, cr, ERASE_TIMEOUT_US, F7_FLASH_BASE,
                              "the STM32F7 flash controller");
    if (rc) {
        free(f);
        return rc;
    }
    *geometry = (struct espctl_flash_geometry){
        .hdr = ESPCTL_ABI_HDR(struct espctl_flash_geometry),
        .base = F7_FLASH_BASE,
        .size = f->size,
        .write_unit = 4,
        .erased_value = 0xFF,
        .bank_count = f->dual_bank ? 2 : 1,
        .check_unit = 4,
    };
    *flash = f;
    return 0;
}

static const struct f7_sector *sector_of(const struct f7_flash *f, uint64_t address)
{
    for (uint32_t i = 0; i < f->count; i++)
        if (address >= f->sectors[i].start && address - f->sectors[i].start < f->sectors[i].size)
            return &f->sectors[i];
    return NULL;
}

static int check_writable(const struct f7_flash *f, const char *stage, const struct f7_sector *s)
{
    if ((f->optcr >> (OPTCR_NWRP_SHIFT + s->wrp_bit)) & 1u)
        return 0;
    return stm32_error(f->io.host, ESPCTL_E_TARGET,
                       "%s: sector %u at 0x%08x is write-protected (FLASH_OPTCR nWRP%u=0, "
                       "OPTCR=0x%08x); remove the protection in the option bytes first",
                       stage, (unsigned)(s - f->sectors), s->start, s->wrp_bit, f->optcr);
}

int f7_sector_at(void *flash, uint64_t address, uint64_t *start, uint64_t *size)
{
    struct f7_flash *f = flash;
    const struct f7_sector *s = sector_of(f, address);
    if (!s)
        return stm32_error(f->io.host, ESPCTL_E_INVAL, "flash: 0x%08llx is not in %s flash",
                           (unsigned long long)address, f->chip->name);
    *start = s->start;
    *size = s->size;
    return 0;
}

int f7_erase_sector(void *flash, uint64_t start)
{
    struct f7_flash *f = flash;
    const struct f7_sector *s = sector_of(f, start);
    if (!s || s->start != start)
        return stm32_error(f->io.host, ESPCTL_E_INVAL,
                           "erase: 0x%08llx is not the start of a sector of %s",
                           (unsigned long long)start, f->chip->name);
    int rc = check_writable(f, "erase", s);
    if (rc)
        return rc;
    f->pg_on = 0;
    rc = stm32_wr(&f->io, CR, CR_SER | CR_PSIZE_X32 | (s->snb << CR_SNB_SHIFT) | CR_STRT);
    if (rc == 0)
        rc = f7_dma_crc_prepare(&f->io, &f->crc); /* free while the sector erases */
    return rc ? rc : wait_done(f, "erase", start, ERASE_TIMEOUT_US);
}

int f7_mass_erase(void *flash)
{
    struct f7_flash *f = flash;
    for (uint32_t i = 0; i < f->count; i++) {
        int rc = check_writable(f, "mass erase", &f->sectors[i]);
        if (rc)
            return rc;
    }
    f->pg_on = 0;
    uint32_t cr = CR_MER | CR_PSIZE_X32 | CR_STRT | (f->dual_bank ? CR_MER2 : 0);
    int rc = stm32_wr(&f->io, CR, cr);
    if (rc == 0)
        rc = f7_dma_crc_prepare(&f->io, &f->crc);
    return rc ? rc : wait_done(f, "mass erase", F7_FLASH_BASE, MASS_ERASE_TIMEOUT_US);
}

/* Program words from `data`; a short tail is padded with the erased value. */
int f7_program(void *flash, uint64_t address, const uint8_t *data, uint64_t length)
{
    struct f7_flash *f = flash;
    if (length == 0)
        return 0;
    const struct f7_sector *first = sector_of(f, address);
    const struct f7_sector *last = sector_of(f, address + length - 1);
    if ((address & 3u) || !first || !last)
        return stm32_error(f->io.host, ESPCTL_E_INVAL,
                           "program: %llu bytes at 0x%08llx do not fit %s flash "
                           "(0x%08x..0x%08llx, word aligned)",
                           (unsigned long long)length, (unsigned long long)address,
                           f->chip->name, F7_FLASH_BASE,
                           (unsigned long long)(F7_FLASH_BASE + f->size - 1));
    int rc = 0;
    for (const struct f7_sector *s = first; rc == 0 && s <= last; s++)
        rc = check_writable(f, "program", s);
    if (rc == 0 && !f->pg_on) {
        rc = stm32_wr(&f->io, CR, CR_PG | CR_PSIZE_X32);
        f->pg_on = rc == 0;
    }
    /* Runs of 32-bit writes: each stalls on the bus while the previous word programs, and an
     * error flag stays set until cleared, so one SR read per run catches a failure anywhere in
     * it; the read-back then names the word. */
    for (uint64_t done = 0; rc == 0 && done < length;) {
        uint32_t n = length - done < STM32_RUN_MAX ? (uint32_t)(length - done) : STM32_RUN_MAX;
        uint32_t sr = 0;
        rc = stm32_run_write(&f->mem, address + done, data + done, n, 4);
        if (rc == 0)
            rc = stm32_wait_idle(&f->io, SR, SR_BSY, PROGRAM_TIMEOUT_US, "program", address + done,
                                 &sr);
        if (rc == 0 && (sr & SR_ERRORS))
            rc = report_failed_run(f, address + done, data + done, n, sr);
        done += n;
    }
    return rc;
}

int f7_check(void *flash, uint64_t address, const uint8_t *expected, uint64_t length,
             uint64_t *checked, int *same)
{
    struct f7_flash *f = flash;
    if (!sector_of(f, address) || length > f->size || address + length > F7_FLASH_BASE + f->size)
        return stm32_error(f->io.host, ESPCTL_E_INVAL,
                           "check: %llu bytes at 0x%08llx do not fit %s flash",
                           (unsigned long long)length, (unsigned long long)address, f->chip->name);
    return f7_dma_crc_check(&f->io, &f->crc, address, expected, length, checked, same);
}

void f7_flash_close(void *flash)
{
    struct f7_flash *f = flash;
    if (!f)
        return;
    (void)stm32_wr(&f->io, CR, CR_LOCK);
    (void)f7_dma_crc_restore(&f->io, &f->crc);
    free(f);
}
