/*
 * ESP-IDF application image format (research/esp-protocol.md §6): 8-byte header,
 * 16-byte extended header, segments (addr, length, data), 0-padding to 16 bytes with
 * the XOR checksum as the last byte, optional SHA-256 of everything before it.
 */
#ifndef ESP32_IMAGE_H
#define ESP32_IMAGE_H

#include "esp_chip.h"
#include "esp_elf.h"
#include "esp_vec.h"

#include <stddef.h>
#include <stdint.h>

#define ESP_IMAGE_MAGIC 0xE9
#define ESP_IMAGE_HEADER_LEN 24
#define ESP_IMAGE_SEGMENT_HEADER_LEN 8
#define ESP_IMAGE_CHECKSUM_SEED 0xEF
#define ESP_IMAGE_MAX_SEGMENTS 16
#define ESP_MMU_PAGE 0x10000u
#define ESP_APP_DESC_MAGIC 0xABCD5432u

/** Header fields an image writer fills. */
struct esp_image_params {
    const struct esp_chip_info *chip;
    uint8_t flash_mode;  /* 0 qio .. 3 dout */
    uint8_t size_code;   /* high nibble of byte 3 */
    uint8_t freq_code;   /* low nibble of byte 3 */
    uint32_t entry;
    uint16_t min_chip_rev_full;
};

/** One segment of a raw image (writer input). */
struct esp_image_seg {
    uint32_t addr;
    uint32_t size;
    const uint8_t *data;
};

/**
 * Writes an image of the given segments in the given order, without MMU alignment
 * (what a bootloader image is), with the SHA-256 appended. Returns 0 or -1 with err.
 */
int esp_image_write_plain(const struct esp_image_params *p, const struct esp_image_seg *segs,
                          uint32_t count, struct esp_vec *out, char *err, size_t errlen);

/**
 * Builds an application image from an ELF the way `espflash save-image` does: flash-mapped
 * chunks and RAM chunks merged separately, the segment holding .flash.appdesc first,
 * flash segments at file offsets congruent to their address modulo the MMU page (gaps
 * filled with RAM data or padding segments), RAM segments after them, checksum, SHA-256.
 * `elf_bytes` is the whole ELF (its SHA-256 goes into the app descriptor when present).
 */
int esp_image_build_app(const struct esp_image_params *p, const struct esp_elf *elf,
                        const uint8_t *elf_bytes, size_t elf_size, struct esp_vec *out, char *err,
                        size_t errlen);

/** A parsed segment. */
struct esp_image_seg_info {
    uint32_t addr, size;
    uint32_t file_offset; /* of the segment's data */
};

struct esp_image_info {
    uint8_t segment_count;
    uint8_t flash_mode, size_code, freq_code;
    uint32_t entry;
    uint16_t chip_id;
    uint8_t min_rev;
    uint16_t min_chip_rev_full, max_chip_rev_full;
    uint8_t hash_appended;
    uint8_t checksum, computed_checksum;
    int sha256_ok;                 /* 1 ok, 0 mismatch, -1 no hash */
    uint32_t length;               /* whole image including checksum and hash */
    struct esp_image_seg_info segs[ESP_IMAGE_MAX_SEGMENTS];
};

/**
 * Parses an image at the start of data. Structural problems (truncation, too many
 * segments, bad magic) fail with -1 and err naming the field and offset; a wrong
 * checksum or hash is reported in info (checksum vs computed_checksum, sha256_ok).
 */
int esp_image_parse(const uint8_t *data, size_t size, struct esp_image_info *info, char *err,
                    size_t errlen);
/** 1 when a parsed image's checksum and (if present) hash are right. */
int esp_image_valid(const struct esp_image_info *info);

/**
 * Rewrites bytes 2-3 (flash mode, size, frequency) of the image at data and recomputes its
 * appended SHA-256 (what tools do to the bootloader). Returns 0 or -1 with err.
 */
int esp_image_patch_flash_params(uint8_t *data, size_t size, uint8_t mode, uint8_t size_code,
                                 uint8_t freq_code, char *err, size_t errlen);

#endif
