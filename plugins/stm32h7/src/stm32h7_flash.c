/* STM32H7 flash controller (RM0433 §4.3): per-bank unlock, sector and bank erase, 256-bit
 * flash-word programming with a forced write (FW) for a partial last word, error and ECC flags. */
#include "stm32h7.h"

#include "stm32_common.h"
#include "stm32_runs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REGS 0x52002000u
#define BANK_STRIDE 0x100u
#define KEYR 0x04u
#define CR 0x0Cu
#define SR 0x10u
#define CCR 0x14u
#define WPSN_CUR 0x38u
#define CRCCR 0x50u
#define CRCDATA 0x5Cu /* one result register, in bank 1's block, for both banks */
#define ECC_FA 0x60u

#define CR_LOCK (1u << 0)
#define CR_PG (1u << 1)
#define CR_SER (1u << 2)
#define CR_BER (1u << 3)
#define CR_PSIZE_X64 (3u << 4)
#define CR_FW (1u << 6)
#define CR_START (1u << 7)
#define CR_SNB_SHIFT 8
#define CR_CRC_EN (1u << 15)

#define CRCCR_START_CRC (1u << 16)
#define CRCCR_CLEAN_CRC (1u << 17)
#define CRCCR_BURST_4 (0u << 20)

#define SR_BSY (1u << 0)
#define SR_QW (1u << 2)
#define SR_CRC_BUSY (1u << 3)
#define SR_EOP (1u << 16)
#define SR_SNECCERR (1u << 25)
#define SR_DBECCERR (1u << 26)
#define SR_CRCRDERR (1u << 28)
#define SR_ERRORS 0x17EE0000u
#define SR_CLEARABLE 0x1FEF0000u

#define ERASE_TIMEOUT_US 8000000u       /* 128 KiB sector: 4 s max (DS12110) */
#define BANK_ERASE_TIMEOUT_US 40000000u /* bank erase: 16 s max at x8 */
#define PROGRAM_TIMEOUT_US 1000000u
#define CRC_TIMEOUT_US 1000000u /* a whole 1 MiB bank at the reset clock takes a few ms */

static const struct stm32_flag sr_flags[] = {
    {1u << 17, "WRPERR"},    {1u << 18, "PGSERR"},    {1u << 19, "STRBERR"},
    {1u << 21, "INCERR"},    {1u << 22, "OPERR"},     {1u << 23, "RDPERR"},
    {1u << 24, "RDSERR"},    {1u << 25, "SNECCERR1"}, {1u << 26, "DBECCERR1"},
    {1u << 28, "CRCRDERR1"},
};

struct h7_flash {
    struct stm32_io io;
    struct espctl_target_mem mem;
    const struct espctl_chip_desc *chip;
    uint64_t size;
    uint32_t banks;
    uint32_t bank_size;
    uint32_t wpsn[2];
    int pg_on[2];
};

static uint32_t reg(uint32_t bank, uint32_t off)
{
    return REGS + bank * BANK_STRIDE + off;
}

static uint32_t bank_base(uint32_t bank)
{
    return bank ? H7_BANK2_BASE : H7_FLASH_BASE;
}

/* Bank and offset of `address`; -1 outside the flash, -2 in the gap above a short bank 1. */
static int locate(const struct h7_flash *f, uint64_t address, uint32_t *bank, uint32_t *off)
{
    for (uint32_t b = 0; b < f->banks; b++)
        if (address >= bank_base(b) && address - bank_base(b) < f->bank_size) {
            *bank = b;
            *off = (uint32_t)(address - bank_base(b));
            return 0;
        }
    if (f->banks == 2 && address >= H7_FLASH_BASE + f->bank_size && address < H7_BANK2_BASE)
        return -2;
    return -1;
}

static int bad_address(const struct h7_flash *f, const char *stage, uint64_t address, int why)
{
    if (why == -2)
        return stm32_error(f->io.host, ESPCTL_E_INVAL,
                           "%s: 0x%08llx is in the gap between flash bank 1 (0x%08x..0x%08x) and "
                           "bank 2 (0x%08x..0x%08x) of %s",
                           stage, (unsigned long long)address, H7_FLASH_BASE,
                           H7_FLASH_BASE + f->bank_size - 1, H7_BANK2_BASE,
                           H7_BANK2_BASE + f->bank_size - 1, f->chip->name);
    return stm32_error(f->io.host, ESPCTL_E_INVAL, "%s: 0x%08llx is not in %s flash", stage,
                       (unsigned long long)address, f->chip->name);
}

/* Turn the error flags in `sr` into ESPCTL_E_TARGET naming them, the stage and `where` (plus the
 * flash word of an ECC error); the flags are cleared (CCR) and CR reset so the next operation
 * starts clean. */
