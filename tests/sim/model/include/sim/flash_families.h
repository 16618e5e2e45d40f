/* Flash-controller models of the STM32 families beyond G4: L4 (RM0351), F7 (RM0385/RM0410) and
 * H7 (RM0433), with the datasheet timings they charge to the virtual clock. */
#ifndef SIM_FLASH_FAMILIES_H
#define SIM_FLASH_FAMILIES_H

#include <stdint.h>

#include "sim/flash.h"

/* STM32L476xx datasheet (DS10198), "Flash memory characteristics", typical values:
 * 2 KiB page erase 22.02 ms, mass erase (one or both banks) 22.13 ms, 64-bit program 81.69 us. */
#define SIM_L4_PAGE_ERASE_NS 22020000ull
#define SIM_L4_MASS_ERASE_NS 22130000ull
#define SIM_L4_PROGRAM_DW_NS 81690ull

/* STM32F745xx/746xx datasheet (DS10916), "Flash memory programming", typical values at x32
 * parallelism: word program 16 us, sector erase 32 KiB 250 ms, 128 KiB 1 s, 256 KiB 2 s,
 * mass erase 8 s. A half word (x16) takes the same 16 us. */
#define SIM_F7_PROGRAM_NS 16000ull
#define SIM_F7_ERASE_32K_NS 250000000ull
#define SIM_F7_ERASE_128K_NS 1000000000ull
#define SIM_F7_ERASE_256K_NS 2000000000ull
#define SIM_F7_MASS_ERASE_NS 8000000000ull
/* DMA2 moving one item memory to memory (flash to the CRC unit, decision 0805): no datasheet
 * figure. Modelled as 6 cycles of the 16 MHz HSI the F7 runs on after reset: the CRC unit takes
 * 4 AHB cycles per 32-bit word (RM0385 §6.3.2), plus the FIFO's read and arbitration. */
#define SIM_F7_DMA_ITEM_NS 375ull

/* STM32H742/743/753 datasheet (DS12110), "Flash memory programming", typical values at x64:
 * 256-bit flash word program 200 us, 128 KiB sector erase 1 s, bank erase 8 s. */
#define SIM_H7_PROGRAM_WORD_NS 200000ull
#define SIM_H7_SECTOR_ERASE_NS 1000000000ull
#define SIM_H7_BANK_ERASE_NS 8000000000ull
/* The flash interface's CRC unit: no datasheet figure. Modelled as one 256-bit flash word per
 * 16 cycles of the 64 MHz reset clock (8 to read it at ACR's reset latency of 7 wait states,
 * 8 to fold its 32 bytes in 32 bits per cycle, not overlapped). */
#define SIM_H7_CRC_WORD_NS 250ull

extern const struct sim_flash_ops sim_flash_stm32l4_ops;
extern const struct sim_flash_ops sim_flash_stm32f7_ops;
extern const struct sim_flash_ops sim_flash_stm32h7_ops;

/** H7 only: the next read of the flash word holding @p address reports an ECC error in its
 *  bank's SR (SNECCERR1 when @p double_error is 0 and the data is corrected, DBECCERR1 and a
 *  bus error otherwise) with ECC_FA naming the word. 0, or -1 when @p fl is not an H7 array. */
int sim_flash_stm32h7_inject_ecc(struct sim_flash *fl, uint32_t address, int double_error);

/** F76x/F77x only: switch the option bit nDBANK (0 = dual bank, the sector layout changes at
 *  once, as after an option-byte load). 0, or -1 when @p fl is not such a part. */
int sim_flash_stm32f7_set_dual_bank(struct sim_flash *fl, int dual);

#endif
