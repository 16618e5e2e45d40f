/* ELF -> merged flash image (bootloader, partition table, app) and image descriptions. */
#ifndef ESP32_BUILD_H
#define ESP32_BUILD_H

#include "esp_chip.h"
#include "esp_vec.h"

#include <stddef.h>
#include <stdint.h>

struct esp_build_opts {
    const char *flash_mode;  /* NULL = "dio" */
    const char *flash_freq;  /* NULL = the chip's default ("80m" where valid) */
    const char *flash_size;  /* NULL = the chip's default */
    const uint8_t *bootloader; /* an ESP image (required) */
    size_t bootloader_len;
    const uint8_t *partition_table; /* CSV text or binary; NULL = single-app default */
    size_t partition_table_len;
};

/** What the build settled on (for the manifest's target object). */
struct esp_build_result {
    const char *flash_mode, *flash_freq, *flash_size;
    uint32_t bootloader_offset, app_offset, app_size;
};

/**
 * Builds the merged image to write at 0x0: 0xFF up to the bootloader offset, the bootloader
 * with its flash parameters patched, 0xFF to 0x8000, the partition table, 0xFF to the app
 * partition, the app image. Not padded to the flash size. Returns 0 or -1 with err.
 */
int esp_build_merged(const struct esp_chip_info *chip, const uint8_t *elf, size_t elf_size,
                     const struct esp_build_opts *opts, struct esp_vec *merged,
                     struct esp_build_result *result, char *err, size_t errlen);

/**
 * Describes data at address as JSON text (malloc'd): a merged image (bootloader, partition
 * table, app) when one is found at the chip's offsets, else a single image. Returns 0,
 * 1 when the bytes are not an ESP image, -1 with err on a malformed one.
 */
int esp_describe(uint64_t address, const uint8_t *data, size_t size, char **json, char *err,
                 size_t errlen);

#endif
