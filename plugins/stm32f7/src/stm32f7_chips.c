/* STM32F7 chip table and identification by DBGMCU_IDCODE (RM0385 §40.6.1). */
#include "stm32f7.h"

#include "stm32_common.h"

#define KIB 1024u

#define F7_CHIP(id, nm, prs, dev, flash_kib, sram_kib)                                         \
    static const struct espctl_mem_region id##_regions[] = {                                   \
        {F7_FLASH_BASE, (flash_kib) * KIB, ESPCTL_MEM_FLASH, 0},                               \
        {F7_RAM_BASE, (sram_kib) * KIB, ESPCTL_MEM_RAM, 0},                                    \
    };                                                                                         \
    static const struct espctl_chip_desc id = {                                                \
        .hdr = ESPCTL_ABI_HDR(struct espctl_chip_desc), .name = nm, .probe_rs_name = prs,      \
        .device_id = dev, .flash_size = (flash_kib) * KIB, .region_count = 2,                  \
        .regions = id##_regions}

/* RAM: DTCM + SRAM1 + SRAM2, contiguous from 0x20000000. */
F7_CHIP(f746zg, "stm32f746zg", "STM32F746ZGTx", F7_DEV_F74X_F75X, 1024, 320);
F7_CHIP(f746ng, "stm32f746ng", "STM32F746NGHx", F7_DEV_F74X_F75X, 1024, 320);
F7_CHIP(f746ig, "stm32f746ig", "STM32F746IGTx", F7_DEV_F74X_F75X, 1024, 320);
F7_CHIP(f746ze, "stm32f746ze", "STM32F746ZETx", F7_DEV_F74X_F75X, 512, 320);
F7_CHIP(f756zg, "stm32f756zg", "STM32F756ZGTx", F7_DEV_F74X_F75X, 1024, 320);
F7_CHIP(f767zi, "stm32f767zi", "STM32F767ZITx", F7_DEV_F76X_F77X, 2048, 512);
F7_CHIP(f767zg, "stm32f767zg", "STM32F767ZGTx", F7_DEV_F76X_F77X, 1024, 512);
F7_CHIP(f769ni, "stm32f769ni", "STM32F769NIHx", F7_DEV_F76X_F77X, 2048, 512);
F7_CHIP(f722ze, "stm32f722ze", "STM32F722ZETx", F7_DEV_F72X_F73X, 512, 256);
F7_CHIP(f722re, "stm32f722re", "STM32F722RETx", F7_DEV_F72X_F73X, 512, 256);
F7_CHIP(f723ze, "stm32f723ze", "STM32F723ZETx", F7_DEV_F72X_F73X, 512, 256);

static const struct espctl_chip_desc *const f7_chips[] = {
    &f746zg, &f746ng, &f746ig, &f746ze, &f756zg, &f767zi,
    &f767zg, &f769ni, &f722ze, &f722re, &f723ze, NULL,
};

uint32_t f7_max_flash(uint32_t device_id)
{
    switch (device_id) {
    case F7_DEV_F74X_F75X: return 1024u * KIB;
    case F7_DEV_F76X_F77X: return 2048u * KIB;
    case F7_DEV_F72X_F73X: return 512u * KIB;
    default: return 0;
    }
}

uint32_t f7_flash_size_reg(uint32_t device_id)
{
    return device_id == F7_DEV_F72X_F73X ? 0x1FF07A22u : 0x1FF0F442u;
}

static int f7_identify(void *family_data, const struct espctl_target_mem *mem,
                       const struct espctl_chip_desc **chip)
{
    struct f7_family *fam = family_data;
    struct stm32_io io = {fam->host, mem};
    uint32_t idcode = 0;
    int rc = stm32_rd(&io, F7_DBGMCU_IDCODE, &idcode);
    if (rc)
        return rc;
    const struct espctl_chip_desc *best = stm32_largest_of(f7_chips, idcode & 0xFFFu);
    if (!best)
        return stm32_error(fam->host, ESPCTL_E_NOT_FOUND,
                           "identify: DBGMCU_IDCODE at 0x%08x is 0x%08x (device id 0x%03x), "
                           "not an STM32F7",
                           F7_DBGMCU_IDCODE, idcode, idcode & 0xFFFu);
    *chip = best;
    return 0;
}

void f7_family_init(struct f7_family *fam, const struct espctl_host *host)
{
    fam->host = host;
    fam->vtable = (struct espctl_chip_family){
        .hdr = ESPCTL_ABI_HDR(struct espctl_chip_family),
        .name = "stm32f7",
        .description = "STM32F7 flash controller (RM0385/RM0410/RM0431): 16-256 KiB sectors, x32, "
                       "verify by DMA into the CRC unit",
        .arch = "cortexm",
        .family_data = fam,
        .chips = f7_chips,
        .identify = f7_identify,
        .flash_open = f7_flash_open,
        .sector_at = f7_sector_at,
        .erase_sector = f7_erase_sector,
        .mass_erase = f7_mass_erase,
        .program = f7_program,
        .flash_close = f7_flash_close,
        .check = f7_check,
    };
}
