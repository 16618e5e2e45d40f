#include "esp_regs.h"

#include <string.h>

#define SPI_CMD_READ_JEDEC_ID 0x9Fu
#define SPI_USR2_COMMAND_MASK 0xFFFFu

static int find(const struct esp_regs *r, uint32_t addr)
{
    for (size_t i = 0; i < r->count; i++)
        if (r->addr[i] == addr)
            return (int)i;
    return -1;
}

static uint32_t stored(const struct esp_regs *r, uint32_t addr)
{
    int i = find(r, addr);
    return i < 0 ? 0 : r->value[i];
}

static void store(struct esp_regs *r, uint32_t addr, uint32_t value)
{
    int i = find(r, addr);
    if (i >= 0) {
        r->value[i] = value;
        return;
    }
    if (r->count == ESP_REGS_MAX) { /* full: recycle the oldest slot */
        memmove(r->addr, r->addr + 1, sizeof r->addr[0] * (ESP_REGS_MAX - 1));
        memmove(r->value, r->value + 1, sizeof r->value[0] * (ESP_REGS_MAX - 1));
        r->count--;
    }
    r->addr[r->count] = addr;
    r->value[r->count] = value;
    r->count++;
}

void esp_regs_init(struct esp_regs *r, const struct esp_chip *chip, size_t flash_size)
{
    memset(r, 0, sizeof *r);
    r->chip = chip;
    r->baud = 115200;
    unsigned size_code = 0;
    while (size_code < 31 && ((size_t)1 << size_code) < flash_size)
        size_code++;
    r->jedec_id = ESP_JEDEC_MANUFACTURER_ID | (ESP_JEDEC_TYPE_ID << 8) | (size_code << 16);
    /* Espressif OUI 24:0A:C4, then a per-chip suffix. */
    const uint8_t mac[6] = {0x24, 0x0A, 0xC4, 0x5E, 0x1A, (uint8_t)chip->chip_id};
    memcpy(r->mac, mac, sizeof mac);
}

uint32_t esp_regs_read(const struct esp_regs *r, uint32_t addr)
{
    const struct esp_chip *c = r->chip;
    if (addr == ESP_CHIP_MAGIC_REG)
        return c->magic;
    /* Hosts rebuild the MAC as big-endian(word at +4)[2..3] followed by big-endian(word at +0). */
    if (addr == c->efuse_mac_reg)
        return (uint32_t)r->mac[2] << 24 | (uint32_t)r->mac[3] << 16 | (uint32_t)r->mac[4] << 8 | r->mac[5];
    if (addr == c->efuse_mac_reg + 4)
        return (uint32_t)r->mac[0] << 8 | r->mac[1];
    if (addr == c->uart_clkdiv_reg)
        return r->baud ? c->xtal_hz / r->baud : 0;
    return stored(r, addr);
}

static void run_spi_user_command(struct esp_regs *r)
{
    const struct esp_chip *c = r->chip;
    uint32_t command = stored(r, c->spi_base + c->spi_usr2_off) & SPI_USR2_COMMAND_MASK;
    uint32_t w0 = 0; /* status registers read 0: never busy, nothing protected */
    if (command == SPI_CMD_READ_JEDEC_ID)
        w0 = r->jedec_id;
    store(r, c->spi_base + c->spi_w0_off, w0);
}

void esp_regs_write(struct esp_regs *r, uint32_t addr, uint32_t value, uint32_t mask)
{
    uint32_t v = (esp_regs_read(r, addr) & ~mask) | (value & mask);
    const struct esp_chip *c = r->chip;
    if (addr == ESP_CHIP_MAGIC_REG || addr == c->efuse_mac_reg || addr == c->efuse_mac_reg + 4)
        return; /* ROM and eFuse words are read-only */
    if (addr == c->spi_base && (v & ESP_SPI_CMD_USR)) {
        run_spi_user_command(r);
        v &= ~ESP_SPI_CMD_USR; /* the transfer completes at once */
    }
    store(r, addr, v);
}
