/* STM32H7 chip table and identification by DBGMCU_IDCODE (RM0433 §60.5.8). */
#include "stm32h7.h"

#include "stm32_common.h"

#define KIB 1024u

/* Flash regions: bank 1 at 0x08000000 and, on parts above 128 KiB, bank 2 at 0x08100000
 * (each half of the flash); RAM: the DTCM at 0x20000000. */
#define H7_CHIP(id, nm, prs, flash_kib)                                                        \
    static const struct espctl_mem_region id##_regions[] = {                                   \
        {H7_FLASH_BASE, (flash_kib) > 128 ? (flash_kib) * KIB / 2 : (flash_kib) * KIB,          \
         ESPCTL_MEM_FLASH, 0},                                                                 \
        {H7_RAM_BASE, 128u * KIB, ESPCTL_MEM_RAM, 0},                                          \
        {H7_BANK2_BASE, (flash_kib) * KIB / 2, ESPCTL_MEM_FLASH, 0},                           \
    };                                                                                         \
    static const struct espctl_chip_desc id = {                                                \
        .hdr = ESPCTL_ABI_HDR(struct espctl_chip_desc), .name = nm, .probe_rs_name = prs,      \
        .device_id = H7_DEV_H74X_H75X, .flash_size = (flash_kib) * KIB,                         \
        .region_count = (flash_kib) > 128 ? 3 : 2, .regions = id##_regions}

H7_CHIP(h743zi, "stm32h743zi", "STM32H743ZITx", 2048);
H7_CHIP(h743vi, "stm32h743vi", "STM32H743VITx", 2048);
H7_CHIP(h743ii, "stm32h743ii", "STM32H743IITx", 2048);
H7_CHIP(h743zg, "stm32h743zg", "STM32H743ZGTx", 1024);
H7_CHIP(h743vg, "stm32h743vg", "STM32H743VGTx", 1024);
H7_CHIP(h753zi, "stm32h753zi", "STM32H753ZITx", 2048);
H7_CHIP(h742vi, "stm32h742vi", "STM32H742VITx", 2048);
H7_CHIP(h750vb, "stm32h750vb", "STM32H750VBTx", 128);

static const struct espctl_chip_desc *const h7_chips[] = {
    &h743zi, &h743vi, &h743ii, &h743zg, &h743vg, &h753zi, &h742vi, &h750vb, NULL,
};

static int h7_identify(void *family_data, const struct espctl_target_mem *mem,
                       const struct espctl_chip_desc **chip)
{
    struct h7_family *fam = family_data;
    struct stm32_io io = {fam->host, mem};
    uint32_t idcode = 0;
    int rc = stm32_rd(&io, H7_DBGMCU_IDCODE, &idcode);
    if (rc)
        return rc;
    const struct espctl_chip_desc *best = stm32_largest_of(h7_chips, idcode & 0xFFFu);
    if (!best)
        return stm32_error(fam->host, ESPCTL_E_NOT_FOUND,
                           "identify: DBGMCU_IDCODE at 0x%08x is 0x%08x (device id 0x%03x), "
                           "not an STM32H742/743/750/753",
                           H7_DBGMCU_IDCODE, idcode, idcode & 0xFFFu);
    *chip = best;
    return 0;
}

void h7_family_init(struct h7_family *fam, const struct espctl_host *host)
{
    fam->host = host;
    fam->vtable = (struct espctl_chip_family){
        .hdr = ESPCTL_ABI_HDR(struct espctl_chip_family),
        .name = "stm32h7",
        .description =
            "STM32H7 flash controller (RM0433): two banks, 128 KiB sectors, 256-bit words",
        .arch = "cortexm",
        .family_data = fam,
        .chips = h7_chips,
        .identify = h7_identify,
        .flash_open = h7_flash_open,
        .sector_at = h7_sector_at,
        .erase_sector = h7_erase_sector,
        .mass_erase = h7_mass_erase,
        .program = h7_program,
        .flash_close = h7_flash_close,
        .check = h7_check,
    };
}
