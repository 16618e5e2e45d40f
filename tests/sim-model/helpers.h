/* Shared set-up for the target-model unit tests. */
#ifndef SIM_MODEL_TEST_HELPERS_H
#define SIM_MODEL_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "sim/target.h"

#define FLASH_BASE 0x08000000u
#define FLASH_REGS 0x40022000u
#define F_KEYR (FLASH_REGS + 0x08u)
#define F_SR (FLASH_REGS + 0x10u)
#define F_CR (FLASH_REGS + 0x14u)
#define F_WRP1AR (FLASH_REGS + 0x2Cu)

static inline struct sim_target *new_g431(void)
{
    struct sim_target *t = sim_target_new(sim_chip_find("stm32g431rb"));
    assert_non_null(t);
    return t;
}

static inline uint32_t rd32(struct sim_target *t, uint32_t addr)
{
    uint32_t v = 0;
    assert_int_equal(sim_bus_read(&t->bus, addr, 4, &v), 0);
    return v;
}

static inline void wr32(struct sim_target *t, uint32_t addr, uint32_t v)
{
    assert_int_equal(sim_bus_write(&t->bus, addr, 4, v), 0);
}

static inline void unlock_flash(struct sim_target *t)
{
    wr32(t, F_KEYR, 0x45670123u);
    wr32(t, F_KEYR, 0xCDEF89ABu);
    assert_int_equal(rd32(t, F_CR) & 0x80000000u, 0);
}

#endif
