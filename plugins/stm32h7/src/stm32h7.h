/*
 * The STM32H7 chip family (RM0433: H742/H743/H750/H753, device id 0x450): chip table,
 * identification by DBGMCU_IDCODE at 0x5C001000 and the two-bank flash controller
 * (bank 1 registers at 0x52002000, bank 2 at 0x52002100; 128 KiB sectors; 256-bit flash words).
 */
#ifndef STM32H7_H
#define STM32H7_H

#include "espctl/plugin.h"

#define H7_FLASH_BASE 0x08000000u
#define H7_BANK2_BASE 0x08100000u
#define H7_RAM_BASE 0x20000000u
#define H7_DBGMCU_IDCODE 0x5C001000u
#define H7_FLASH_SIZE_REG 0x1FF1E880u
#define H7_SECTOR_SIZE (128u * 1024u)
#define H7_WORD 32u
/** Granule of the flash CRC unit: its smallest burst, 4 flash words. */
#define H7_CRC_BURST 128u
/** Value the flash CRC unit starts from after CLEAN_CRC (not in RM0433; decision 0804). */
#define H7_CRC_INIT 0xB6C0AE5Au

#define H7_DEV_H74X_H75X 0x450u

struct h7_family {
    const struct espctl_host *host;
    struct espctl_chip_family vtable;
};

/** Fill `fam` (vtable.family_data = fam). */
void h7_family_init(struct h7_family *fam, const struct espctl_host *host);

int h7_flash_open(void *family_data, const struct espctl_chip_desc *chip,
                  const struct espctl_target_mem *mem, void **flash,
                  struct espctl_flash_geometry *geometry);
int h7_sector_at(void *flash, uint64_t address, uint64_t *start, uint64_t *size);
int h7_erase_sector(void *flash, uint64_t start);
int h7_mass_erase(void *flash);
int h7_program(void *flash, uint64_t address, const uint8_t *data, uint64_t length);
void h7_flash_close(void *flash);
/** Verify on the target with the bank's CRC unit (espctl_chip_family.check). */
int h7_check(void *flash, uint64_t address, const uint8_t *expected, uint64_t length,
             uint64_t *checked, int *same);


#endif
