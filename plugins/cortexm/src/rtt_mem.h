/* Target memory accesses of the RTT code: any address and length, word transfers
 * where the span allows them. */
#ifndef CORTEXM_RTT_MEM_H
#define CORTEXM_RTT_MEM_H

#include "rtt.h"

/** 1 when [address, address+length) lies inside one RAM region of `r`. */
int cm_rtt_in_ram(const struct cm_rtt *r, uint64_t address, uint64_t length);

/** Read `length` bytes at `address`: through the enclosing word-aligned span when it
 * stays inside RAM (32-bit transfers), else byte by byte. */
int cm_rtt_mem_read(struct cm_rtt *r, uint64_t address, uint8_t *buf, uint32_t length);

/** Write `length` bytes at `address` with the widest transfers alignment allows. */
int cm_rtt_mem_write(struct cm_rtt *r, uint64_t address, const uint8_t *buf, uint32_t length);

/** Read two consecutive 32-bit words (WrOff and RdOff of a descriptor) in one request. */
int cm_rtt_read_offsets(struct cm_rtt *r, uint32_t desc, uint32_t *wr, uint32_t *rd);

#endif
