/* Helpers shared by the STM32 flash-controller models (G4, L4, F7, H7): key sequences, register
 * lane extraction, the one-shot injected programming error, end-of-operation flags and the
 * double-word program unit. Internal to sim_model. */
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

/* The SR flag each family raises for each kind of injected programming error. */
struct stm32_err_flags {
    uint32_t pgaerr, wrperr, progerr, sizerr, pgserr;
};

/* stm32_take_injected() for the unit at `off` (length `len`), as this family's SR flag; 0 when
 * nothing fires. */
static inline uint32_t stm32_injected_flag(struct sim_flash *fl, uint32_t off, uint32_t len,
                                           const struct stm32_err_flags *flags)
{
    switch (stm32_take_injected(fl, off, len)) {
    case SIM_FLASH_ERR_PGAERR: return flags->pgaerr;
    case SIM_FLASH_ERR_WRPERR: return flags->wrperr;
    case SIM_FLASH_ERR_PROGERR: return flags->progerr;
    case SIM_FLASH_ERR_SIZERR: return flags->sizerr;
    case SIM_FLASH_ERR_PGSERR: return flags->pgserr;
    default: return 0;
    }
}

/* Fold a finished operation into SR: once the array is idle, the owed EOP is raised in *sr
 * (as `eop`) if the interrupt enable was set, and no longer owed either way. */
static inline void stm32_settle_eop(struct sim_flash *fl, int *eop_pending, int eopie, uint32_t *sr,
                                    uint32_t eop)
{
    if (*eop_pending && !sim_flash_busy(fl)) {
        *eop_pending = 0;
        if (eopie)
            *sr |= eop;
    }
}

/* Account one programmed unit and keep the array busy for the family's program time. */
static inline void stm32_program_started(struct sim_flash *fl)
{
    fl->target->stats.double_words_programmed++;
    sim_flash_start_op(fl, fl->program_ns);
}

/* The first half of a double word being programmed by two 32-bit writes (G4, L4). */
struct stm32_dw {
    int pending; /* first word received */
    uint32_t off, first;
};

/* One 32-bit write of a double word at array offset `off`. Returns 1 when it completes the
 * double word at dw->off (first word dw->first, second `v`); otherwise 0, raising `pgaerr` in
 * *sr for a first word off a double-word boundary or a second word not right after the first. */
static inline int stm32_dw_collect(struct stm32_dw *dw, uint32_t off, uint32_t v, uint32_t *sr,
                                   uint32_t pgaerr)
{
    if (!dw->pending) {
        if (off & 7u) {
            *sr |= pgaerr;
            return 0;
        }
        dw->pending = 1;
        dw->off = off;
        dw->first = v;
        return 0;
    }
    dw->pending = 0;
    if (off != dw->off + 4) {
        *sr |= pgaerr;
        return 0;
    }
    return 1;
}

/* Write the completed double word (dw->first, `second`) and start its programming time. */
static inline void stm32_dw_program(struct sim_flash *fl, const struct stm32_dw *dw, uint32_t second)
{
    sim_le_put(fl->array + dw->off, 4, dw->first);
    sim_le_put(fl->array + dw->off + 4, 4, second);
    stm32_program_started(fl);
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
