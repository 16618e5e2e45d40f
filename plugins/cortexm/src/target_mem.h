/* struct espctl_target_mem over a probe link: what cortexm lends to chip families. */
#ifndef CORTEXM_TARGET_MEM_H
#define CORTEXM_TARGET_MEM_H

#include "link.h"

/** Fill *mem so its functions reach target memory through `link` (kept borrowed). */
void cm_target_mem_init(struct espctl_target_mem *mem, struct cm_link *link);

/** The transfer block: the probe's max_mem_block (word multiple), 1 KiB when unknown.
 * Transfers are split at multiples of it. */
uint32_t cm_mem_block(const struct cm_link *link);

/** Read any address range: reads the enclosing word-aligned span with 32-bit
 * transfers and copies the requested bytes out. */
int cm_mem_read_bytes(struct cm_link *link, uint64_t address, uint8_t *buf, uint64_t length);

#endif
