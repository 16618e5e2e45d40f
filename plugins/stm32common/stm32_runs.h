/*
 * Program runs for the STM32 chip-family plugins (stm32l4, stm32f7, stm32h7): a run is one burst
 * of 32-bit writes spanning several transfer blocks, checked by one status-register read at its
 * end (the controllers' error flags stay set until cleared). After a failed run, the read-back
 * here names the write unit that failed. Header-only, so every family plugin compiles it in
 * without a change to its source list.
 */
#ifndef STM32_RUNS_H
#define STM32_RUNS_H

#include <stdint.h>
#include <string.h>

#include "espctl/plugin.h"

/** Longest run a family programs before checking the status register (bytes). */
#define STM32_RUN_MAX (64u * 1024u)

/**
 * Write `length` bytes of `data` at `address` as 32-bit accesses: the whole `pad`-byte units
 * straight from `data`, then a short tail filled with the erased value 0xFF up to the next
 * multiple of `pad` (4 or 8). Returns the memory access error, or 0.
 */
static inline int stm32_run_write(const struct espctl_target_mem *mem, uint64_t address,
                                  const uint8_t *data, uint32_t length, uint32_t pad)
{
    uint32_t body = length / pad * pad;
    int rc = body ? mem->write(mem->ctx, address, data, body, 32) : 0;
    if (rc == 0 && body < length) {
        uint8_t tail[8];
        memset(tail, 0xFF, sizeof tail);
        memcpy(tail, data + body, length - body);
        rc = mem->write(mem->ctx, address + body, tail, pad, 32);
    }
    return rc;
}

/**
 * After a run that set an error flag: the address of the first `unit`-byte write unit of
 * [address, address + length) whose flash content differs from `data`. The controllers program
 * no unit after a refused one while the flag is set, so that is the unit that failed. Returns 0
 * when the read-back fails or every unit holds its data (the caller then names the whole run).
 */
static inline uint64_t stm32_run_failed_unit(const struct espctl_target_mem *mem, uint64_t address,
                                             const uint8_t *data, uint32_t length, uint32_t unit)
{
    uint8_t back[1024];
    for (uint32_t done = 0; done < length;) {
        uint32_t n = length - done < sizeof back ? length - done : (uint32_t)sizeof back;
        if (mem->read(mem->ctx, address + done, back, (n + 3u) & ~3u) != 0)
            return 0;
        for (uint32_t i = 0; i < n; i++)
            if (back[i] != data[done + i])
                return address + (done + i) / unit * unit;
        done += n;
    }
    return 0;
}

#endif