static int report_errors(struct h7_flash *f, uint32_t bank, const char *stage, const char *where,
                         uint32_t sr)
{
    char names[128], ecc[64] = "";
    stm32_flag_names(sr, sr_flags, sizeof sr_flags / sizeof sr_flags[0], names, sizeof names);
    uint32_t fa = 0;
    if ((sr & (SR_SNECCERR | SR_DBECCERR)) && stm32_rd(&f->io, reg(bank, ECC_FA), &fa) == 0)
        snprintf(ecc, sizeof ecc, ", ECC failure at flash word 0x%08x",
                 bank_base(bank) + (fa & 0x7FFFu) * H7_WORD);
    (void)stm32_wr(&f->io, reg(bank, CCR), sr & SR_CLEARABLE);
    (void)stm32_wr(&f->io, reg(bank, CR), CR_PSIZE_X64);
    f->pg_on[bank] = 0;
    return stm32_error(f->io.host, ESPCTL_E_TARGET, "%s: %s %s (FLASH_SR%u=0x%08x%s)", stage,
                       names, where, bank + 1, sr, ecc);
}

static int report_at(struct h7_flash *f, uint32_t bank, const char *stage, uint64_t address,
                     uint32_t sr)
{
    char where[32];
    snprintf(where, sizeof where, "at 0x%08llx", (unsigned long long)address);
    return report_errors(f, bank, stage, where, sr);
}

static int wait_done(struct h7_flash *f, uint32_t bank, const char *stage, uint64_t address,
                     uint64_t timeout_us)
{
    uint32_t sr = 0;
    int rc = stm32_wait_idle(&f->io, reg(bank, SR), SR_BSY | SR_QW, timeout_us, stage, address,
                             &sr);
    if (rc || !(sr & SR_ERRORS))
        return rc;
    return report_at(f, bank, stage, address, sr);
}

int h7_flash_open(void *family_data, const struct espctl_chip_desc *chip,
                  const struct espctl_target_mem *mem, void **flash,
                  struct espctl_flash_geometry *geometry)
{
    struct h7_family *fam = family_data;
    struct h7_flash *f = calloc(1, sizeof *f);
    if (!f)
        return stm32_error(fam->host, ESPCTL_E_NOMEM, "stm32h7: out of memory");
    f->mem = *mem;
    f->io = (struct stm32_io){fam->host, &f->mem};
    f->chip = chip;
    int rc = stm32_flash_size(&f->io, H7_FLASH_SIZE_REG, 2048u * 1024u, chip->flash_size, &f->size);
    if (rc == 0) {
        f->banks = f->size > H7_SECTOR_SIZE ? 2 : 1;
        f->bank_size = (uint32_t)(f->size / f->banks);
    }
    for (uint32_t b = 0; rc == 0 && b < f->banks; b++) {
        uint32_t sr = 0;
        char what[48];
        snprintf(what, sizeof what, "flash bank %u", b + 1);
        rc = stm32_rd(&f->io, reg(b, WPSN_CUR), &f->wpsn[b]);
        if (rc == 0)
            rc = stm32_wait_idle(&f->io, reg(b, SR), SR_BSY | SR_QW, ERASE_TIMEOUT_US, "unlock",
                                 bank_base(b), &sr);
        if (rc == 0 && (sr & (SR_SNECCERR | SR_DBECCERR)))
            stm32_log(fam->host, ESPCTL_LOG_WARN,
                      "flash bank %u reports an earlier ECC error (FLASH_SR%u=0x%08x)", b + 1,
                      b + 1, sr);
        if (rc == 0)
            rc = stm32_unlock(&f->io, reg(b, CR), reg(b, KEYR), CR_LOCK, what);
        if (rc == 0)
            rc = stm32_wr(&f->io, reg(b, CCR), SR_CLEARABLE);
    }
    if (rc) {
        free(f);
        return rc;
    }
    *geometry = (struct espctl_flash_geometry){
        .hdr = ESPCTL_ABI_HDR(struct espctl_flash_geometry),
        .base = H7_FLASH_BASE,
        .size = (f->banks == 2 ? H7_BANK2_BASE - H7_FLASH_BASE : 0) + f->bank_size,
        .write_unit = H7_WORD,
        .erased_value = 0xFF,
        .bank_count = f->banks,
        .check_unit = H7_CRC_BURST,
    };
    *flash = f;
    return 0;
}

static int check_writable(const struct h7_flash *f, const char *stage, uint32_t bank,
                          uint32_t sector)
{
    if ((f->wpsn[bank] >> sector) & 1u)
        return 0;
    return stm32_error(f->io.host, ESPCTL_E_TARGET,
                       "%s: bank %u sector %u at 0x%08x is write-protected (FLASH_WPSN_CUR%uR="
                       "0x%08x); remove the protection in the option bytes first",
                       stage, bank + 1, sector, bank_base(bank) + sector * H7_SECTOR_SIZE,
                       bank + 1, f->wpsn[bank]);
}

