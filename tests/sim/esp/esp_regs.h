/*
 * The few registers a flasher touches through READ_REG/WRITE_REG: chip magic, eFuse MAC
 * words, the UART clock divider and the SPI flash controller's user-command registers
 * (used by hosts to read the JEDEC id). Everything else reads back what was written, or 0.
 */
#ifndef SIM_ESP_REGS_H
#define SIM_ESP_REGS_H

#include "esp_chip.h"

#include <stddef.h>
#include <stdint.h>

#define ESP_REGS_MAX 64
/** JEDEC id the flash answers to 0x9F, low byte first: Winbond (EF), W25Q..JV (40), size code. */
#define ESP_JEDEC_MANUFACTURER_ID 0xEFu
#define ESP_JEDEC_TYPE_ID 0x40u
#define ESP_SPI_CMD_USR (1u << 18) /* CMD register: start user command; self-clearing */

struct esp_regs {
    const struct esp_chip *chip;
    uint32_t jedec_id;     /* W0 after a 0x9F user command */
    uint32_t baud;         /* current UART rate, for the divider register */
    uint8_t mac[6];
    size_t count;
    uint32_t addr[ESP_REGS_MAX];
    uint32_t value[ESP_REGS_MAX];
};

/** flash_size selects the JEDEC capacity code (log2 of the size in bytes). */
void esp_regs_init(struct esp_regs *r, const struct esp_chip *chip, size_t flash_size);
uint32_t esp_regs_read(const struct esp_regs *r, uint32_t addr);
/** Applies (old & ~mask) | (value & mask); runs an SPI user command when CMD bit 18 is set. */
void esp_regs_write(struct esp_regs *r, uint32_t addr, uint32_t value, uint32_t mask);

#endif
