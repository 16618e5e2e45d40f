/*
 * ESP-IDF partition table: CSV (gen_esp32part.py syntax) and the binary form
 * (32-byte entries "AA 50", an MD5 row "EB EB" + 14 x FF + MD5, 0xFF up to 0xC00).
 */
#ifndef ESP32_PARTTABLE_H
#define ESP32_PARTTABLE_H

#include <stddef.h>
#include <stdint.h>

#define ESP_PT_OFFSET 0x8000u
#define ESP_PT_SIZE 0xC00u
#define ESP_PT_MAX_ENTRIES 95
#define ESP_PT_TYPE_APP 0
#define ESP_PT_TYPE_DATA 1
#define ESP_PT_SUBTYPE_FACTORY 0
#define ESP_PT_FLAG_ENCRYPTED 0x1u
#define ESP_PT_FLAG_READONLY 0x2u

struct esp_partition {
    char label[17];
    uint8_t type, subtype;
    uint32_t offset, size, flags;
};

struct esp_pt {
    unsigned count;
    struct esp_partition entries[ESP_PT_MAX_ENTRIES];
};

/** The single-app layout: nvs 0x9000/0x6000, phy_init 0xF000/0x1000, factory 0x10000/rest (max 16000 KiB). */
void esp_pt_default(struct esp_pt *pt, uint32_t flash_size);
/** Parses CSV text; errors name the line and column. Checks alignment, overlap and flash size. */
int esp_pt_parse_csv(const char *text, size_t len, uint32_t flash_size, struct esp_pt *pt, char *err,
                     size_t errlen);
/** Parses the binary form; checks the MD5 row when present. Errors name the offset. */
int esp_pt_parse_bin(const uint8_t *data, size_t len, struct esp_pt *pt, char *err, size_t errlen);
/** Writes the ESP_PT_SIZE-byte binary form. */
int esp_pt_to_bin(const struct esp_pt *pt, uint8_t out[ESP_PT_SIZE]);
/** The factory app partition, else the first app partition; NULL when none. */
const struct esp_partition *esp_pt_app(const struct esp_pt *pt);
/** Names for `describe` ("app"/"data"/NULL, "factory"/"nvs"/... or NULL). */
const char *esp_pt_type_name(uint8_t type);
const char *esp_pt_subtype_name(uint8_t type, uint8_t subtype);

#endif
