/*
 * The STM32G4 chip family: chip table, identification, and the flash controller
 * (RM0440). It reaches the target only through struct espctl_target_mem.
 *
 * Geometry (see docs/decisions/0401-cortexm-flash-engine.md):
 *   0x468 G431/G441 and 0x479 G491/G4A1: single bank, 2 KiB pages.
 *   0x469 G471/G473/G474: OPTR.DBANK=1 (factory default) gives two banks of 2 KiB
 *   pages, bank 2 at 0x08040000 whatever the density (trimmed parts have a gap);
 *   DBANK=0 gives one bank of 4 KiB pages.
 */
#ifndef CORTEXM_STM32G4_H
#define CORTEXM_STM32G4_H

#include "espctl/plugin.h"

#define G4_FLASH_BASE 0x08000000u
#define G4_RAM_BASE 0x20000000u
#define G4_DBGMCU_IDCODE 0xE0042000u
#define G4_FLASH_SIZE_REG 0x1FFF75E0u

#define G4_FLASH_REGS 0x40022000u
#define G4_FLASH_KEYR (G4_FLASH_REGS + 0x08u)
#define G4_FLASH_SR (G4_FLASH_REGS + 0x10u)
#define G4_FLASH_CR (G4_FLASH_REGS + 0x14u)
#define G4_FLASH_OPTR (G4_FLASH_REGS + 0x20u)

#define G4_KEY1 0x45670123u
#define G4_KEY2 0xCDEF89ABu

#define G4_CR_PG (1u << 0)
#define G4_CR_PER (1u << 1)
#define G4_CR_MER1 (1u << 2)
#define G4_CR_PNB_SHIFT 3
#define G4_CR_PNB_MASK 0xFFu
#define G4_CR_BKER (1u << 11)
#define G4_CR_MER2 (1u << 15)
#define G4_CR_STRT (1u << 16)
#define G4_CR_LOCK (1u << 31)

#define G4_SR_EOP (1u << 0)
#define G4_SR_BSY (1u << 16)
/* OPERR PROGERR WRPERR PGAERR SIZERR PGSERR MISERR FASTERR RDERR OPTVERR */
#define G4_SR_ERRORS 0xC3FAu

#define G4_OPTR_DBANK (1u << 22)

#define G4_DEV_G43X_G44X 0x468u
#define G4_DEV_G47X_G48X 0x469u
#define G4_DEV_G49X_G4AX 0x479u

#define G4_MAX_CHIPS 96

struct g4_family {
    const struct espctl_host *host;
    struct espctl_chip_desc descs[G4_MAX_CHIPS];
    struct espctl_mem_region regions[G4_MAX_CHIPS][2];
    char names[G4_MAX_CHIPS][16];
    char probe_rs_names[G4_MAX_CHIPS][20];
    const struct espctl_chip_desc *list[G4_MAX_CHIPS + 1];
};

/** Build the chip table and fill the family vtable (family_data = fam). */
void g4_family_init(struct g4_family *fam, const struct espctl_host *host,
                    struct espctl_chip_family *vtable);

/** Largest flash (bytes) any part with this DBGMCU id has; 0 for an unknown id. */
uint32_t g4_max_flash(uint32_t device_id);

/* Flash controller members of the vtable (stm32g4_flash.c). */
int g4_flash_open(void *family_data, const struct espctl_chip_desc *chip,
                  const struct espctl_target_mem *mem, void **flash,
                  struct espctl_flash_geometry *geometry);
int g4_sector_at(void *flash, uint64_t address, uint64_t *start, uint64_t *size);
int g4_erase_sector(void *flash, uint64_t start);
int g4_mass_erase(void *flash);
int g4_program(void *flash, uint64_t address, const uint8_t *data, uint64_t length);
void g4_flash_close(void *flash);

#endif
