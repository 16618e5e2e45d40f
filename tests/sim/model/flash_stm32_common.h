/* Helpers shared by the STM32 flash-controller models (L4, F7, H7): key sequences,
 * register lane extraction and the one-shot injected programming error. Internal to sim_model. */
#ifndef SIM_FLASH_STM32_COMMON_H
#define SIM_FLASH_STM32_COMMON_H

#include <stdint.h>

#include "sim/flash.h"
#include "sim/target.h"

#define STM32_KEY1 0x45670123u
#define STM32_KEY2 0xCDEF89ABu
#define STM32_OPTKEY1 0x08192A3Bu
#define STM32_OPTKEY2 0x4C5D6E7Fu

enum stm32_keys { STM32_KEYS_IDLE, STM32_KEYS_GOT_FIRST, STM32_KEYS_LOCKED_OUT };

/* One write to a key register guarding `lockbit` of *reg. A wrong sequence locks the key
 * register until reset and is a bus error (-1), as on silicon. */
static inline int stm32_key_write(enum stm32_keys *keys, uint32_t v, uint32_t k1, uint32_t k2,
                                  uint32_t *reg, uint32_t lockbit, int lock_is_set)
{
    if (*keys == STM32_KEYS_LOCKED_OUT)
        return -1;
    if (!lock_is_set)
        return 0;
    if (*keys == STM32_KEYS_IDLE && v == k1) {
        *keys = STM32_KEYS_GOT_FIRST;
        return 0;
    }
    if (*keys == STM32_KEYS_GOT_FIRST && v == k2) {
        *keys = STM32_KEYS_IDLE;
        *reg &= ~lockbit;
        return 0;
    }
    *keys = STM32_KEYS_LOCKED_OUT;
    return -1;
}

/* Narrow register reads return the addressed lanes of the 32-bit value. */
static inline uint32_t stm32_lanes(uint32_t v, uint32_t off, unsigned size)
{
    return size == 4 ? v : (v >> (8 * (off & 3))) & ((1u << (8 * size)) - 1);
}

/* The armed one-shot programming error for the unit at array offset `off` (length `len`),
 * or SIM_FLASH_ERR_NONE. Firing disarms it. */
static inline enum sim_flash_err stm32_take_injected(struct sim_flash *fl, uint32_t off,
                                                     uint32_t len)
{
    struct sim_faults *f = &fl->target->faults;
    if (f->flash_err == SIM_FLASH_ERR_NONE)
        return SIM_FLASH_ERR_NONE;
    if (f->flash_err_at_armed && f->flash_err_at - (fl->base + off) >= len)
        return SIM_FLASH_ERR_NONE;
    enum sim_flash_err e = f->flash_err;
    f->flash_err = SIM_FLASH_ERR_NONE;
    f->flash_err_at_armed = false;
    return e;
}

/* True when every byte of array[off, off+len) is erased. */
static inline int stm32_erased(const struct sim_flash *fl, uint32_t off, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++)
        if (fl->array[off + i] != 0xFF)
            return 0;
    return 1;
}

#endif
