/* STM32G4 flash controller (RM0440 §3.7): unlock, page/mass erase, double-word program. */
#include "stm32g4.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERASE_TIMEOUT_US 1000000u
#define MASS_ERASE_TIMEOUT_US 5000000u
#define PROGRAM_TIMEOUT_US 1000000u
#define MAX_POLLS 100000

struct g4_flash {
    const struct espctl_host *host;
    const struct espctl_target_mem *mem;
    const struct espctl_chip_desc *chip;
    uint64_t size;
    uint32_t page_size;
    int dual_bank;
    /** Where bank 2 starts and how big each bank is (dual-bank mode only). */
    uint64_t bank2_base;
    uint64_t bank_size;
    /** CR.PG is set, so programming needs no further CR write. */
    int pg_on;
    /** An erase was started and not yet seen finished: the page it erases. */
    int erase_pending;
    uint64_t erase_at;
};

static int wait_done(struct g4_flash *f, const char *stage, uint64_t address, uint64_t timeout_us);

/* Wait for a started erase to end and check its flags (bounded, names the page). */
static int finish_erase(struct g4_flash *f)
{
    if (!f->erase_pending)
        return 0;
    f->erase_pending = 0;
    return wait_done(f, "erase", f->erase_at, ERASE_TIMEOUT_US);
}

static int rd(struct g4_flash *f, uint32_t addr, uint32_t *v)
{
    return f->mem->read32(f->mem->ctx, addr, v);
}

static int wr(struct g4_flash *f, uint32_t addr, uint32_t v)
{
    return f->mem->write32(f->mem->ctx, addr, v);
}

static void describe_errors(uint32_t sr, char *out, size_t cap)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } flags[] = {{1u << 1, "OPERR"},   {1u << 3, "PROGERR"}, {1u << 4, "WRPERR"},
                 {1u << 5, "PGAERR"},  {1u << 6, "SIZERR"},  {1u << 7, "PGSERR"},
                 {1u << 8, "MISERR"},  {1u << 9, "FASTERR"}, {1u << 14, "RDERR"},
                 {1u << 15, "OPTVERR"}};
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        if (!(sr & flags[i].bit))
            continue;
        int n = snprintf(out + used, cap - used, "%s%s", used ? "|" : "", flags[i].name);
        if (n < 0 || (size_t)n >= cap - used)
            break;
        used += (size_t)n;
    }
}

/* Wait for BSY to clear, then turn any error flag into ESPCTL_E_TARGET naming the
 * flag, the stage and the address; the flags are cleared (write 1) so the next
 * operation starts clean. */
static int wait_idle(struct g4_flash *f, const char *stage, uint64_t address, uint64_t timeout_us,
                     uint32_t *sr_out)
{
    uint64_t deadline = cm_now_us(f->host) + timeout_us;
    uint32_t sr = 0;
    int polls = 0;
    for (;;) {
        int rc = rd(f, G4_FLASH_SR, &sr);
        if (rc)
            return rc;
        if (!(sr & G4_SR_BSY))
            break;
        if (++polls >= MAX_POLLS || cm_now_us(f->host) > deadline)
            return cm_error(f->host, ESPCTL_E_TIMEOUT,
                            "%s: flash controller still busy after %llu ms at 0x%08llx", stage,
                            (unsigned long long)(timeout_us / 1000), (unsigned long long)address);
        if (cm_cancelled(f->host))
            return cm_error(f->host, ESPCTL_E_CANCELLED, "%s: cancelled at 0x%08llx", stage,
                            (unsigned long long)address);
    }
    *sr_out = sr;
    return 0;
}

/* Turn the error flags in `sr` into ESPCTL_E_TARGET naming them, the stage and the
 * address; the flags are cleared (write 1) and CR reset so the next operation starts clean. */
static int report_errors(struct g4_flash *f, const char *stage, uint64_t address, uint32_t sr)
{
    char names[96];
    describe_errors(sr, names, sizeof names);
    (void)wr(f, G4_FLASH_SR, sr & (G4_SR_ERRORS | G4_SR_EOP));
    (void)wr(f, G4_FLASH_CR, 0);
    f->pg_on = 0;
    return cm_error(f->host, ESPCTL_E_TARGET, "%s: %s at 0x%08llx (FLASH_SR=0x%08x)", stage, names,
                    (unsigned long long)address, sr);
}

static int wait_done(struct g4_flash *f, const char *stage, uint64_t address, uint64_t timeout_us)
{
    uint32_t sr = 0;
    int rc = wait_idle(f, stage, address, timeout_us, &sr);
    if (rc || !(sr & G4_SR_ERRORS))
        return rc;
    return report_errors(f, stage, address, sr);
}

/* After a failed burst: the double word that failed is the first one not holding its data,
 * because the controller refuses every later one while an error flag is set. Falls back
 * to the burst's start when the read-back cannot tell. */
