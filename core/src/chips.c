/* The Cortex-M chip table (STM32G4, F405/F407, L4, F7, H7) and name matching for `build --target`. */
#include "chips.h"

#include "espctl/bundle.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define KIB 1024u

/* Names follow ST's ordering code: STM32G4 <line><pins><flash>. probe-rs names add the
 * package letter and temperature range ("Tx" = LQFP, "Ux" = UFQFPN, "Vx" = WLCSP...),
 * matching the STM32G4 target file of probe-rs. RAM is SRAM1+SRAM2+CCM. */
#define G4(n, pkg, flash, ram) {"STM32G4" n, "STM32G4" n pkg, "STM32G4", (flash) * KIB, (ram) * KIB}
#define F4(n, pkg, flash) {"STM32F4" n, "STM32F4" n pkg, "STM32F4", (flash) * KIB, 192 * KIB}
const struct core_chip core_chips[] = {
    /* G431: category 2, 32 KiB SRAM */
    G4("31C6", "Tx", 32, 32),  G4("31C8", "Tx", 64, 32),  G4("31CB", "Tx", 128, 32),
    G4("31K6", "Tx", 32, 32),  G4("31K8", "Tx", 64, 32),  G4("31KB", "Tx", 128, 32),
    G4("31M6", "Tx", 32, 32),  G4("31M8", "Tx", 64, 32),  G4("31MB", "Tx", 128, 32),
    G4("31R6", "Tx", 32, 32),  G4("31R8", "Tx", 64, 32),  G4("31RB", "Tx", 128, 32),
    G4("31V6", "Tx", 32, 32),  G4("31V8", "Tx", 64, 32),  G4("31VB", "Tx", 128, 32),
    /* G441: G431 with AES */
    G4("41CB", "Tx", 128, 32), G4("41KB", "Tx", 128, 32), G4("41MB", "Tx", 128, 32),
    G4("41RB", "Tx", 128, 32), G4("41VB", "Tx", 128, 32),
    /* G471: category 3, 128 KiB SRAM */
    G4("71CC", "Tx", 256, 128), G4("71CE", "Tx", 512, 128), G4("71MC", "Tx", 256, 128),
    G4("71ME", "Tx", 512, 128), G4("71QC", "Tx", 256, 128), G4("71QE", "Tx", 512, 128),
    G4("71RC", "Tx", 256, 128), G4("71RE", "Tx", 512, 128), G4("71VC", "Tx", 256, 128),
    G4("71VE", "Tx", 512, 128),
    /* G473 / G474 / G483 / G484: category 3 */
    G4("73CB", "Tx", 128, 128), G4("73CC", "Tx", 256, 128), G4("73CE", "Tx", 512, 128),
    G4("73MB", "Tx", 128, 128), G4("73MC", "Tx", 256, 128), G4("73ME", "Tx", 512, 128),
    G4("73PB", "Ix", 128, 128), G4("73PC", "Ix", 256, 128), G4("73PE", "Ix", 512, 128),
    G4("73QB", "Tx", 128, 128), G4("73QC", "Tx", 256, 128), G4("73QE", "Tx", 512, 128),
    G4("73RB", "Tx", 128, 128), G4("73RC", "Tx", 256, 128), G4("73RE", "Tx", 512, 128),
    G4("73VB", "Tx", 128, 128), G4("73VC", "Tx", 256, 128), G4("73VE", "Tx", 512, 128),
    G4("74CB", "Tx", 128, 128), G4("74CC", "Tx", 256, 128), G4("74CE", "Tx", 512, 128),
    G4("74MB", "Tx", 128, 128), G4("74MC", "Tx", 256, 128), G4("74ME", "Tx", 512, 128),
    G4("74PB", "Ix", 128, 128), G4("74PC", "Ix", 256, 128), G4("74PE", "Ix", 512, 128),
    G4("74QB", "Tx", 128, 128), G4("74QC", "Tx", 256, 128), G4("74QE", "Tx", 512, 128),
    G4("74RB", "Tx", 128, 128), G4("74RC", "Tx", 256, 128), G4("74RE", "Tx", 512, 128),
    G4("74VB", "Tx", 128, 128), G4("74VC", "Tx", 256, 128), G4("74VE", "Tx", 512, 128),
    G4("83CE", "Tx", 512, 128), G4("83ME", "Tx", 512, 128), G4("83QE", "Tx", 512, 128),
    G4("83RE", "Tx", 512, 128), G4("83VE", "Tx", 512, 128),
    G4("84CE", "Tx", 512, 128), G4("84ME", "Tx", 512, 128), G4("84QE", "Tx", 512, 128),
    G4("84RE", "Tx", 512, 128), G4("84VE", "Tx", 512, 128),
    /* G491 / G4A1: category 4, 112 KiB SRAM */
    G4("91CC", "Tx", 256, 112), G4("91CE", "Tx", 512, 112), G4("91KC", "Ux", 256, 112),
    G4("91KE", "Ux", 512, 112), G4("91MC", "Tx", 256, 112), G4("91ME", "Tx", 512, 112),
    G4("91RC", "Tx", 256, 112), G4("91RE", "Tx", 512, 112), G4("91VC", "Tx", 256, 112),
    G4("91VE", "Tx", 512, 112),
    G4("A1CE", "Tx", 512, 112), G4("A1KE", "Ux", 512, 112), G4("A1ME", "Tx", 512, 112),
    G4("A1RE", "Tx", 512, 112), G4("A1VE", "Tx", 512, 112),
    /* STM32F405/F407 (RM0090, DS8626): 112 + 16 KiB SRAM + 64 KiB CCM; flashed only through a
     * probe that writes flash itself (gdbremote: QEMU's netduinoplus2 models the F405RG). */
    F4("05RG", "Tx", 1024), F4("05VG", "Tx", 1024), F4("05ZG", "Tx", 1024),
    F4("07VG", "Tx", 1024), F4("07ZG", "Tx", 1024), F4("07IG", "Hx", 1024),
    F4("07VE", "Tx", 512),  F4("07ZE", "Tx", 512),  F4("07IE", "Hx", 512),
    /* STM32L4 / STM32F7 / STM32H7: flashed through the chip-family plugins stm32l4,
     * stm32f7 and stm32h7 (each its own .so). */
    {"STM32L476RG", "STM32L476RGTx", "STM32L4", 1024 * KIB, 96 * KIB},
    {"STM32L476RE", "STM32L476RETx", "STM32L4", 512 * KIB, 96 * KIB},
    {"STM32L432KC", "STM32L432KCUx", "STM32L4", 256 * KIB, 48 * KIB},
    {"STM32L452RE", "STM32L452RETx", "STM32L4", 512 * KIB, 128 * KIB},
    {"STM32L496ZG", "STM32L496ZGTx", "STM32L4", 1024 * KIB, 256 * KIB},
    {"STM32F746ZG", "STM32F746ZGTx", "STM32F7", 1024 * KIB, 320 * KIB},
    {"STM32F767ZI", "STM32F767ZITx", "STM32F7", 2048 * KIB, 512 * KIB},
    {"STM32F722ZE", "STM32F722ZETx", "STM32F7", 512 * KIB, 256 * KIB},
    {"STM32H743ZI", "STM32H743ZITx", "STM32H7", 2048 * KIB, 128 * KIB},
    {"STM32H743VI", "STM32H743VITx", "STM32H7", 2048 * KIB, 128 * KIB},
};
#undef G4
#undef F4
const size_t core_chip_count = sizeof core_chips / sizeof core_chips[0];

