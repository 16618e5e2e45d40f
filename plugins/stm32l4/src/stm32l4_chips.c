/* STM32L4 chip table and identification by DBGMCU_IDCODE (RM0351 §48.6.1). */
#include "stm32l4.h"

#include "stm32_common.h"

#define KIB 1024u

#define L4_CHIP(id, nm, prs, dev, flash_kib, sram_kib)                                         \
    static const struct espctl_mem_region id##_regions[] = {                                   \
        {L4_FLASH_BASE, (flash_kib) * KIB, ESPCTL_MEM_FLASH, 0},                               \
        {L4_RAM_BASE, (sram_kib) * KIB, ESPCTL_MEM_RAM, 0},                                    \
    };                                                                                         \
    static const struct espctl_chip_desc id = {                                                \
        .hdr = ESPCTL_ABI_HDR(struct espctl_chip_desc), .name = nm, .probe_rs_name = prs,      \
        .device_id = dev, .flash_size = (flash_kib) * KIB, .region_count = 2,                  \
        .regions = id##_regions}

/* SRAM1 sizes (contiguous from 0x20000000); SRAM2 sits elsewhere and is not listed. */
L4_CHIP(l476rg, "stm32l476rg", "STM32L476RGTx", L4_DEV_L47X_L48X, 1024, 96);
L4_CHIP(l476vg, "stm32l476vg", "STM32L476VGTx", L4_DEV_L47X_L48X, 1024, 96);
L4_CHIP(l476re, "stm32l476re", "STM32L476RETx", L4_DEV_L47X_L48X, 512, 96);
L4_CHIP(l476rc, "stm32l476rc", "STM32L476RCTx", L4_DEV_L47X_L48X, 256, 96);
L4_CHIP(l486rg, "stm32l486rg", "STM32L486RGTx", L4_DEV_L47X_L48X, 1024, 96);
L4_CHIP(l432kc, "stm32l432kc", "STM32L432KCUx", L4_DEV_L43X_L44X, 256, 48);
L4_CHIP(l432kb, "stm32l432kb", "STM32L432KBUx", L4_DEV_L43X_L44X, 128, 48);
L4_CHIP(l433rc, "stm32l433rc", "STM32L433RCTx", L4_DEV_L43X_L44X, 256, 48);
L4_CHIP(l452re, "stm32l452re", "STM32L452RETx", L4_DEV_L45X_L46X, 512, 128);
L4_CHIP(l462re, "stm32l462re", "STM32L462RETx", L4_DEV_L45X_L46X, 512, 128);
L4_CHIP(l496zg, "stm32l496zg", "STM32L496ZGTx", L4_DEV_L49X_L4AX, 1024, 256);
L4_CHIP(l4a6zg, "stm32l4a6zg", "STM32L4A6ZGTx", L4_DEV_L49X_L4AX, 1024, 256);

static const struct espctl_chip_desc *const l4_chips[] = {
    &l476rg, &l476vg, &l476re, &l476rc, &l486rg, &l432kc, &l432kb,
    &l433rc, &l452re, &l462re, &l496zg, &l4a6zg, NULL,
};

uint32_t l4_max_flash(uint32_t device_id)
{
    switch (device_id) {
    case L4_DEV_L47X_L48X:
    case L4_DEV_L49X_L4AX: return 1024u * KIB;
    case L4_DEV_L45X_L46X: return 512u * KIB;
    case L4_DEV_L43X_L44X: return 256u * KIB;
    default: return 0;
    }
}

static int l4_identify(void *family_data, const struct espctl_target_mem *mem,
                       const struct espctl_chip_desc **chip)
{
    struct l4_family *fam = family_data;
    struct stm32_io io = {fam->host, mem};
    uint32_t idcode = 0;
    int rc = stm32_rd(&io, L4_DBGMCU_IDCODE, &idcode);
    if (rc)
        return rc;
    /* The largest part of the line stands for it; flash_open reads the real size. */
    const struct espctl_chip_desc *best = stm32_largest_of(l4_chips, idcode & 0xFFFu);
    if (!best)
        return stm32_error(fam->host, ESPCTL_E_NOT_FOUND,
                           "identify: DBGMCU_IDCODE at 0x%08x is 0x%08x (device id 0x%03x), "
                           "not an STM32L4",
                           L4_DBGMCU_IDCODE, idcode, idcode & 0xFFFu);
    *chip = best;
    return 0;
}

void l4_family_init(struct l4_family *fam, const struct espctl_host *host)
{
    fam->host = host;
    fam->vtable = (struct espctl_chip_family){
        .hdr = ESPCTL_ABI_HDR(struct espctl_chip_family),
        .name = "stm32l4",
        .description = "STM32L4 flash controller (RM0351): 2 KiB pages, dual bank on 1 MiB parts",
        .arch = "cortexm",
        .family_data = fam,
        .chips = l4_chips,
        .identify = l4_identify,
        .flash_open = l4_flash_open,
        .sector_at = l4_sector_at,
        .erase_sector = l4_erase_sector,
        .mass_erase = l4_mass_erase,
        .program = l4_program,
        .flash_close = l4_flash_close,
    };
}
