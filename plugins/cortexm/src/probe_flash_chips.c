/* Chips cortexm flashes only through a probe that writes flash itself: STM32F405/F407
 * (QEMU's netduinoplus2 models the F405RG). Memory map from RM0090: flash at 0x08000000
 * in sectors of 4 x 16 KiB, 1 x 64 KiB, then 128 KiB; SRAM1+SRAM2 (112 + 16 KiB)
 * contiguous at 0x20000000; 64 KiB CCM data RAM at 0x10000000. */
#include "probe_flash_chips.h"

#include <ctype.h>
#include <strings.h>

#define KIB 1024u
#define F4_DEV_F405_F407 0x413u

static const struct espctl_mem_region f4_1m[] = {
    {.base = 0x08000000u, .size = 1024u * KIB, .kind = ESPCTL_MEM_FLASH},
    {.base = 0x20000000u, .size = 128u * KIB, .kind = ESPCTL_MEM_RAM},
    {.base = 0x10000000u, .size = 64u * KIB, .kind = ESPCTL_MEM_RAM},
};
static const struct espctl_mem_region f4_512k[] = {
    {.base = 0x08000000u, .size = 512u * KIB, .kind = ESPCTL_MEM_FLASH},
    {.base = 0x20000000u, .size = 128u * KIB, .kind = ESPCTL_MEM_RAM},
    {.base = 0x10000000u, .size = 64u * KIB, .kind = ESPCTL_MEM_RAM},
};

static const struct pf_sector_run f4_sectors[] = {{4, 16u * KIB}, {1, 64u * KIB}, {0, 128u * KIB}};

#define F4(part, prs, map, flash_kib)                                                     \
    {.desc = {.hdr = ESPCTL_ABI_HDR(struct espctl_chip_desc), .name = part,                 \
              .probe_rs_name = prs, .device_id = F4_DEV_F405_F407,                          \
              .flash_size = (flash_kib) * KIB, .region_count = sizeof(map) / sizeof((map)[0]), \
              .regions = (map)},                                                            \
     .sectors = f4_sectors, .sector_runs = sizeof f4_sectors / sizeof f4_sectors[0]}

static const struct pf_chip chips[] = {
    F4("stm32f405rg", "STM32F405RGTx", f4_1m, 1024), F4("stm32f405vg", "STM32F405VGTx", f4_1m, 1024),
    F4("stm32f405zg", "STM32F405ZGTx", f4_1m, 1024), F4("stm32f407vg", "STM32F407VGTx", f4_1m, 1024),
    F4("stm32f407zg", "STM32F407ZGTx", f4_1m, 1024), F4("stm32f407ig", "STM32F407IGHx", f4_1m, 1024),
    F4("stm32f407ve", "STM32F407VETx", f4_512k, 512), F4("stm32f407ze", "STM32F407ZETx", f4_512k, 512),
    F4("stm32f407ie", "STM32F407IEHx", f4_512k, 512),
};

const struct pf_chip *pf_chip_named(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof chips / sizeof chips[0]; i++)
        if (!strcasecmp(chips[i].desc.name, name) || !strcasecmp(chips[i].desc.probe_rs_name, name))
            return &chips[i];
    return NULL;
}

const struct pf_chip *pf_chip_of(const struct espctl_chip_desc *desc)
{
    for (size_t i = 0; i < sizeof chips / sizeof chips[0]; i++)
        if (desc == &chips[i].desc)
            return &chips[i];
    return NULL;
}

int pf_chip_sector(const struct pf_chip *c, uint64_t base, uint64_t size, uint64_t address,
                   uint64_t *start, uint64_t *length)
{
    if (address < base || address - base >= size)
        return -1;
    uint64_t at = base;
    for (uint32_t i = 0; i < c->sector_runs; i++) {
        const struct pf_sector_run *r = &c->sectors[i];
        uint64_t run_end = r->count ? at + (uint64_t)r->count * r->size : base + size;
        if (address < run_end) {
            *start = at + (address - at) / r->size * r->size;
            *length = r->size;
            return 0;
        }
        at = run_end;
    }
    return -1;
}
