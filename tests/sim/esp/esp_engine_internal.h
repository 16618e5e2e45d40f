/* Private state shared by the engine's dispatcher (esp_engine.c) and its block downloads (esp_download.c). */
#ifndef SIM_ESP_ENGINE_INTERNAL_H
#define SIM_ESP_ENGINE_INTERNAL_H

#include "esp_engine.h"
#include "esp_regs.h"
#include "esp_slip.h"

#include <zlib.h>

enum esp_download_kind { DL_NONE = 0, DL_FLASH, DL_DEFL, DL_MEM };

struct esp_download {
    enum esp_download_kind kind;
    uint32_t offset;         /* flash offset or RAM address */
    uint32_t size;           /* erase size (flash) or total size (RAM) */
    uint32_t num_blocks, block_size;
    uint32_t next_seq;
    uint32_t last_len;       /* length and checksum of the last accepted block, to spot resends */
    uint32_t last_checksum;
    /* DEFL only */
    z_stream zs;
    int zs_live, stream_done;
    uint32_t written;        /* inflated bytes already programmed */
    uint8_t page[ESP_FLASH_PAGE];
    uint32_t page_fill;      /* inflated bytes waiting for a whole page */
    /* MEM only */
    uint8_t *ram;
};

struct esp_engine {
    struct esp_engine_options opt;
    struct slip_decoder slip;
    struct esp_regs regs;
    struct esp_download dl;
    struct esp_engine_stats stats;
    enum esp_mode mode;
    uint32_t baud;
    int baud_fixed;          /* CHANGE_BAUDRATE seen since reset: auto-baud is over */
    int spi_attached;
    uint32_t flash_param_size;
    uint32_t value_leftover; /* what the ROM leaves in the response's value field */
    uint8_t op_leftover;     /* opcode of the last reply, reused for unsupported commands */
    uint64_t data_commands;  /* *_DATA commands seen, for the NAK fault */
};

/** Appends one SLIP-framed response: header, data, then the 4 ROM status bytes. */
void esp_respond(struct esp_engine *e, struct esp_buf *out, uint8_t op, uint32_t value,
                 const uint8_t *data, size_t len, uint8_t status, uint8_t error);
void esp_respond_ok(struct esp_engine *e, struct esp_buf *out, uint8_t op);
void esp_respond_error(struct esp_engine *e, struct esp_buf *out, uint8_t op, uint8_t error);
/**
 * Reply to a command the ROM does not implement: status 1 / ESP_ERR_BAD_FORMAT, but under the
 * opcode of the previous reply. The ROM answers from a reply buffer it only fills for known
 * commands (the value field shows the same leftovers in real traces), and both esptool and
 * esptool-js recognise "unsupported" exactly by a reply whose opcode differs from the request
 * carrying error 0x05. The reused opcode itself is an inference, not seen in a trace.
 */
void esp_respond_unsupported(struct esp_engine *e, struct esp_buf *out);

static inline uint32_t esp_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Block downloads (esp_download.c). payload/len exclude the 8-byte command header. */
void esp_download_begin(struct esp_engine *e, uint8_t op, const uint8_t *payload, size_t len,
                        struct esp_buf *out);
void esp_download_data(struct esp_engine *e, uint8_t op, uint32_t checksum, const uint8_t *payload,
                       size_t len, struct esp_buf *out);
void esp_download_end(struct esp_engine *e, uint8_t op, const uint8_t *payload, size_t len,
                      struct esp_buf *out);
void esp_download_reset(struct esp_download *dl);

#endif
