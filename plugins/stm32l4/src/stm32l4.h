/*
 * The STM32L4 chip family (RM0351): chip table, identification by DBGMCU_IDCODE and the
 * flash controller at 0x40022000 (2 KiB pages, double-word programming, dual bank on
 * 1 MiB parts and when OPTR.DUALBANK is set on 0x415/0x461 parts).
 */
#ifndef STM32L4_H
#define STM32L4_H

#include "espctl/plugin.h"

#define L4_FLASH_BASE 0x08000000u
#define L4_RAM_BASE 0x20000000u
#define L4_DBGMCU_IDCODE 0xE0042000u
#define L4_FLASH_SIZE_REG 0x1FFF75E0u
#define L4_PAGE_SIZE 2048u

#define L4_DEV_L47X_L48X 0x415u
#define L4_DEV_L43X_L44X 0x435u
#define L4_DEV_L49X_L4AX 0x461u
#define L4_DEV_L45X_L46X 0x462u

struct l4_family {
    const struct espctl_host *host;
    struct espctl_chip_family vtable;
};

/** Fill `fam` (vtable.family_data = fam). */
void l4_family_init(struct l4_family *fam, const struct espctl_host *host);

/** Largest flash (bytes) of any part with this device id; 0 when unknown. */
uint32_t l4_max_flash(uint32_t device_id);

int l4_flash_open(void *family_data, const struct espctl_chip_desc *chip,
                  const struct espctl_target_mem *mem, void **flash,
                  struct espctl_flash_geometry *geometry);
int l4_sector_at(void *flash, uint64_t address, uint64_t *start, uint64_t *size);
int l4_erase_sector(void *flash, uint64_t start);
int l4_mass_erase(void *flash);
int l4_program(void *flash, uint64_t address, const uint8_t *data, uint64_t length);
void l4_flash_close(void *flash);

#endif
