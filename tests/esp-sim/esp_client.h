/* Minimal ROM-loader client for the integration tests: SLIP over a pty or a TCP socket, bounded waits. */
#ifndef ESP_CLIENT_H
#define ESP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

struct slip_decoder;

struct esp_client {
    int fd;
    int is_tty;
    struct slip_decoder *dec;
    uint8_t reply[8 + 64 + 4];
    size_t reply_len;
};

int ec_open_pty(struct esp_client *c, const char *path);
int ec_open_tcp(struct esp_client *c, uint16_t port);
void ec_close(struct esp_client *c);
/**
 * Sends a command and waits up to timeout_ms for the reply with the same opcode (in c->reply).
 * Returns 0, -1 on timeout or I/O error, -2 if the ROM answered "unsupported command".
 */
int ec_command(struct esp_client *c, uint8_t op, const void *data, size_t len, uint32_t chk, int timeout_ms);
/** Status byte and error byte of the last reply. */
int ec_status(const struct esp_client *c);
int ec_error(const struct esp_client *c);
uint32_t ec_value(const struct esp_client *c);
/** SYNC with retries; returns 0 once answered. */
int ec_sync(struct esp_client *c, int attempts);
/** CHANGE_BAUDRATE, then switches the local line (pty) unless keep_local_rate. */
int ec_change_baud(struct esp_client *c, uint32_t baud, int keep_local_rate);
/** FLASH_DEFL_BEGIN (begin_len 16 on ESP32, else 20) + DATA of img at offset, 0x400 blocks, 3 tries each. */
int ec_flash_defl(struct esp_client *c, size_t begin_len, uint32_t offset, const uint8_t *img, size_t len,
                  unsigned *retries);
/** SPI_FLASH_MD5 in the ROM's 32-hex-digit form. */
int ec_md5(struct esp_client *c, uint32_t offset, uint32_t len, char hex[33]);

#endif
