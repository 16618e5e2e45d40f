/*
 * core/src/chips.h — the Cortex-M chips `build --target` accepts (table-driven).
 * See docs/decisions/0301-bundle-chip-table-in-core.md for why it lives in core.
 */
#ifndef ESPCTL_CORE_CHIPS_H
#define ESPCTL_CORE_CHIPS_H

#include <stddef.h>
#include <stdint.h>

struct core_chip {
    const char *name;          /* e.g. "STM32G431RB" */
    const char *probe_rs_chip; /* probe-rs target name, e.g. "STM32G431RBTx" */
    const char *family;        /* "STM32G4" */
    uint32_t flash_size;
    uint32_t ram_size;
};

extern const struct core_chip core_chips[];
extern const size_t core_chip_count;

/** Case-insensitive lookup by name or probe-rs name; NULL when unknown. */
const struct core_chip *core_chip_find(const char *name);

/** Non-zero for the Espressif chips (handled by the esp32 plugin's image builder). */
int core_chip_is_esp(const char *name);

/** Write up to `max` close matches of `name` (comma separated) into buf. */
void core_chip_suggest(const char *name, char *buf, size_t size, size_t max);

#endif /* ESPCTL_CORE_CHIPS_H */
