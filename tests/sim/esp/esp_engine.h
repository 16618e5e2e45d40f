/*
 * Transport-independent model of the ESP ROM serial loader: feed it the bytes the host
 * sent, it appends the bytes the ROM would answer. Also keeps the virtual clock.
 */
#ifndef SIM_ESP_ENGINE_H
#define SIM_ESP_ENGINE_H

#include "esp_buf.h"
#include "esp_chip.h"
#include "esp_flash.h"

#include <stdint.h>

/* Opcodes (research/esp-protocol.md §2). */
enum {
    ESP_OP_FLASH_BEGIN = 0x02,
    ESP_OP_FLASH_DATA = 0x03,
    ESP_OP_FLASH_END = 0x04,
    ESP_OP_MEM_BEGIN = 0x05,
    ESP_OP_MEM_END = 0x06,
    ESP_OP_MEM_DATA = 0x07,
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

/* ROM error codes carried in the second status byte when the first is 1. */
enum {
    ESP_ERR_BAD_PARAM = 0x01,
    ESP_ERR_BAD_FORMAT = 0x05,   /* also: unsupported command */
    ESP_ERR_CHECKSUM = 0x07,
    ESP_ERR_FLASH_WRITE = 0x08,
    ESP_ERR_FLASH_READ = 0x09,
    ESP_ERR_INFLATE = 0x0B,
    ESP_ERR_INFLATE_ADLER = 0x0C,
    ESP_ERR_INFLATE_PARAM = 0x0D,
    ESP_ERR_RAM_SIZE = 0x0E,
    ESP_ERR_RAM_ADDR = 0x0F,
};

/** Every ROM of the ESP32 family closes its response data with 4 status bytes. */
#define ESP_ROM_STATUS_LEN 4
/** Value field of the ESP32 ROM's SYNC replies in real traces (esptool issues #352, #698): 07 20 55 55. */
#define ESP_SYNC_REPLY_VALUE 0x55552007u
/** Number of identical responses the ROM sends to one SYNC. */
#define ESP_SYNC_REPLIES 8
/** Largest FLASH/MEM block the model accepts (the ROM hosts use 0x400 / 0x1800). */
#define ESP_MAX_BLOCK 0x4000u
/** Largest MEM_BEGIN download (bigger than any ESP32-family internal RAM). */
#define ESP_MAX_RAM_DOWNLOAD 0x80000u

enum esp_mode {
    ESP_MODE_DOWNLOAD = 0, /* ROM serial loader waiting for commands */
    ESP_MODE_APP,          /* loader left (FLASH_END, or not yet reset into download mode) */
};

struct esp_engine_stats {
    uint64_t bytes_in, bytes_out;
    uint64_t frames_in, frames_out;
    uint64_t bad_frames;       /* SLIP errors, non-command frames, inconsistent sizes */
    uint64_t garbage_bytes;    /* bytes outside any frame */
    uint64_t ignored_bytes;    /* bytes received while not in download mode */
    uint64_t error_responses;
    uint64_t commands[256];
    uint64_t baud_changes;
    uint64_t resets;
    uint64_t mem_bytes_loaded;
    uint32_t mem_entry;        /* entry of the last MEM_END that asked for a jump, else 0 */
    uint64_t faults_nak, faults_bad_md5;
    double wire_seconds;
    double extra_seconds;      /* injected stalls */
};

struct esp_engine_options {
    const struct esp_chip *chip;
    struct esp_flash *flash;  /* borrowed */
    uint32_t baud;            /* initial line rate, 115200 for the ROM */
    int baud_model;           /* 1: wire time counts in the virtual clock */
    int start_in_app;         /* 1: wait for a reset into download mode first */
    uint64_t nak_data_at;     /* fault: answer the Nth *_DATA command (1-based) with a checksum error */
    int bad_md5;              /* fault: corrupt every SPI_FLASH_MD5 answer */
};

struct esp_engine;

struct esp_engine *esp_engine_new(const struct esp_engine_options *opt);
void esp_engine_free(struct esp_engine *e);

/** Feeds bytes received from the host; appends the wire bytes to send back to out. */
void esp_engine_input(struct esp_engine *e, const uint8_t *data, size_t len, struct esp_buf *out);
/** Models a reset. download=1: boot straps select the serial loader (a banner is printed). */
void esp_engine_reset(struct esp_engine *e, int download, struct esp_buf *out);

enum esp_mode esp_engine_mode(const struct esp_engine *e);
uint32_t esp_engine_baud(const struct esp_engine *e);
const struct esp_engine_stats *esp_engine_stats(const struct esp_engine *e);
/**
 * The host's line rate as the transport sees it (pty termios). Until CHANGE_BAUDRATE the ROM
 * auto-bauds and adopts it; afterwards returns 0 if it differs from the agreed rate (the
 * bytes would arrive garbled), 1 if it matches.
 */
int esp_engine_host_baud(struct esp_engine *e, uint32_t baud);
/** Adds time the chip spent silent (stall fault) to the virtual clock. */
void esp_engine_add_stall(struct esp_engine *e, double seconds);
/** Total modelled seconds: wire time (if modelled) + flash busy time + stalls. */
double esp_engine_modelled_seconds(const struct esp_engine *e);
/** Commands handled so far (frames that reached the dispatcher). */
uint64_t esp_engine_command_count(const struct esp_engine *e);

#endif