const struct core_chip *core_chip_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < core_chip_count; i++) {
        if (strcasecmp(core_chips[i].name, name) == 0 ||
            strcasecmp(core_chips[i].probe_rs_chip, name) == 0)
            return &core_chips[i];
    }
    return NULL;
}

int core_chip_is_esp(const char *name)
{
    static const char *const esp[] = {"esp32",   "esp32s2", "esp32s3", "esp32c2",
                                      "esp32c3", "esp32c6", "esp32h2"};
    for (size_t i = 0; i < sizeof esp / sizeof esp[0]; i++) {
        if (name && strcasecmp(name, esp[i]) == 0)
            return 1;
    }
    return 0;
}

/* Case-insensitive edit distance, capped at 32 characters per side. */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 32)
        la = 32;
    if (lb > 32)
        lb = 32;
    size_t row[33];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = (a[i - 1] | 0x20) == (b[j - 1] | 0x20) ? 0 : 1;
            size_t best = diag + cost;
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static size_t common_prefix(const char *a, const char *b)
{
    size_t n = 0;
    while (a[n] && b[n] && (a[n] | 0x20) == (b[n] | 0x20))
        n++;
    return n;
}

void core_chip_suggest(const char *name, char *buf, size_t size, size_t max)
{
    buf[0] = '\0';
    /* Rank: edit distance (≤ 3), then longer shared prefix, then table order. */
    size_t picked[16], rank[16], count = 0;
    if (max > 16)
        max = 16;
    for (size_t i = 0; i < core_chip_count; i++) {
        size_t d = distance(name, core_chips[i].name);
        if (d == 0 || d > 3)
            continue;
        size_t r = d * 64 + (32 - (common_prefix(name, core_chips[i].name) & 31));
        size_t at = count < max ? count : max;
        while (at > 0 && rank[at - 1] > r)
            at--;
        if (at >= max)
            continue;
        size_t last = count < max ? count : max - 1;
        for (size_t k = last; k > at; k--) {
            picked[k] = picked[k - 1];
            rank[k] = rank[k - 1];
        }
        picked[at] = i;
        rank[at] = r;
        if (count < max)
            count++;
    }
    size_t used = 0;
    for (size_t k = 0; k < count; k++) {
        int n = snprintf(buf + used, size - used, "%s%s", k ? ", " : "", core_chips[picked[k]].name);
        if (n < 0 || (size_t)n >= size - used)
            return;
        used += (size_t)n;
    }
}

ESPCTL_API uint32_t espctl_chip_count(void)
{
    return (uint32_t)core_chip_count;
}

ESPCTL_API int espctl_chip_get(uint32_t index, struct espctl_chip_info *info)
{
    if (!info || info->hdr.struct_size < offsetof(struct espctl_chip_info, name))
        return core_error(ESPCTL_E_INVAL, "espctl_chip_get: info is NULL or its struct_size is too small");
    if (index >= core_chip_count)
        return core_error(ESPCTL_E_NOT_FOUND, "chip index %u out of range (%zu chips)", index,
                          core_chip_count);
    const struct core_chip *c = &core_chips[index];
    struct espctl_chip_info full = {.hdr = info->hdr, .name = c->name, .probe_rs_chip = c->probe_rs_chip,
                                    .family = c->family, .flash_size = c->flash_size,
                                    .ram_size = c->ram_size};
    size_t n = info->hdr.struct_size < sizeof full ? info->hdr.struct_size : sizeof full;
    memcpy(info, &full, n);
    return 0;
}
