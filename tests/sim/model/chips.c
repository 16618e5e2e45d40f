/* Chip personalities. */
#include <strings.h>

#include "sim/flash_families.h"
#include "sim/target.h"

/* STM32G431 (DEV_ID 0x468, revision Z = 0x2001): Cortex-M4F r0p1, single-bank 2 KiB pages. */
#define G431(nm, flash_kib)                                                                     \
    {.name = nm, .family = "stm32g4", .dpidr = 0x2BA01477u, .cpuid = 0x410FC241u,               \
     .dbgmcu_idcode = 0x20016468u, .flash_base = 0x08000000u, .flash_size = (flash_kib) * 1024u, \
     .page_size = 2048u, .flash_regs_base = 0x40022000u, .sram_base = 0x20000000u,              \
     .sram_size = 32u * 1024u, .info_base = 0x1FFF7500u, .flash_size_reg = 0x1FFF75E0u,         \
     .otp_base = 0x1FFF7000u, .otp_size = 1024u, .flash_ops = &sim_flash_stm32g4_ops}

/* STM32L476RG (DEV_ID 0x415, revision 4 = 0x1007): Cortex-M4F r0p1, 1 MiB dual bank of 2 KiB
 * pages, 96 KiB SRAM1; engineering bytes and flash size register as on G4 (RM0351 §48). */
#define L4(nm, dev_rev, flash_kib, ram_kib)                                                    \
    {.name = nm, .family = "stm32l4", .dpidr = 0x2BA01477u, .cpuid = 0x410FC241u,              \
     .dbgmcu_idcode = dev_rev, .flash_base = 0x08000000u, .flash_size = (flash_kib) * 1024u,   \
     .page_size = 2048u, .flash_regs_base = 0x40022000u, .sram_base = 0x20000000u,             \
     .sram_size = (ram_kib) * 1024u, .info_base = 0x1FFF7500u, .flash_size_reg = 0x1FFF75E0u,  \
     .otp_base = 0x1FFF7000u, .otp_size = 1024u, .flash_ops = &sim_flash_stm32l4_ops}

/* STM32F746ZG (DEV_ID 0x449, revision Z = 0x1001): Cortex-M7 r0p1, 1 MiB single bank of
 * 4x32 + 128 + 3x256 KiB sectors, DTCM + SRAM1 + SRAM2 contiguous from 0x20000000 (320 KiB);
 * flash size register at 0x1FF0F442, OTP at 0x1FF0F000 (RM0385 §41). STM32F767ZI (0x451,
 * RM0410) as shipped: single-bank mode (OPTCR.nDBANK=1), 2 MiB in 12 sectors. STM32F722ZE
 * (0x452, RM0431): 512 KiB of 4x16 + 64 + 3x128 KiB sectors, size register at 0x1FF07A22. */
#define F7(nm, dev_rev, flash_kib, ram_kib, size_reg, otp, otp_len)                        \
    {.name = nm, .family = "stm32f7", .dpidr = 0x5BA02477u, .cpuid = 0x410FC271u,              \
     .dbgmcu_idcode = dev_rev, .flash_base = 0x08000000u, .flash_size = (flash_kib) * 1024u,   \
     .page_size = 32768u, .flash_regs_base = 0x40023C00u, .sram_base = 0x20000000u,            \
     .sram_size = (ram_kib) * 1024u, .info_base = (size_reg) - 2u,                            \
     .flash_size_reg = (size_reg),                                                             \
     .otp_base = (otp), .otp_size = (otp_len), .flash_ops = &sim_flash_stm32f7_ops}

/* STM32H743ZI (DEV_ID 0x450, revision V = 0x2003): Cortex-M7 r1p1, 2 MiB in two banks of eight
 * 128 KiB sectors, DTCM at 0x20000000 (128 KiB); flash size register at 0x1FF1E880; the
 * system memory at 0x1FF00000 stands in for the OTP region the model maps (RM0433 §61). */
#define H7(nm, dev_rev, flash_kib)                                                             \
    {.name = nm, .family = "stm32h7", .dpidr = 0x6BA02477u, .cpuid = 0x411FC271u,              \
     .dbgmcu_idcode = dev_rev, .flash_base = 0x08000000u, .flash_size = (flash_kib) * 1024u,   \
     .page_size = 131072u, .flash_regs_base = 0x52002000u, .sram_base = 0x20000000u,           \
     .sram_size = 128u * 1024u, .info_base = 0x1FF1E800u, .flash_size_reg = 0x1FF1E880u,       \
     .otp_base = 0x1FF00000u, .otp_size = 1024u, .flash_ops = &sim_flash_stm32h7_ops}

static const struct sim_chip chips[] = {
    G431("stm32g431rb", 128), G431("stm32g431cb", 128), G431("stm32g431kb", 128),
    G431("stm32g431vb", 128), G431("stm32g431r8", 64),  G431("stm32g431c8", 64),
    G431("stm32g431k8", 64),  G431("stm32g431r6", 32),
    L4("stm32l476rg", 0x10076415u, 1024, 96), L4("stm32l432kc", 0x10016435u, 256, 48),
    F7("stm32f746zg", 0x10016449u, 1024, 320, 0x1FF0F442u, 0x1FF0F000u, 1024u),
    F7("stm32f767zi", 0x10016451u, 2048, 512, 0x1FF0F442u, 0x1FF0F000u, 1024u),
    F7("stm32f722ze", 0x10006452u, 512, 256, 0x1FF07A22u, 0x1FF07800u, 528u),
    H7("stm32h743zi", 0x20036450u, 2048),
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
