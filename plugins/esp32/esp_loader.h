/*
 * ROM serial loader commands over an esp_port: SLIP framing, command/response packets
 * (research/esp-protocol.md §1-2), one bounded wait per command.
 */
#ifndef ESP32_LOADER_H
#define ESP32_LOADER_H

#include "esp_chip.h"
#include "esp_env.h"
#include "esp_port.h"
#include "esp_slip.h"

#include <stddef.h>
#include <stdint.h>

enum {
    ESP_OP_FLASH_BEGIN = 0x02,
    ESP_OP_FLASH_DATA = 0x03,
    ESP_OP_FLASH_END = 0x04,
    ESP_OP_SYNC = 0x08,
    ESP_OP_WRITE_REG = 0x09,
    ESP_OP_READ_REG = 0x0A,
    ESP_OP_SPI_SET_PARAMS = 0x0B,
    ESP_OP_SPI_ATTACH = 0x0D,
    ESP_OP_READ_FLASH_SLOW = 0x0E,
    ESP_OP_CHANGE_BAUDRATE = 0x0F,
    ESP_OP_FLASH_DEFL_BEGIN = 0x10,
    ESP_OP_FLASH_DEFL_DATA = 0x11,
    ESP_OP_FLASH_DEFL_END = 0x12,
    ESP_OP_SPI_FLASH_MD5 = 0x13,
    ESP_OP_GET_SECURITY_INFO = 0x14,
};

#define ESP_ROM_BAUD 115200u
#define ESP_DEFAULT_TIMEOUT_MS 3000u
#define ESP_SYNC_TIMEOUT_MS 100u
#define ESP_CHIP_MAGIC_REG 0x40001000u

/** A response: value field, result data (status bytes removed) and the status pair. */
struct esp_reply {
    uint32_t value;
    uint8_t data[80];
    size_t data_len;
    uint8_t status, error;
    /** The ROM answered "unsupported command": a failure reply carrying another opcode
     * (the ESP32 ROM echoes the previous command's) with error 0x05. */
    int unsupported;
};

struct esp_loader {
    struct esp_env env;
    struct esp_port *port;
    struct esp_slip_decoder dec;
    uint8_t rbuf[4096];
    size_t rlen, rpos;
    struct esp_vec tx;           /* reused encode buffer */
    uint32_t min_timeout_ms;     /* floor of every computed timeout (config esp32.timeout_ms) */
    /* counters for diagnostics and tests */
    uint64_t commands, retries, bad_frames, discarded_frames;
};

void esp_loader_init(struct esp_loader *l, const struct esp_env *env, struct esp_port *port);
void esp_loader_fini(struct esp_loader *l);
/** Name of an opcode ("FLASH_DEFL_DATA"). */
const char *esp_op_name(uint8_t op);
/** Text for a ROM error code ("checksum error"). */
const char *esp_rom_error_text(uint8_t code);

/**
 * Sends one command and waits up to timeout_ms for the response with the same opcode
 * (other frames are discarded). Returns 0 when status is 0; ESPCTL_E_TARGET with reply
 * filled when the chip reported a failure; ESPCTL_E_TIMEOUT; ESPCTL_E_IO/NO_DEVICE.
 * Error text names the command.
 */
int esp_command(struct esp_loader *l, uint8_t op, const uint8_t *data, size_t len, uint32_t checksum,
                uint32_t timeout_ms, struct esp_reply *reply);
/** Sends a command without waiting for any answer. */
int esp_send(struct esp_loader *l, uint8_t op, const uint8_t *data, size_t len, uint32_t checksum);
/** Waits for a response to op (see esp_command). */
int esp_wait_reply(struct esp_loader *l, uint8_t op, uint32_t timeout_ms, struct esp_reply *reply);
/** Drops buffered input (local and in the port). */
void esp_loader_flush(struct esp_loader *l);
/** max(min_timeout, seconds_per_mb * bytes / 1e6) in ms. */
uint32_t esp_timeout_for(const struct esp_loader *l, uint32_t ms_per_mb, uint64_t bytes);

/** XOR checksum of *_DATA payloads, seeded 0xEF. */
uint8_t esp_data_checksum(const uint8_t *data, size_t len);

#endif