int h7_sector_at(void *flash, uint64_t address, uint64_t *start, uint64_t *size)
{
    struct h7_flash *f = flash;
    uint32_t bank, off;
    int why = locate(f, address, &bank, &off);
    if (why)
        return bad_address(f, "flash", address, why);
    *start = bank_base(bank) + off / H7_SECTOR_SIZE * H7_SECTOR_SIZE;
    *size = H7_SECTOR_SIZE;
    return 0;
}

int h7_erase_sector(void *flash, uint64_t start)
{
    struct h7_flash *f = flash;
    uint32_t bank, off;
    int why = locate(f, start, &bank, &off);
    if (why)
        return bad_address(f, "erase", start, why);
    if (off % H7_SECTOR_SIZE)
        return stm32_error(f->io.host, ESPCTL_E_INVAL,
                           "erase: 0x%08llx is not the start of a sector of %s",
                           (unsigned long long)start, f->chip->name);
    uint32_t sector = off / H7_SECTOR_SIZE;
    int rc = check_writable(f, "erase", bank, sector);
    if (rc)
        return rc;
    uint32_t cr = CR_SER | CR_PSIZE_X64 | (sector << CR_SNB_SHIFT);
    f->pg_on[bank] = 0;
    rc = stm32_wr(&f->io, reg(bank, CR), cr);
    if (rc == 0)
        rc = stm32_wr(&f->io, reg(bank, CR), cr | CR_START);
    return rc ? rc : wait_done(f, bank, "erase", start, ERASE_TIMEOUT_US);
}

/* Bank erase of every bank (BER), one after the other. */
int h7_mass_erase(void *flash)
{
    struct h7_flash *f = flash;
    int rc = 0;
    for (uint32_t b = 0; rc == 0 && b < f->banks; b++)
        for (uint32_t s = 0; rc == 0 && s < f->bank_size / H7_SECTOR_SIZE; s++)
            rc = check_writable(f, "mass erase", b, s);
    for (uint32_t b = 0; rc == 0 && b < f->banks; b++) {
        f->pg_on[b] = 0;
        rc = stm32_wr(&f->io, reg(b, CR), CR_BER | CR_PSIZE_X64);
        if (rc == 0)
            rc = stm32_wr(&f->io, reg(b, CR), CR_BER | CR_PSIZE_X64 | CR_START);
        if (rc == 0)
            rc = wait_done(f, b, "mass erase", bank_base(b), BANK_ERASE_TIMEOUT_US);
    }
    return rc;
}

/* Program `n` bytes at `address` inside one bank in runs: whole flash words as one burst each
 * (a write stalls on the bus while the write queue is full); a partial last word is written as
 * far as it goes (padded to 32 bits with the erased value) and forced with FW. The error flags
 * stay set until cleared through CCR, so one SR read per run catches a failure anywhere in it;
 * after one, the read-back names the flash word that failed. */
static int program_run(struct h7_flash *f, uint32_t bank, uint64_t address, const uint8_t *data,
                       uint32_t n)
{
    int rc = 0;
    if (!f->pg_on[bank]) {
        rc = stm32_wr(&f->io, reg(bank, CR), CR_PG | CR_PSIZE_X64);
        f->pg_on[bank] = rc == 0;
    }
    for (uint32_t done = 0; rc == 0 && done < n;) {
        uint32_t len = n - done < STM32_RUN_MAX ? n - done : STM32_RUN_MAX;
        uint32_t sr = 0;
        rc = stm32_run_write(&f->mem, address + done, data + done, len, 4);
        if (rc == 0 && len % H7_WORD)
            rc = stm32_wr(&f->io, reg(bank, CR), CR_PG | CR_PSIZE_X64 | CR_FW);
        if (rc == 0)
            rc = stm32_wait_idle(&f->io, reg(bank, SR), SR_BSY | SR_QW, PROGRAM_TIMEOUT_US,
                                 "program", address + done, &sr);
        if (rc == 0 && (sr & SR_ERRORS)) {
            uint64_t bad = stm32_run_failed_unit(&f->mem, address + done, data + done, len, H7_WORD);
            if (bad)
                return report_at(f, bank, "program", bad, sr);
            char where[64];
            snprintf(where, sizeof where, "in the %u bytes at 0x%08llx", len,
                     (unsigned long long)(address + done));
            return report_errors(f, bank, "program", where, sr);
        }
        done += len;
    }
    return rc;
}

