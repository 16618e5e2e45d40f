/* Chip personalities of the simulated ROM loader (facts: research/esp-protocol.md §3, esptool targets/). */
#ifndef SIM_ESP_CHIP_H
#define SIM_ESP_CHIP_H

#include <stdint.h>

/** Register address the hosts read to tell the chips apart by ROM word ("chip detect magic"). */
#define ESP_CHIP_MAGIC_REG 0x40001000u

struct esp_chip {
    const char *name;             /* --chip spelling */
    uint32_t chip_id;             /* image header / GET_SECURITY_INFO chip id */
    uint32_t magic;               /* ROM word at 0x40001000 */
    uint32_t security_info_len;   /* 0 = ROM lacks GET_SECURITY_INFO (ESP32), 12 (ESP32-S2), 20 */
    uint32_t flash_begin_len;     /* what esptool sends: 16 on ESP32, 20 ("encrypted" word) later; both accepted */
    uint32_t efuse_mac_reg;       /* first of the two eFuse words holding the factory MAC */
    uint32_t uart_clkdiv_reg;     /* UART0 clock divider, read by hosts to estimate the crystal */
    uint32_t xtal_hz;             /* crystal frequency the divider is computed from */
    uint32_t spi_base;            /* SPI flash controller used for the JEDEC id read */
    uint32_t spi_usr_off, spi_usr2_off, spi_miso_dlen_off, spi_w0_off;
    uint32_t bootloader_offset;
};

/** Looks a chip up by name; NULL if unknown. */
const struct esp_chip *esp_chip_find(const char *name);
/** Comma-separated list of the known names, for usage messages. */
const char *esp_chip_names(void);

#endif
