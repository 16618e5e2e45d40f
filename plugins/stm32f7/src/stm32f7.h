/*
 * The STM32F7 chip family (RM0385 F74x/F75x, RM0410 F76x/F77x, RM0431 F72x/F73x): chip table,
 * identification by DBGMCU_IDCODE and the flash controller at 0x40023C00 (sectors of
 * 4 x U, 1 x 4U, then 8U with U = 32 KiB, or 16 KiB on F72x and on F76x in dual-bank mode;
 * x32 programming parallelism, i.e. VDD 2.7-3.6 V).
 */
#ifndef STM32F7_H
#define STM32F7_H

#include "espctl/plugin.h"

#define F7_FLASH_BASE 0x08000000u
#define F7_RAM_BASE 0x20000000u
#define F7_DBGMCU_IDCODE 0xE0042000u

#define F7_DEV_F74X_F75X 0x449u
#define F7_DEV_F76X_F77X 0x451u
#define F7_DEV_F72X_F73X 0x452u

struct f7_family {
    const struct espctl_host *host;
    struct espctl_chip_family vtable;
};

/** Fill `fam` (vtable.family_data = fam). */
void f7_family_init(struct f7_family *fam, const struct espctl_host *host);

/** Largest flash (bytes) of any part with this device id; 0 when unknown. */
uint32_t f7_max_flash(uint32_t device_id);
/** Address of the u16 flash size register (KiB) of this device id. */
uint32_t f7_flash_size_reg(uint32_t device_id);

int f7_flash_open(void *family_data, const struct espctl_chip_desc *chip,
                  const struct espctl_target_mem *mem, void **flash,
                  struct espctl_flash_geometry *geometry);
int f7_sector_at(void *flash, uint64_t address, uint64_t *start, uint64_t *size);
int f7_erase_sector(void *flash, uint64_t start);
int f7_mass_erase(void *flash);
int f7_program(void *flash, uint64_t address, const uint8_t *data, uint64_t length);
void f7_flash_close(void *flash);

#endif