/* Program a run that may span both banks (contiguous on 2 MiB parts); the first address of
 * the run outside the flash, e.g. in the gap of a 1 MiB part, is named in the error. */
int h7_program(void *flash, uint64_t address, const uint8_t *data, uint64_t length)
{
    struct h7_flash *f = flash;
    if (address % H7_WORD)
        return stm32_error(f->io.host, ESPCTL_E_INVAL,
                           "program: 0x%08llx is not on a 32-byte flash word boundary",
                           (unsigned long long)address);
    /* Check the whole run before writing anything. */
    for (uint64_t a = address, end = address + length; a < end;) {
        uint32_t bank, off;
        int why = locate(f, a, &bank, &off);
        if (why)
            return bad_address(f, "program", a, why);
        uint64_t bank_end = (uint64_t)bank_base(bank) + f->bank_size;
        uint64_t stop = end < bank_end ? end : bank_end;
        uint32_t last = (uint32_t)((stop - 1 - bank_base(bank)) / H7_SECTOR_SIZE);
        for (uint32_t s = off / H7_SECTOR_SIZE; s <= last; s++) {
            int rc = check_writable(f, "program", bank, s);
            if (rc)
                return rc;
        }
        a = stop;
    }
    int rc = 0;
    for (uint64_t a = address, end = address + length; rc == 0 && a < end;) {
        uint32_t bank, off;
        (void)locate(f, a, &bank, &off);
        uint64_t bank_end = (uint64_t)bank_base(bank) + f->bank_size;
        uint64_t stop = end < bank_end ? end : bank_end;
        rc = program_run(f, bank, a, data + (a - address), (uint32_t)(stop - a));
        a = stop;
    }
    return rc;
}

/* Check [address, address+length) up to the end of its bank with the bank's CRC unit: enable it
 * (CRC_EN), clear the result and set the range (CRCCR, CRCSADD, CRCEADD in one transfer; the
 * end register takes the address of the last 32-bit word), start it, wait for CRC_BUSY to
 * clear, then compare CRCDATA with the CRC of `expected`. CRCRDERR (the range touches
 * protected flash) means it cannot check there. */
int h7_check(void *flash, uint64_t address, const uint8_t *expected, uint64_t length,
             uint64_t *checked, int *same)
{
    struct h7_flash *f = flash;
    uint32_t bank, off;
    *checked = 0;
    *same = 0;
    int why = locate(f, address, &bank, &off);
    if (why)
        return bad_address(f, "check", address, why);
    if (off % H7_CRC_BURST || length % H7_CRC_BURST || length == 0)
        return stm32_error(f->io.host, ESPCTL_E_INVAL,
                           "check: CRC range 0x%08llx+%llu is not in %u-byte bursts",
                           (unsigned long long)address, (unsigned long long)length, H7_CRC_BURST);
    uint64_t n = f->bank_size - off < length ? f->bank_size - off : length;
    const uint32_t range[3] = {CRCCR_CLEAN_CRC | CRCCR_BURST_4, (uint32_t)address,
                               (uint32_t)(address + n - 4)};
    f->pg_on[bank] = 0;
    int rc = stm32_wr(&f->io, reg(bank, CR), CR_PSIZE_X64 | CR_CRC_EN);
    if (rc == 0)
        rc = stm32_wr_regs(&f->io, reg(bank, CRCCR), 3, range);
    if (rc == 0)
        rc = stm32_wr(&f->io, reg(bank, CRCCR), CRCCR_BURST_4 | CRCCR_START_CRC);
    uint32_t sr = 0, crc = 0;
    if (rc == 0)
        rc = stm32_wait_idle(&f->io, reg(bank, SR), SR_CRC_BUSY, CRC_TIMEOUT_US, "check", address,
                             &sr);
    if (rc)
        return rc;
    if (sr & SR_CRCRDERR) {
        stm32_log(f->io.host, ESPCTL_LOG_DEBUG,
                  "check: bank %u CRC unit cannot read 0x%08llx+%llu (CRCRDERR)", bank + 1,
                  (unsigned long long)address, (unsigned long long)n);
        return stm32_wr(&f->io, reg(bank, CCR), SR_CLEARABLE);
    }
    if (sr & SR_ERRORS)
        return report_at(f, bank, "check", address, sr);
    rc = stm32_rd(&f->io, reg(0, CRCDATA), &crc);
    if (rc)
        return rc;
    *checked = n;
    *same = crc == stm32_crc32_words(H7_CRC_INIT, expected, n);
    return 0;
}

void h7_flash_close(void *flash)
{
    struct h7_flash *f = flash;
    if (!f)
        return;
    for (uint32_t b = 0; b < f->banks; b++)
        (void)stm32_wr(&f->io, reg(b, CR), CR_LOCK);
    free(f);
}
