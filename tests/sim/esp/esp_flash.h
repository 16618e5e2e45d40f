/*
 * SPI NOR flash array: 4 KiB sector erase to 0xFF, programming can only clear bits
 * (new = old AND data). Every operation adds its datasheet time to flash_seconds.
 */
#ifndef SIM_ESP_FLASH_H
#define SIM_ESP_FLASH_H

#include <stddef.h>
#include <stdint.h>

#define ESP_FLASH_SECTOR 0x1000u
#define ESP_FLASH_BLOCK 0x10000u
#define ESP_FLASH_PAGE 0x100u

struct esp_flash {
    uint8_t *mem;
    size_t size;
    double flash_seconds;       /* modelled busy time of erase/program/read */
    uint64_t sectors_erased;    /* 4 KiB sectors returned to 0xFF (including inside block erases) */
    uint64_t sector_erase_ops;  /* 4 KiB erase commands */
    uint64_t block_erase_ops;   /* 64 KiB erase commands */
    uint64_t bytes_programmed;
    uint64_t page_program_ops;
    uint64_t bytes_read;
};

/** Allocates size bytes of erased (0xFF) flash; size must be a multiple of 64 KiB. */
int esp_flash_init(struct esp_flash *f, size_t size);
void esp_flash_free(struct esp_flash *f);
/** Erases every sector that [offset, offset+len) touches; 64 KiB-aligned whole blocks use block erase. */
int esp_flash_erase(struct esp_flash *f, uint32_t offset, uint32_t len);
/** Programs data (AND into the array); one page-program per 256-byte page touched. */
int esp_flash_program(struct esp_flash *f, uint32_t offset, const uint8_t *data, size_t len);
/** Accounts a read of len bytes (MD5, read-back). Returns a pointer into the array or NULL. */
const uint8_t *esp_flash_read(struct esp_flash *f, uint32_t offset, uint32_t len);

#endif