static uint64_t failed_double_word(struct g4_flash *f, uint64_t address, const uint8_t *data,
                                   uint32_t length)
{
    uint8_t back[256];
    for (uint32_t o = 0; o < length; o += sizeof back) {
        uint32_t n = length - o < sizeof back ? length - o : (uint32_t)sizeof back;
        if (f->mem->read(f->mem->ctx, address + o, back, n) != 0)
            return address;
        for (uint32_t k = 0; k < n; k += 8)
            if (memcmp(back + k, data + o + k, 8) != 0)
                return address + o + k;
    }
    return address;
}

static int unlock(struct g4_flash *f)
{
    uint32_t cr = 0;
    int rc = rd(f, G4_FLASH_CR, &cr);
    if (rc == 0 && (cr & G4_CR_LOCK)) {
        rc = wr(f, G4_FLASH_KEYR, G4_KEY1);
        if (rc == 0)
            rc = wr(f, G4_FLASH_KEYR, G4_KEY2);
        if (rc == 0)
            rc = rd(f, G4_FLASH_CR, &cr);
        if (rc == 0 && (cr & G4_CR_LOCK))
            return cm_error(f->host, ESPCTL_E_TARGET,
                            "unlock: flash controller stays locked after the key sequence "
                            "(FLASH_CR=0x%08x)", cr);
    }
    return rc;
}

static int read_size(struct g4_flash *f, uint32_t max)
{
    uint32_t word = 0; /* the 16-bit field is the low half of an aligned word */
    int rc = rd(f, G4_FLASH_SIZE_REG, &word);
    if (rc)
        return rc;
    uint32_t kib = word & 0xFFFFu;
    if (kib == 0 || kib == 0xFFFFu || (max && kib * 1024u > max)) {
        cm_log(f->host, ESPCTL_LOG_WARN,
               "flash size register reads 0x%04x; assuming %u KiB from the chip table", kib,
               f->chip->flash_size / 1024u);
        f->size = f->chip->flash_size;
    } else {
        f->size = (uint64_t)kib * 1024u;
    }
    return 0;
}

static int read_layout(struct g4_flash *f)
{
    f->page_size = 2048;
    f->dual_bank = 0;
    if (f->chip->device_id != G4_DEV_G47X_G48X)
        return 0;
    uint32_t optr = 0;
    int rc = rd(f, G4_FLASH_OPTR, &optr);
    if (rc)
        return rc;
    if (!(optr & G4_OPTR_DBANK)) {
        f->page_size = 4096;
        return 0;
    }
    f->dual_bank = 1;
    f->bank_size = f->size / 2;
    f->bank2_base = G4_FLASH_BASE + g4_max_flash(G4_DEV_G47X_G48X) / 2;
    return 0;
}

int g4_flash_open(void *family_data, const struct espctl_chip_desc *chip,
                  const struct espctl_target_mem *mem, void **flash,
                  struct espctl_flash_geometry *geometry)
{
    struct g4_family *fam = family_data;
    struct g4_flash *f = calloc(1, sizeof *f);
    if (!f)
        return cm_error(fam->host, ESPCTL_E_NOMEM, "flash: out of memory");
    f->host = fam->host;
    f->mem = mem;
    f->chip = chip;
    int rc = read_size(f, g4_max_flash(chip->device_id));
    if (rc == 0)
        rc = read_layout(f);
    uint32_t sr = 0;
    if (rc == 0)
        rc = wait_idle(f, "unlock", G4_FLASH_BASE, ERASE_TIMEOUT_US, &sr);
    if (rc == 0)
        rc = unlock(f);
    if (rc == 0 && (sr & (G4_SR_ERRORS | G4_SR_EOP))) /* stale flags must not fail our first operation */
        rc = wr(f, G4_FLASH_SR, G4_SR_ERRORS | G4_SR_EOP);
    if (rc) {
        free(f);
        return rc;
    }
    uint64_t span = f->dual_bank ? f->bank2_base + f->bank_size - G4_FLASH_BASE : f->size;
    *geometry = (struct espctl_flash_geometry){
        .hdr = ESPCTL_ABI_HDR(struct espctl_flash_geometry),
        .base = G4_FLASH_BASE,
        .size = span,
        .write_unit = 8,
        .erased_value = 0xFF,
        .bank_count = f->dual_bank ? 2 : 1,
    };
    *flash = f;
    return 0;
}

