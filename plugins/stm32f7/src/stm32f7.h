/*
 * The STM32F7 chip family (RM0385 F74x/F75x, RM0410 F76x/F77x, RM0431 F72x/F73x): chip table,
 * identification by DBGMCU_IDCODE and the flash controller at 0x40023C00 (sectors of
 * 4 x U, 1 x 4U, then 8U with U = 32 KiB, or 16 KiB on F72x and on F76x in dual-bank mode;
 * x32 programming parallelism, i.e. VDD 2.7-3.6 V).
 */
#ifndef STM32F7_H
#define STM32F7_H

#include "espctl/plugin.h"
#include "stm32_common.h"

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

/** The DMA2-to-CRC check engine of one open flash (stm32f7_check.c, decision 0805). */
enum { F7_DMA_CRC_UNPREPARED, F7_DMA_CRC_READY, F7_DMA_CRC_UNUSABLE };
struct f7_dma_crc {
    int state;
    int restore;      /**< RCC_AHB1ENR was changed: write back `ahb1enr` */
    int dr_stale;     /**< CRC_DR no longer holds `dr`: reset it before the next range */
    uint32_t ahb1enr; /**< RCC_AHB1ENR as found */
    uint32_t dr;      /**< CRC_DR after the last range */
};

/** Switch on the CRC unit's and DMA2's clocks and set the CRC unit up, once: a handful of
 *  register accesses that need not wait, so the driver issues them while an erase runs. Marks
 *  the engine unusable (not an error) when DMA2 stream 0 is already running. */
int f7_dma_crc_prepare(const struct stm32_io *io, struct f7_dma_crc *c);
/** espctl_chip_family.check through the engine: CRC [address, address+length) on the target,
 *  up to 65535 words at a time. *checked = 0 when the engine cannot be used. */
int f7_dma_crc_check(const struct stm32_io *io, struct f7_dma_crc *c, uint64_t address,
                     const uint8_t *expected, uint64_t length, uint64_t *checked, int *same);
/** Put RCC_AHB1ENR back as it was found. */
int f7_dma_crc_restore(const struct stm32_io *io, struct f7_dma_crc *c);

int f7_flash_open(void *family_data, const struct espctl_chip_desc *chip,
                  const struct espctl_target_mem *mem, void **flash,
                  struct espctl_flash_geometry *geometry);
int f7_sector_at(void *flash, uint64_t address, uint64_t *start, uint64_t *size);
int f7_erase_sector(void *flash, uint64_t start);
int f7_mass_erase(void *flash);
int f7_program(void *flash, uint64_t address, const uint8_t *data, uint64_t length);
int f7_check(void *flash, uint64_t address, const uint8_t *expected, uint64_t length,
             uint64_t *checked, int *same);
void f7_flash_close(void *flash);

#endif
