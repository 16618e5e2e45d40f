#include "esp_chip.h"

#include <string.h>

/*
 * Register maps from the esptool targets/ modules: ESP32 keeps its MAC in eFuse words 1-2
 * (0x3FF5A004) and its flash SPI at 0x3FF42000 with the old register layout; the newer
 * chips keep MAC in eFuse BLOCK1 (EFUSE_BASE + 0x44, ESP32-C2: +0x40) and use the new SPI
 * layout (USR 0x18, USR2 0x20, MISO_DLEN 0x28, W0 0x58).
 */
static const struct esp_chip chips[] = {
    {"esp32", 0, 0x00F01D83u, 0, 16, 0x3FF5A004u, 0x3FF40014u, 40000000u,
     0x3FF42000u, 0x1C, 0x24, 0x2C, 0x80, 0x1000},
    {"esp32s2", 2, 0x000007C6u, 12, 20, 0x3F41A044u, 0x3F400014u, 40000000u,
     0x3F402000u, 0x18, 0x20, 0x28, 0x58, 0x1000},
    {"esp32s3", 9, 0x00000009u, 20, 20, 0x60007044u, 0x60000014u, 40000000u,
     0x60002000u, 0x18, 0x20, 0x28, 0x58, 0x0},
    {"esp32c2", 12, 0x6F51306Fu, 20, 20, 0x60008840u, 0x60000014u, 40000000u,
     0x60002000u, 0x18, 0x20, 0x28, 0x58, 0x0},
    {"esp32c3", 5, 0x1B31506Fu, 20, 20, 0x60008844u, 0x60000014u, 40000000u,
     0x60002000u, 0x18, 0x20, 0x28, 0x58, 0x0},
    {"esp32c6", 13, 0x2CE0806Fu, 20, 20, 0x600B0844u, 0x60000014u, 40000000u,
     0x60003000u, 0x18, 0x20, 0x28, 0x58, 0x0},
    {"esp32h2", 16, 0xD7B73E80u, 20, 20, 0x600B0844u, 0x60000014u, 32000000u,
     0x60003000u, 0x18, 0x20, 0x28, 0x58, 0x0},
};

const struct esp_chip *esp_chip_find(const char *name)
{
    for (size_t i = 0; i < sizeof chips / sizeof chips[0]; i++)
        if (!strcmp(chips[i].name, name))
            return &chips[i];
    return NULL;
}

const char *esp_chip_names(void)
{
    return "esp32, esp32s2, esp32s3, esp32c2, esp32c3, esp32c6, esp32h2";
}