/* Bank (0/1) and page number within it for `address`; -1 when not in flash. */
static int locate(const struct g4_flash *f, uint64_t address, uint32_t *bank, uint32_t *page)
{
    if (!f->dual_bank) {
        if (address < G4_FLASH_BASE || address >= G4_FLASH_BASE + f->size)
            return -1;
        *bank = 0;
        *page = (uint32_t)((address - G4_FLASH_BASE) / f->page_size);
        return 0;
    }
    if (address >= G4_FLASH_BASE && address < G4_FLASH_BASE + f->bank_size) {
        *bank = 0;
        *page = (uint32_t)((address - G4_FLASH_BASE) / f->page_size);
        return 0;
    }
    if (address >= f->bank2_base && address < f->bank2_base + f->bank_size) {
        *bank = 1;
        *page = (uint32_t)((address - f->bank2_base) / f->page_size);
        return 0;
    }
    return -1;
}

int g4_sector_at(void *flash, uint64_t address, uint64_t *start, uint64_t *size)
{
    struct g4_flash *f = flash;
    uint32_t bank, page;
    if (locate(f, address, &bank, &page))
        return cm_error(f->host, ESPCTL_E_INVAL, "flash: 0x%08llx is not in %s flash",
                        (unsigned long long)address, f->chip->name);
    *start = (bank ? f->bank2_base : G4_FLASH_BASE) + (uint64_t)page * f->page_size;
    *size = f->page_size;
    return 0;
}

int g4_erase_sector(void *flash, uint64_t start)
{
    struct g4_flash *f = flash;
    uint32_t bank, page;
    if (locate(f, start, &bank, &page) || (start - G4_FLASH_BASE) % f->page_size)
        return cm_error(f->host, ESPCTL_E_INVAL, "erase: 0x%08llx is not the start of a page",
                        (unsigned long long)start);
    uint32_t cr = G4_CR_PER | ((page & G4_CR_PNB_MASK) << G4_CR_PNB_SHIFT) | G4_CR_STRT;
    if (bank)
        cr |= G4_CR_BKER;
    f->pg_on = 0;
    /* RM0440: a write to FLASH_CR while BSY is set stalls the bus until BSY clears, so
     * this write also waits out the previous erase and the pages follow each other with
     * no polling gap. The controller flags a refused erase (WRPERR, PGSERR) when STRT is
     * written, so one SR read while this page erases catches it; whatever touches the
     * flash next (the next CR write, a program burst, LOCK at close) waits for the end. */
    int rc = wr(f, G4_FLASH_CR, cr);
    uint32_t sr = 0;
    if (rc == 0)
        rc = rd(f, G4_FLASH_SR, &sr);
    if (rc)
        return rc;
    f->erase_pending = 0;
    if (sr & G4_SR_ERRORS)
        return report_errors(f, "erase", start, sr);
    f->erase_pending = 1;
    f->erase_at = start;
    return 0;
}

int g4_mass_erase(void *flash)
{
    struct g4_flash *f = flash;
    f->pg_on = 0;
    uint32_t cr = G4_CR_MER1 | G4_CR_STRT | (f->dual_bank ? G4_CR_MER2 : 0);
    int rc = finish_erase(f);
    if (rc == 0)
        rc = wr(f, G4_FLASH_CR, cr);
    if (rc)
        return rc;
    return wait_done(f, "erase", G4_FLASH_BASE, MASS_ERASE_TIMEOUT_US);
}

int g4_program(void *flash, uint64_t address, const uint8_t *data, uint64_t length)
{
    struct g4_flash *f = flash;
    uint32_t bank, page;
    if ((address | length) & 7u || length > UINT32_MAX || locate(f, address, &bank, &page) ||
        (length && locate(f, address + length - 1, &bank, &page)))
        return cm_error(f->host, ESPCTL_E_INVAL,
                        "program: %llu bytes at 0x%08llx are not whole double words in flash",
                        (unsigned long long)length, (unsigned long long)address);
    if (length == 0)
        return 0;
    if (!f->pg_on) {
        int rc = finish_erase(f);
        if (rc == 0)
            rc = wr(f, G4_FLASH_CR, G4_CR_PG);
        if (rc)
            return rc;
        f->pg_on = 1;
    }
    /* One burst: while a double word programs, the next write stalls on the bus until
     * the controller is ready, so no per-double-word polling is needed; SR is read once
     * at the end. An error flag makes the controller refuse every later double word
     * (PGSERR), so a single check still catches the first failure. */
    int rc = f->mem->write(f->mem->ctx, address, data, (uint32_t)length, 32);
    uint32_t sr = 0;
    if (rc == 0)
        rc = wait_idle(f, "program", address, PROGRAM_TIMEOUT_US, &sr);
    if (rc || !(sr & G4_SR_ERRORS))
        return rc;
    return report_errors(f, "program", failed_double_word(f, address, data, (uint32_t)length), sr);
}

void g4_flash_close(void *flash)
{
    struct g4_flash *f = flash;
    if (!f)
        return;
    (void)finish_erase(f);
    (void)wr(f, G4_FLASH_CR, G4_CR_LOCK);
    free(f);
}
