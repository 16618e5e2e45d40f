/*
 * FLASH_* / FLASH_DEFL_* / MEM_* block downloads as the ROM does them: BEGIN erases (flash)
 * or reserves (RAM) the region, DATA blocks arrive in sequence with an 8-bit XOR checksum
 * seeded 0xEF, END leaves the loader (flash) or finishes the RAM download.
 *
 * Modelling choices where the ROM's behaviour is not documented:
 *  - a block whose seq repeats the last accepted one with the same length and checksum is
 *    a host resend after a lost reply: acknowledged without writing it again;
 *  - any other out-of-order seq: status 1 / ESP_ERR_BAD_PARAM;
 *  - flash commands before SPI_ATTACH: ESP_ERR_FLASH_WRITE;
 *  - MEM_END with an entry point replies and stays in the loader (no code is executed).
 */
#include "esp_engine_internal.h"

#include <stdlib.h>
#include <string.h>

#define CHECKSUM_SEED 0xEFu

void esp_download_reset(struct esp_download *dl)
{
    if (dl->zs_live)
        inflateEnd(&dl->zs);
    free(dl->ram);
    memset(dl, 0, sizeof *dl);
}

static uint8_t data_checksum(const uint8_t *p, size_t len)
{
    uint8_t c = CHECKSUM_SEED;
    for (size_t i = 0; i < len; i++)
        c ^= p[i];
    return c;
}

static void begin_flash(struct esp_engine *e, uint8_t op, const uint8_t *p, size_t len, struct esp_buf *out)
{
    /*
     * esptool sends 16 bytes to the ESP32 ROM and 20 (with the "encrypted" word) to later
     * ROMs; esptool-js sends 20 to every ROM for FLASH_BEGIN and 16 to C6/H2 for
     * FLASH_DEFL_BEGIN. Both work with real chips, so the ROMs take either form.
     */
    if (len != 16 && len != 20) {
        esp_respond_error(e, out, op, ESP_ERR_BAD_FORMAT);
        return;
    }
    uint32_t erase_size = esp_le32(p), num_blocks = esp_le32(p + 4);
    uint32_t block_size = esp_le32(p + 8), offset = esp_le32(p + 12);
    if (!e->spi_attached) {
        esp_respond_error(e, out, op, ESP_ERR_FLASH_WRITE);
        return;
    }
    if (block_size == 0 || block_size > ESP_MAX_BLOCK ||
        (uint64_t)offset + erase_size > e->flash_param_size ||
        (uint64_t)offset + erase_size > e->opt.flash->size) {
        esp_respond_error(e, out, op, ESP_ERR_BAD_PARAM);
        return;
    }
    esp_download_reset(&e->dl);
    esp_flash_erase(e->opt.flash, offset, erase_size);
    struct esp_download *dl = &e->dl;
    dl->kind = op == ESP_OP_FLASH_BEGIN ? DL_FLASH : DL_DEFL;
    dl->offset = offset;
    dl->size = erase_size;
    dl->num_blocks = num_blocks;
    dl->block_size = block_size;
    if (dl->kind == DL_DEFL) {
        if (inflateInit(&dl->zs) != Z_OK) {
            esp_download_reset(dl);
            esp_respond_error(e, out, op, ESP_ERR_INFLATE_PARAM);
            return;
        }
        dl->zs_live = 1;
    }
    esp_respond_ok(e, out, op);
}

