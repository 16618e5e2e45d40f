/*
 * On-target checks through a chip family's check() hook (ABI 1.1): the target itself confirms
 * that a flash range holds the expected bytes (the STM32H7 flash interface's CRC unit, the
 * STM32F7's DMA into its CRC peripheral), so those bytes need not travel back over the probe --
 * after programming (verify) and before it (compare: does a sector already hold the image, or is
 * it blank). Ranges that differ, or that the family cannot check, are left to the caller's
 * read-back, which names the first differing byte: the read-back stays the authority.
 */
#ifndef CORTEXM_FLASH_CHECK_H
#define CORTEXM_FLASH_CHECK_H

#include "flash_engine.h"

/** The family's check granule in bytes, or 0 when it offers no on-target check. */
uint32_t fc_unit(const struct fe_target *t);

/** Check [address, address+length) (multiples of fc_unit) on the target, unless it is shorter
 * than four of the link's transfer blocks (reading it back costs no more). matched() is called
 * for each piece the target holds exactly; *differs (may be NULL) counts pieces that do not.
 * Returns 0 or the error of a check that failed to run. */
int fc_check(const struct fe_target *t, uint64_t address, const uint8_t *expected, uint64_t length,
             void (*matched)(void *ctx, uint64_t lo, uint64_t hi), void *ctx, uint32_t *differs);

#endif
