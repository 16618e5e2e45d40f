/* cortexm's own table of chips whose flash only a probe writes (no chip-family plugin). */
#ifndef CORTEXM_PROBE_FLASH_CHIPS_H
#define CORTEXM_PROBE_FLASH_CHIPS_H

#include "espctl/plugin.h"

/** `count` sectors of `size` bytes; count 0 = repeat to the end of flash. */
struct pf_sector_run {
    uint32_t count;
    uint32_t size;
};

struct pf_chip {
    struct espctl_chip_desc desc;
    const struct pf_sector_run *sectors;
    uint32_t sector_runs;
};

/** By part name ("stm32f405rg") or probe-rs name ("STM32F405RGTx"); NULL when unknown. */
const struct pf_chip *pf_chip_named(const char *name);
/** The table entry whose descriptor is `desc`; NULL for other descriptors. */
const struct pf_chip *pf_chip_of(const struct espctl_chip_desc *desc);
/** The sector of flash [base, base+size) holding `address`; -1 outside it. */
int pf_chip_sector(const struct pf_chip *chip, uint64_t base, uint64_t size, uint64_t address,
                   uint64_t *start, uint64_t *length);

#endif
