/*
 * Chip table. Sources (facts only): esptool targets (one module per chip) and espflash target modules —
 * chip ids, "chip detect magic" words, IROM/DROM map ranges, SPI frequency encodings,
 * second-stage bootloader offsets.
 */
#include "esp_chip.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>

static const struct esp_freq_code freqs_common[] = {
    {"80m", 0xF}, {"40m", 0x0}, {"26m", 0x1}, {"20m", 0x2}, {NULL, 0}};
static const struct esp_freq_code freqs_c2[] = {
    {"60m", 0xF}, {"30m", 0x0}, {"20m", 0x1}, {"15m", 0x2}, {NULL, 0}};
/* ESP32-C6: 80m and 40m share code 0 (the bootloader picks the clock source). */
static const struct esp_freq_code freqs_c6[] = {{"80m", 0x0}, {"40m", 0x0}, {"20m", 0x2}, {NULL, 0}};
static const struct esp_freq_code freqs_h2[] = {
    {"48m", 0xF}, {"24m", 0x0}, {"16m", 0x1}, {"12m", 0x2}, {NULL, 0}};

static const uint32_t magic_esp32[] = {0x00F01D83u, 0};
static const uint32_t magic_s2[] = {0x000007C6u, 0};
static const uint32_t magic_s3[] = {0x00000009u, 0};
static const uint32_t magic_c3[] = {0x6921506Fu, 0x1B31506Fu, 0x4881606Fu, 0x4361606Fu, 0};
static const uint32_t magic_c2[] = {0x6F51306Fu, 0x7C41A06Fu, 0x0C21E06Fu, 0};
static const uint32_t magic_c6[] = {0x2CE0806Fu, 0};
static const uint32_t magic_h2[] = {0xD7B73E80u, 0};

#define MB (1024u * 1024u)

static const struct esp_chip_info chips[] = {
    {"esp32", "ESP32", 0, ESP_EM_XTENSA, magic_esp32, 0x1000, 4 * MB, "80m", freqs_common,
     {{0x400D0000u, 0x40400000u}, {0x3F400000u, 0x3F800000u}}, 0},
    {"esp32s2", "ESP32-S2", 2, ESP_EM_XTENSA, magic_s2, 0x1000, 4 * MB, "80m", freqs_common,
     {{0x40080000u, 0x40B80000u}, {0x3F000000u, 0x3FF80000u}}, 1},
    {"esp32s3", "ESP32-S3", 9, ESP_EM_XTENSA, magic_s3, 0x0, 4 * MB, "80m", freqs_common,
     {{0x42000000u, 0x44000000u}, {0x3C000000u, 0x3E000000u}}, 1},
    {"esp32c2", "ESP32-C2", 12, ESP_EM_RISCV, magic_c2, 0x0, 2 * MB, "60m", freqs_c2,
     {{0x42000000u, 0x42400000u}, {0x3C000000u, 0x3C400000u}}, 1},
    {"esp32c3", "ESP32-C3", 5, ESP_EM_RISCV, magic_c3, 0x0, 4 * MB, "80m", freqs_common,
     {{0x42000000u, 0x42800000u}, {0x3C000000u, 0x3C800000u}}, 1},
    {"esp32c6", "ESP32-C6", 13, ESP_EM_RISCV, magic_c6, 0x0, 4 * MB, "80m", freqs_c6,
     {{0x42000000u, 0x42800000u}, {0x42800000u, 0x43000000u}}, 1},
    {"esp32h2", "ESP32-H2", 16, ESP_EM_RISCV, magic_h2, 0x0, 4 * MB, "48m", freqs_h2,
     {{0x42000000u, 0x42800000u}, {0x42800000u, 0x43000000u}}, 1},
};
#define CHIP_COUNT (sizeof chips / sizeof chips[0])

const struct esp_chip_info *esp_chip_at(unsigned i)
{
    return i < CHIP_COUNT ? &chips[i] : NULL;
}

const struct esp_chip_info *esp_chip_by_name(const char *name)
{
    if (!name)
        return NULL;
    char norm[32];
    size_t n = 0;
    for (const char *p = name; *p && n + 1 < sizeof norm; p++)
        if (*p != '-' && *p != '_')
            norm[n++] = (char)tolower((unsigned char)*p);
    norm[n] = '\0';
    for (size_t i = 0; i < CHIP_COUNT; i++)
        if (!strcmp(chips[i].name, norm))
            return &chips[i];
    return NULL;
}

const struct esp_chip_info *esp_chip_by_id(uint32_t chip_id)
{
    for (size_t i = 0; i < CHIP_COUNT; i++)
        if (chips[i].chip_id == chip_id)
            return &chips[i];
    return NULL;
}

const struct esp_chip_info *esp_chip_by_magic(uint32_t magic)
{
    for (size_t i = 0; i < CHIP_COUNT; i++)
        for (const uint32_t *m = chips[i].magic; *m; m++)
            if (*m == magic)
                return &chips[i];
    return NULL;
}

int esp_chip_addr_is_flash(const struct esp_chip_info *chip, uint32_t addr)
{
    for (int i = 0; i < 2; i++)
        if (addr >= chip->flash_map[i].start && addr < chip->flash_map[i].end)
            return 1;
    return 0;
}

int esp_chip_freq_code(const struct esp_chip_info *chip, const char *freq)
{
    for (const struct esp_freq_code *f = chip->freqs; f->name; f++)
        if (!strcmp(f->name, freq))
            return f->code;
    return -1;
}

const char *esp_chip_freq_name(const struct esp_chip_info *chip, uint8_t code)
{
    for (const struct esp_freq_code *f = chip->freqs; f->name; f++)
        if (f->code == code)
            return f->name;
    return NULL;
}

static const char *const modes[] = {"qio", "qout", "dio", "dout"};

int esp_flash_mode_code(const char *mode)
{
    for (int i = 0; i < 4; i++)
        if (!strcmp(modes[i], mode))
            return i;
    return -1;
}

const char *esp_flash_mode_name(uint8_t code)
{
    return code < 4 ? modes[code] : NULL;
}

static const char *const sizes[] = {"1MB", "2MB", "4MB", "8MB", "16MB", "32MB", "64MB", "128MB"};

int esp_flash_size_code(const char *size)
{
    for (int i = 0; i < 8; i++)
        if (!strcmp(sizes[i], size))
            return i;
    return -1;
}

const char *esp_flash_size_name(uint8_t code)
{
    return code < 8 ? sizes[code] : NULL;
}

uint32_t esp_flash_size_bytes(uint8_t code)
{
    return code < 8 ? (MB << code) : 0;
}

int esp_flash_size_code_for_bytes(uint32_t bytes)
{
    for (uint8_t i = 0; i < 8; i++)
        if (esp_flash_size_bytes(i) == bytes)
            return i;
    return -1;
}