static void begin_mem(struct esp_engine *e, const uint8_t *p, size_t len, struct esp_buf *out)
{
    if (len != 16) {
        esp_respond_error(e, out, ESP_OP_MEM_BEGIN, ESP_ERR_BAD_FORMAT);
        return;
    }
    uint32_t total = esp_le32(p), num_blocks = esp_le32(p + 4);
    uint32_t block_size = esp_le32(p + 8), addr = esp_le32(p + 12);
    if (total == 0 || total > ESP_MAX_RAM_DOWNLOAD) {
        esp_respond_error(e, out, ESP_OP_MEM_BEGIN, ESP_ERR_RAM_SIZE);
        return;
    }
    if (addr == 0 || (uint64_t)addr + total > 0x100000000ull) {
        esp_respond_error(e, out, ESP_OP_MEM_BEGIN, ESP_ERR_RAM_ADDR);
        return;
    }
    if (block_size == 0 || block_size > ESP_MAX_BLOCK) {
        esp_respond_error(e, out, ESP_OP_MEM_BEGIN, ESP_ERR_BAD_PARAM);
        return;
    }
    esp_download_reset(&e->dl);
    uint8_t *ram = calloc(1, total);
    if (!ram) {
        esp_respond_error(e, out, ESP_OP_MEM_BEGIN, ESP_ERR_RAM_SIZE);
        return;
    }
    e->dl.kind = DL_MEM;
    e->dl.ram = ram;
    e->dl.offset = addr;
    e->dl.size = total;
    e->dl.num_blocks = num_blocks;
    e->dl.block_size = block_size;
    esp_respond_ok(e, out, ESP_OP_MEM_BEGIN);
}

void esp_download_begin(struct esp_engine *e, uint8_t op, const uint8_t *payload, size_t len,
                        struct esp_buf *out)
{
    if (op == ESP_OP_MEM_BEGIN)
        begin_mem(e, payload, len, out);
    else
        begin_flash(e, op, payload, len, out);
}

/* Programs inflated bytes page by page, so partial pages are not counted twice. */
static int stage_inflated(struct esp_engine *e, const uint8_t *p, size_t n)
{
    struct esp_download *dl = &e->dl;
    while (n) {
        uint32_t take = ESP_FLASH_PAGE - dl->page_fill;
        if (take > n)
            take = (uint32_t)n;
        memcpy(dl->page + dl->page_fill, p, take);
        dl->page_fill += take;
        p += take;
        n -= take;
        if (dl->page_fill == ESP_FLASH_PAGE) {
            if (esp_flash_program(e->opt.flash, dl->offset + dl->written, dl->page, ESP_FLASH_PAGE))
                return -1;
            dl->written += ESP_FLASH_PAGE;
            dl->page_fill = 0;
        }
    }
    return 0;
}

static int flush_staged(struct esp_engine *e)
{
    struct esp_download *dl = &e->dl;
    if (!dl->page_fill)
        return 0;
    if (esp_flash_program(e->opt.flash, dl->offset + dl->written, dl->page, dl->page_fill))
        return -1;
    dl->written += dl->page_fill;
    dl->page_fill = 0;
    return 0;
}

/* Returns 0 or a ROM error code. */
static uint8_t inflate_block(struct esp_engine *e, const uint8_t *data, size_t len)
{
    struct esp_download *dl = &e->dl;
    if (dl->stream_done)
        return len ? ESP_ERR_INFLATE_PARAM : 0;
    uint8_t buf[4096];
    dl->zs.next_in = (Bytef *)data;
    dl->zs.avail_in = (uInt)len;
    for (;;) {
        dl->zs.next_out = buf;
        dl->zs.avail_out = sizeof buf;
        int rc = inflate(&dl->zs, Z_NO_FLUSH);
        size_t produced = sizeof buf - dl->zs.avail_out;
        if ((uint64_t)dl->written + dl->page_fill + produced > dl->size)
            return ESP_ERR_INFLATE_PARAM; /* more data than BEGIN erased */
        if (stage_inflated(e, buf, produced))
            return ESP_ERR_FLASH_WRITE;
        if (rc == Z_STREAM_END) {
            dl->stream_done = 1;
            if (flush_staged(e))
                return ESP_ERR_FLASH_WRITE;
            return dl->zs.avail_in ? ESP_ERR_INFLATE_PARAM : 0;
        }
        if (rc == Z_DATA_ERROR)
            return dl->zs.msg && !strcmp(dl->zs.msg, "incorrect data check") ? ESP_ERR_INFLATE_ADLER : ESP_ERR_INFLATE;
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            return ESP_ERR_INFLATE_PARAM;
        if (dl->zs.avail_in == 0 && dl->zs.avail_out != 0)
            return 0;
    }
}

static enum esp_download_kind kind_for(uint8_t op)
{
    switch (op) {
    case ESP_OP_FLASH_DATA:
    case ESP_OP_FLASH_END: return DL_FLASH;
    case ESP_OP_FLASH_DEFL_DATA:
    case ESP_OP_FLASH_DEFL_END: return DL_DEFL;
    default: return DL_MEM;
    }
}

