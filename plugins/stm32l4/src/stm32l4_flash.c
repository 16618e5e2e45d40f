/* STM32L4 flash controller (RM0351 §3.3): unlock, page/bank erase, double-word programming. */
#include "stm32l4.h"

#include "stm32_common.h"
#include "stm32_runs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REGS 0x40022000u
#define KEYR (REGS + 0x08u)
#define SR (REGS + 0x10u)
#define CR (REGS + 0x14u)
#define OPTR (REGS + 0x20u)
#define WRP1AR (REGS + 0x2Cu)
#define WRP1BR (REGS + 0x30u)
#define WRP2AR (REGS + 0x4Cu)

#define CR_PG (1u << 0)
#define CR_PER (1u << 1)
#define CR_MER1 (1u << 2)
#define CR_PNB_SHIFT 3
#define CR_BKER (1u << 11)
#define CR_MER2 (1u << 15)
#define CR_STRT (1u << 16)
#define CR_LOCK (1u << 31)

#define SR_EOP (1u << 0)
#define SR_BSY (1u << 16)
#define SR_ERRORS 0xC3FAu
#define OPTR_DUALBANK (1u << 21)
#define WRP_FIELD 0xFFu

#define ERASE_TIMEOUT_US 1000000u      /* page erase: 24.47 ms max (DS10198) */
#define MASS_ERASE_TIMEOUT_US 2000000u /* 24.59 ms max */
#define PROGRAM_TIMEOUT_US 1000000u

static const struct stm32_flag sr_flags[] = {
    {1u << 1, "OPERR"},  {1u << 3, "PROGERR"}, {1u << 4, "WRPERR"},  {1u << 5, "PGAERR"},
    {1u << 6, "SIZERR"}, {1u << 7, "PGSERR"},  {1u << 8, "MISERR"},  {1u << 9, "FASTERR"},
    {1u << 14, "RDERR"}, {1u << 15, "OPTVERR"},
};

struct l4_flash {
    struct stm32_io io;
    struct espctl_target_mem mem;
    const struct espctl_chip_desc *chip;
    uint64_t size;
    uint32_t bank_pages; /* pages per bank (all pages when single bank) */
    int dual_bank;
    uint32_t wrp[2][2];  /* WRPxAR/WRPxBR of bank 1 and 2 */
    int wrp2_read;       /* bank 2's pair is read when an operation first reaches it */
    int pg_on;
    /** A page erase was started and its end not yet seen: the page's address. */
    int erase_pending;
    uint64_t erase_at;
};

static const struct stm32_ctrl ctrl = {SR, CR, SR_BSY, SR_ERRORS, SR_EOP, sr_flags,
                                       sizeof sr_flags / sizeof sr_flags[0]};

/* Error reports reset FLASH_CR, so PG is off afterwards. */
static int report_errors(struct l4_flash *f, const char *stage, const char *where, uint32_t sr)
{
    f->pg_on = 0;
    return stm32_report_flags(&f->io, &ctrl, stage, where, sr);
}

static int report_at(struct l4_flash *f, const char *stage, uint64_t address, uint32_t sr)
{
    f->pg_on = 0;
    return stm32_report_flags_at(&f->io, &ctrl, stage, address, sr);
}

static int wait_done(struct l4_flash *f, const char *stage, uint64_t address, uint64_t timeout_us)
{
    int cleared = 0;
    int rc = stm32_wait_checked(&f->io, &ctrl, stage, address, timeout_us, &cleared);
    if (cleared)
        f->pg_on = 0;
    return rc;
}

/* Wait (bounded) for the last started page erase to end and check its flags. */
static int finish_erase(struct l4_flash *f)
{
    if (!f->erase_pending)
        return 0;
    f->erase_pending = 0;
    return wait_done(f, "erase", f->erase_at, ERASE_TIMEOUT_US);
}

/* A run set an error flag: name the first double word that does not hold its data, or the
 * whole run when the read-back cannot tell. */
static int report_failed_run(struct l4_flash *f, uint64_t address, const uint8_t *data,
                             uint32_t length, uint32_t sr)
{
    uint64_t bad = stm32_run_failed_unit(&f->mem, address, data, length, 8);
    if (bad)
        return report_at(f, "program", bad, sr);
    char where[64];
    snprintf(where, sizeof where, "in the %u bytes at 0x%08llx", length,
             (unsigned long long)address);
    return report_errors(f, "program", where, sr);
}

#define REG(regs, name) ((regs)[((name) - SR) / 4u])

/* Size register, then SR..WRP1BR in one transfer (SR, CR, ECCR, a reserved word reading 0,
 * OPTR, PCROP1SR/ER, WRP1AR/BR): the state open needs and bank 1's protection. */
