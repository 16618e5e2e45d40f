#include "esp_flash.h"

#include <stdlib.h>
#include <string.h>

/*
 * Timing from the Winbond W25Q32JV datasheet (rev. J), typical values:
 *   tSE  sector erase 4 KiB    45 ms
 *   tBE2 block erase 64 KiB   150 ms
 *   tPP  page program 256 B   0.4 ms
 * Reads: the ROM reads with the plain 0x03 command; at a 40 MHz SPI clock on one data
 * line that is 5 MB/s.
 */
#define T_SECTOR_ERASE 0.045
#define T_BLOCK_ERASE 0.150
#define T_PAGE_PROGRAM 0.0004
#define READ_BYTES_PER_SECOND 5.0e6

int esp_flash_init(struct esp_flash *f, size_t size)
{
    memset(f, 0, sizeof *f);
    if (size == 0 || size % ESP_FLASH_BLOCK)
        return -1;
    f->mem = malloc(size);
    if (!f->mem)
        return -1;
    memset(f->mem, 0xFF, size);
    f->size = size;
    return 0;
}

void esp_flash_free(struct esp_flash *f)
{
    free(f->mem);
    f->mem = NULL;
    f->size = 0;
}

static int in_range(const struct esp_flash *f, uint32_t offset, uint64_t len)
{
    return (uint64_t)offset + len <= f->size;
}

int esp_flash_erase(struct esp_flash *f, uint32_t offset, uint32_t len)
{
    if (!in_range(f, offset, len))
        return -1;
    if (len == 0)
        return 0;
    uint32_t addr = offset & ~(ESP_FLASH_SECTOR - 1);
    uint64_t end = ((uint64_t)offset + len + ESP_FLASH_SECTOR - 1) & ~(uint64_t)(ESP_FLASH_SECTOR - 1);
    while (addr < end) {
        if (addr % ESP_FLASH_BLOCK == 0 && addr + (uint64_t)ESP_FLASH_BLOCK <= end) {
            memset(f->mem + addr, 0xFF, ESP_FLASH_BLOCK);
            f->flash_seconds += T_BLOCK_ERASE;
            f->block_erase_ops++;
            f->sectors_erased += ESP_FLASH_BLOCK / ESP_FLASH_SECTOR;
            addr += ESP_FLASH_BLOCK;
        } else {
            memset(f->mem + addr, 0xFF, ESP_FLASH_SECTOR);
            f->flash_seconds += T_SECTOR_ERASE;
            f->sector_erase_ops++;
            f->sectors_erased++;
            addr += ESP_FLASH_SECTOR;
        }
    }
    return 0;
}

int esp_flash_program(struct esp_flash *f, uint32_t offset, const uint8_t *data, size_t len)
{
    if (!in_range(f, offset, len))
        return -1;
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++)
        f->mem[offset + i] &= data[i];
    uint64_t first_page = offset / ESP_FLASH_PAGE;
    uint64_t last_page = ((uint64_t)offset + len - 1) / ESP_FLASH_PAGE;
    uint64_t pages = last_page - first_page + 1;
    f->page_program_ops += pages;
    f->flash_seconds += (double)pages * T_PAGE_PROGRAM;
    f->bytes_programmed += len;
    return 0;
}

const uint8_t *esp_flash_read(struct esp_flash *f, uint32_t offset, uint32_t len)
{
    if (!in_range(f, offset, len))
        return NULL;
    f->bytes_read += len;
    f->flash_seconds += (double)len / READ_BYTES_PER_SECOND;
    return f->mem + offset;
}