static uint8_t apply_block(struct esp_engine *e, const uint8_t *data, uint32_t len, uint32_t seq)
{
    struct esp_download *dl = &e->dl;
    uint64_t at = (uint64_t)seq * dl->block_size;
    switch (dl->kind) {
    case DL_FLASH:
        if (dl->offset + at + len > e->opt.flash->size)
            return ESP_ERR_FLASH_WRITE;
        return esp_flash_program(e->opt.flash, (uint32_t)(dl->offset + at), data, len) ? ESP_ERR_FLASH_WRITE : 0;
    case DL_DEFL:
        return inflate_block(e, data, len);
    case DL_MEM:
        if (at + len > dl->size)
            return ESP_ERR_RAM_SIZE;
        memcpy(dl->ram + at, data, len);
        e->stats.mem_bytes_loaded += len;
        return 0;
    case DL_NONE: break;
    }
    return ESP_ERR_BAD_FORMAT;
}

void esp_download_data(struct esp_engine *e, uint8_t op, uint32_t checksum, const uint8_t *p,
                       size_t len, struct esp_buf *out)
{
    struct esp_download *dl = &e->dl;
    e->data_commands++;
    if (len < 16 || esp_le32(p) != len - 16) {
        esp_respond_error(e, out, op, ESP_ERR_BAD_FORMAT);
        return;
    }
    const uint8_t *data = p + 16;
    uint32_t data_len = (uint32_t)(len - 16), seq = esp_le32(p + 4);
    if (checksum != data_checksum(data, data_len)) {
        esp_respond_error(e, out, op, ESP_ERR_CHECKSUM);
        return;
    }
    if (e->opt.nak_data_at && e->data_commands == e->opt.nak_data_at) {
        e->stats.faults_nak++;
        esp_respond_error(e, out, op, ESP_ERR_CHECKSUM); /* injected: claims the block was corrupt */
        return;
    }
    if (dl->kind != kind_for(op)) {
        esp_respond_error(e, out, op, ESP_ERR_BAD_FORMAT);
        return;
    }
    if (dl->next_seq && seq + 1 == dl->next_seq && data_len == dl->last_len && checksum == dl->last_checksum) {
        esp_respond_ok(e, out, op); /* resend of a block whose reply was lost */
        return;
    }
    if (seq != dl->next_seq || seq >= dl->num_blocks || data_len > dl->block_size) {
        esp_respond_error(e, out, op, ESP_ERR_BAD_PARAM);
        return;
    }
    uint8_t err = apply_block(e, data, data_len, seq);
    if (err) {
        esp_respond_error(e, out, op, err);
        return;
    }
    dl->next_seq++;
    dl->last_len = data_len;
    dl->last_checksum = checksum;
    esp_respond_ok(e, out, op);
}

void esp_download_end(struct esp_engine *e, uint8_t op, const uint8_t *p, size_t len, struct esp_buf *out)
{
    if (op == ESP_OP_MEM_END) {
        if (len != 8) {
            esp_respond_error(e, out, op, ESP_ERR_BAD_FORMAT);
            return;
        }
        if (e->dl.kind != DL_MEM) {
            esp_respond_error(e, out, op, ESP_ERR_BAD_FORMAT);
            return;
        }
        uint32_t no_entry = esp_le32(p), entry = esp_le32(p + 4);
        if (!no_entry)
            e->stats.mem_entry = entry;
        esp_download_reset(&e->dl);
        esp_respond_ok(e, out, op);
        return;
    }
    if (len != 4) {
        esp_respond_error(e, out, op, ESP_ERR_BAD_FORMAT);
        return;
    }
    if (e->dl.kind == DL_DEFL && flush_staged(e)) {
        esp_respond_error(e, out, op, ESP_ERR_FLASH_WRITE);
        return;
    }
    esp_download_reset(&e->dl);
    esp_respond_ok(e, out, op);
    e->mode = ESP_MODE_APP; /* both run flags leave the ROM loader (reboot or jump to the app) */
}
