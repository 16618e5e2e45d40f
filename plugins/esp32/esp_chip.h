/* ESP32-family chip facts: ids, ROM detection words, memory map, flash header encodings. */
#ifndef ESP32_CHIP_H
#define ESP32_CHIP_H

#include <stdint.h>

#define ESP_EM_XTENSA 94
#define ESP_EM_RISCV 243

struct esp_addr_range {
    uint32_t start, end; /* [start, end) */
};

/** One flash-frequency spelling and its header nibble. */
struct esp_freq_code {
    const char *name;
    uint8_t code;
};

struct esp_chip_info {
    const char *name;               /* "esp32s3" */
    const char *pretty;             /* "ESP32-S3" */
    uint16_t chip_id;               /* image header / GET_SECURITY_INFO id */
    uint16_t elf_machine;           /* ESP_EM_XTENSA or ESP_EM_RISCV */
    const uint32_t *magic;          /* ROM words at 0x40001000, 0-terminated list */
    uint32_t bootloader_offset;     /* 0x1000 on ESP32/S2, 0 later */
    uint32_t default_flash_size;    /* bytes */
    const char *default_flash_freq; /* "80m" where valid */
    const struct esp_freq_code *freqs; /* NULL-name terminated */
    struct esp_addr_range flash_map[2]; /* IROM, DROM: flash-mapped virtual ranges */
    int flash_begin_has_encrypted;  /* ROM takes the 5th "encrypted" word */
};

/** Chip by lower-case name (case-insensitive, dashes ignored: "ESP32-S3" works); NULL if unknown. */
const struct esp_chip_info *esp_chip_by_name(const char *name);
/** Chip by image/security chip id; NULL if unknown. */
const struct esp_chip_info *esp_chip_by_id(uint32_t chip_id);
/** Chip by ROM magic word; NULL if unknown. */
const struct esp_chip_info *esp_chip_by_magic(uint32_t magic);
/** Chip at index i (0..), NULL past the end. */
const struct esp_chip_info *esp_chip_at(unsigned i);
/** 1 when addr lies in one of the chip's flash-mapped ranges. */
int esp_chip_addr_is_flash(const struct esp_chip_info *chip, uint32_t addr);
/** Header nibble for a frequency spelling ("80m"); -1 when the chip does not support it. */
int esp_chip_freq_code(const struct esp_chip_info *chip, const char *freq);
/** Spelling for a header nibble, or NULL. */
const char *esp_chip_freq_name(const struct esp_chip_info *chip, uint8_t code);

/** Flash modes "qio" "qout" "dio" "dout" <-> 0..3; -1 / NULL when unknown. */
int esp_flash_mode_code(const char *mode);
const char *esp_flash_mode_name(uint8_t code);
/** Flash sizes "1MB".."128MB" <-> header nibble 0..7 and bytes; -1 / NULL when unknown. */
int esp_flash_size_code(const char *size);
const char *esp_flash_size_name(uint8_t code);
uint32_t esp_flash_size_bytes(uint8_t code);
/** Header nibble for a size in bytes, -1 when not a supported size. */
int esp_flash_size_code_for_bytes(uint32_t bytes);

#endif