static int read_layout(struct l4_flash *f, uint32_t *sr, uint32_t *cr)
{
    uint32_t dev = f->chip->device_id;
    uint32_t regs[(WRP1BR - SR) / 4u + 1u];
    int rc = stm32_flash_size(&f->io, L4_FLASH_SIZE_REG, l4_max_flash(dev), f->chip->flash_size,
                              &f->size);
    if (rc == 0)
        rc = stm32_rd_regs(&f->io, SR, sizeof regs / sizeof regs[0], regs);
    if (rc)
        return rc;
    *sr = REG(regs, SR);
    *cr = REG(regs, CR);
    f->wrp[0][0] = REG(regs, WRP1AR);
    f->wrp[0][1] = REG(regs, WRP1BR);
    uint32_t pages = (uint32_t)(f->size / L4_PAGE_SIZE);
    f->dual_bank = (dev == L4_DEV_L47X_L48X || dev == L4_DEV_L49X_L4AX) &&
                   (f->size == l4_max_flash(dev) || (REG(regs, OPTR) & OPTR_DUALBANK));
    f->bank_pages = f->dual_bank ? pages / 2 : pages;
    f->wrp2_read = !f->dual_bank;
    return 0;
}

int l4_flash_open(void *family_data, const struct espctl_chip_desc *chip,
                  const struct espctl_target_mem *mem, void **flash,
                  struct espctl_flash_geometry *geometry)
{
    struct l4_family *fam = family_data;
    struct l4_flash *f = calloc(1, sizeof *f);
    if (!f)
        return stm32_error(fam->host, ESPCTL_E_NOMEM, "stm32l4: out of memory");
    f->mem = *mem;
    f->io = (struct stm32_io){fam->host, &f->mem};
    f->chip = chip;
    uint32_t sr = 0, cr = 0;
    int rc = read_layout(f, &sr, &cr);
    if (rc == 0)
        rc = stm32_ctrl_ready(&f->io, &ctrl, KEYR, CR_LOCK, sr, cr, ERASE_TIMEOUT_US, L4_FLASH_BASE,
                              "the STM32L4 flash controller");
    if (rc) {
        free(f);
        return rc;
    }
    *geometry = (struct espctl_flash_geometry){
        .hdr = ESPCTL_ABI_HDR(struct espctl_flash_geometry),
        .base = L4_FLASH_BASE,
        .size = f->size,
        .write_unit = 8,
        .erased_value = 0xFF,
        .bank_count = f->dual_bank ? 2 : 1,
    };
    *flash = f;
    return 0;
}

/* Global page index of `address`; -1 outside the flash. */
static int64_t page_of(const struct l4_flash *f, uint64_t address)
{
    if (address < L4_FLASH_BASE || address - L4_FLASH_BASE >= f->size)
        return -1;
    return (int64_t)((address - L4_FLASH_BASE) / L4_PAGE_SIZE);
}

/* The WRP register protecting page `page`, or NULL. */
static const char *protected_by(const struct l4_flash *f, uint32_t page, uint32_t *value)
{
    static const char *const names[2][2] = {{"WRP1AR", "WRP1BR"}, {"WRP2AR", "WRP2BR"}};
    uint32_t bank = page / f->bank_pages, local = page % f->bank_pages;
    for (int i = 0; bank < 2 && i < 2; i++) {
        uint32_t v = f->wrp[bank][i], start = v & WRP_FIELD, end = (v >> 16) & WRP_FIELD;
        if (start <= end && local >= start && local <= end) {
            *value = v;
            return names[bank][i];
        }
    }
    return NULL;
}

static int check_writable(struct l4_flash *f, const char *stage, uint32_t first, uint32_t last)
{
    if (!f->wrp2_read && last >= f->bank_pages) {
        int rc = stm32_rd_regs(&f->io, WRP2AR, 2, f->wrp[1]); /* WRP2AR, WRP2BR */
        if (rc)
            return rc;
        f->wrp2_read = 1;
    }
    for (uint32_t p = first; p <= last; p++) {
        uint32_t v = 0;
        const char *reg = protected_by(f, p, &v);
        if (reg)
            return stm32_error(f->io.host, ESPCTL_E_TARGET,
                               "%s: page %u at 0x%08x is write-protected (%s=0x%08x); remove the "
                               "protection in the option bytes first",
                               stage, p, L4_FLASH_BASE + p * L4_PAGE_SIZE, reg, v);
    }
    return 0;
}

int l4_sector_at(void *flash, uint64_t address, uint64_t *start, uint64_t *size)
{
    struct l4_flash *f = flash;
    int64_t page = page_of(f, address);
    if (page < 0)
        return stm32_error(f->io.host, ESPCTL_E_INVAL, "flash: 0x%08llx is not in %s flash",
                           (unsigned long long)address, f->chip->name);
    *start = L4_FLASH_BASE + (uint64_t)page * L4_PAGE_SIZE;
    *size = L4_PAGE_SIZE;
    return 0;
}

