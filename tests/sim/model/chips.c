/* Chip personalities. */
#include <strings.h>

#include "sim/target.h"

/* STM32G431 (DEV_ID 0x468, revision Z = 0x2001): Cortex-M4F r0p1, single-bank 2 KiB pages. */
#define G431(nm, flash_kib)                                                                     \
    {.name = nm, .family = "stm32g4", .dpidr = 0x2BA01477u, .cpuid = 0x410FC241u,               \
     .dbgmcu_idcode = 0x20016468u, .flash_base = 0x08000000u, .flash_size = (flash_kib) * 1024u, \
     .page_size = 2048u, .flash_regs_base = 0x40022000u, .sram_base = 0x20000000u,              \
     .sram_size = 32u * 1024u, .info_base = 0x1FFF7500u, .flash_size_reg = 0x1FFF75E0u,         \
     .otp_base = 0x1FFF7000u, .otp_size = 1024u, .flash_ops = &sim_flash_stm32g4_ops}

static const struct sim_chip chips[] = {
    G431("stm32g431rb", 128), G431("stm32g431cb", 128), G431("stm32g431kb", 128),
    G431("stm32g431vb", 128), G431("stm32g431r8", 64),  G431("stm32g431c8", 64),
    G431("stm32g431k8", 64),  G431("stm32g431r6", 32),
};

const struct sim_chip *sim_chip_find(const char *name)
{
    for (unsigned i = 0; i < sizeof chips / sizeof chips[0]; i++)
        if (!strcasecmp(chips[i].name, name))
            return &chips[i];
    return NULL;
}

const struct sim_chip *sim_chip_at(unsigned i)
{
    return i < sizeof chips / sizeof chips[0] ? &chips[i] : NULL;
}