int l4_erase_sector(void *flash, uint64_t start)
{
    struct l4_flash *f = flash;
    int64_t page = page_of(f, start);
    if (page < 0 || (start - L4_FLASH_BASE) % L4_PAGE_SIZE)
        return stm32_error(f->io.host, ESPCTL_E_INVAL,
                           "erase: 0x%08llx is not the start of a page of %s",
                           (unsigned long long)start, f->chip->name);
    int rc = check_writable(f, "erase", (uint32_t)page, (uint32_t)page);
    if (rc)
        return rc;
    uint32_t bank = (uint32_t)page / f->bank_pages, local = (uint32_t)page % f->bank_pages;
    uint32_t cr = CR_PER | (local << CR_PNB_SHIFT) | CR_STRT | (bank ? CR_BKER : 0);
    f->pg_on = 0;
    /* Not polled: a write to FLASH_CR while BSY is set stalls the bus until BSY clears, so this
     * write waits out the previous page's erase (22 ms) and the pages follow each other with no
     * polling gap. A refused erase (WRPERR, PGSERR) is flagged when STRT is written, so one SR
     * read while this page erases catches it; program, mass erase and close wait (bounded) for
     * the last page first. */
    int previous = f->erase_pending;
    uint64_t previous_at = f->erase_at;
    uint32_t sr = 0;
    rc = stm32_wr(&f->io, CR, cr);
    if (rc == 0)
        rc = stm32_rd(&f->io, SR, &sr);
    f->erase_pending = 0;
    if (rc)
        return rc;
    if (sr & SR_ERRORS) {
        char where[96];
        if (previous) /* the flags stick: they may come from the end of the page before */
            snprintf(where, sizeof where, "at 0x%08llx (or the end of the erase at 0x%08llx)",
                     (unsigned long long)start, (unsigned long long)previous_at);
        else
            snprintf(where, sizeof where, "at 0x%08llx", (unsigned long long)start);
        return report_errors(f, "erase", where, sr);
    }
    f->erase_pending = 1;
    f->erase_at = start;
    return 0;
}

int l4_mass_erase(void *flash)
{
    struct l4_flash *f = flash;
    int rc = check_writable(f, "mass erase", 0, (uint32_t)(f->size / L4_PAGE_SIZE) - 1);
    if (rc)
        return rc;
    f->pg_on = 0;
    rc = finish_erase(f);
    if (rc == 0)
        rc = stm32_wr(&f->io, CR, CR_MER1 | CR_STRT | (f->dual_bank ? CR_MER2 : 0));
    return rc ? rc : wait_done(f, "mass erase", L4_FLASH_BASE, MASS_ERASE_TIMEOUT_US);
}

/* Program whole double words from `data`; a short tail is padded with the erased value. */
int l4_program(void *flash, uint64_t address, const uint8_t *data, uint64_t length)
{
    struct l4_flash *f = flash;
    if (length == 0)
        return 0;
    int64_t first = page_of(f, address), last = page_of(f, address + length - 1);
    if ((address & 7u) || first < 0 || last < 0)
        return stm32_error(f->io.host, ESPCTL_E_INVAL,
                           "program: %llu bytes at 0x%08llx do not fit %s flash "
                           "(0x%08x..0x%08llx, double-word aligned)",
                           (unsigned long long)length, (unsigned long long)address,
                           f->chip->name, L4_FLASH_BASE,
                           (unsigned long long)(L4_FLASH_BASE + f->size - 1));
    int rc = check_writable(f, "program", (uint32_t)first, (uint32_t)last);
    if (rc == 0)
        rc = finish_erase(f);
    if (rc == 0 && !f->pg_on) {
        rc = stm32_wr(&f->io, CR, CR_PG);
        f->pg_on = rc == 0;
    }
    /* Runs: a write stalls on the bus while the previous double word programs, and an error
     * flag stays set and makes the controller refuse every later double word (PGSERR), so one
     * SR read per run catches the first failure; the read-back then names it. */
    for (uint64_t done = 0; rc == 0 && done < length;) {
        uint32_t n = length - done < STM32_RUN_MAX ? (uint32_t)(length - done) : STM32_RUN_MAX;
        uint32_t sr = 0;
        rc = stm32_run_write(&f->mem, address + done, data + done, n, 8);
        if (rc == 0)
            rc = stm32_wait_idle(&f->io, SR, SR_BSY, PROGRAM_TIMEOUT_US, "program", address + done,
                                 &sr);
        if (rc == 0 && (sr & SR_ERRORS))
            rc = report_failed_run(f, address + done, data + done, n, sr);
        done += n;
    }
    return rc;
}

void l4_flash_close(void *flash)
{
    struct l4_flash *f = flash;
    if (!f)
        return;
    (void)finish_erase(f);
    (void)stm32_wr(&f->io, CR, CR_LOCK);
    free(f);
}
