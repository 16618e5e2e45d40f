#include "esp_engine_internal.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BITS_PER_UART_BYTE 10.0 /* start + 8 data + stop */
#define MAX_BAUD 5000000u

static const char rom_banner[] =
    "rst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0/UART1/SDIO_REI_REO_V2))\r\n"
    "waiting for download\r\n";
static const char app_banner[] = "rst:0xc (SW_CPU_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n";

static void put_le16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void account_tx(struct esp_engine *e, size_t bytes)
{
    e->stats.bytes_out += bytes;
    e->stats.wire_seconds += (double)bytes * BITS_PER_UART_BYTE / e->baud;
}

static void emit_text(struct esp_engine *e, struct esp_buf *out, const char *text)
{
    size_t n = strlen(text);
    esp_buf_append(out, text, n);
    account_tx(e, n);
}

void esp_respond(struct esp_engine *e, struct esp_buf *out, uint8_t op, uint32_t value,
                 const uint8_t *data, size_t len, uint8_t status, uint8_t error)
{
    uint8_t frame[8 + 64 + ESP_ROM_STATUS_LEN];
    if (len > 64)
        abort(); /* no ROM response carries more than 64 data bytes */
    frame[0] = 0x01;
    frame[1] = op;
    put_le16(frame + 2, (uint32_t)(len + ESP_ROM_STATUS_LEN));
    put_le32(frame + 4, value);
    if (len)
        memcpy(frame + 8, data, len);
    uint8_t *st = frame + 8 + len;
    st[0] = status;
    st[1] = error;
    st[2] = st[3] = 0;
    e->op_leftover = op;
    size_t before = out->len;
    slip_encode(out, frame, 8 + len + ESP_ROM_STATUS_LEN);
    account_tx(e, out->len - before);
    e->stats.frames_out++;
    if (status)
        e->stats.error_responses++;
}

void esp_respond_ok(struct esp_engine *e, struct esp_buf *out, uint8_t op)
{
    esp_respond(e, out, op, e->value_leftover, NULL, 0, 0, 0);
}

void esp_respond_error(struct esp_engine *e, struct esp_buf *out, uint8_t op, uint8_t error)
{
    esp_respond(e, out, op, e->value_leftover, NULL, 0, 1, error);
}

void esp_respond_unsupported(struct esp_engine *e, struct esp_buf *out)
{
    esp_respond(e, out, e->op_leftover, e->value_leftover, NULL, 0, 1, ESP_ERR_BAD_FORMAT);
}

struct esp_engine *esp_engine_new(const struct esp_engine_options *opt)
{
    struct esp_engine *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->opt = *opt;
    slip_decoder_init(&e->slip);
    esp_regs_init(&e->regs, opt->chip, opt->flash->size);
    e->baud = opt->baud ? opt->baud : 115200;
    e->regs.baud = e->baud;
    e->flash_param_size = (uint32_t)opt->flash->size;
    e->mode = opt->start_in_app ? ESP_MODE_APP : ESP_MODE_DOWNLOAD;
    return e;
}

void esp_engine_free(struct esp_engine *e)
{
    if (!e)
        return;
    esp_download_reset(&e->dl);
    free(e);
}

void esp_engine_reset(struct esp_engine *e, int download, struct esp_buf *out)
{
    esp_download_reset(&e->dl);
    slip_decoder_init(&e->slip);
    e->spi_attached = 0;
    e->baud = 115200; /* the ROM UART always restarts at 115200 */
    e->baud_fixed = 0;
    e->op_leftover = 0;
    e->value_leftover = 0;
    e->regs.baud = e->baud;
    e->flash_param_size = (uint32_t)e->opt.flash->size;
    e->stats.resets++;
    e->mode = download ? ESP_MODE_DOWNLOAD : ESP_MODE_APP;
    emit_text(e, out, download ? rom_banner : app_banner);
}

static int is_sync_payload(const uint8_t *p, size_t len)
{
    static const uint8_t head[4] = {0x07, 0x07, 0x12, 0x20};
    if (len != 36 || memcmp(p, head, 4))
        return 0;
    for (size_t i = 4; i < 36; i++)
        if (p[i] != 0x55)
            return 0;
    return 1;
}

static void cmd_sync(struct esp_engine *e, const uint8_t *p, size_t len, struct esp_buf *out)
{
    if (!is_sync_payload(p, len))
        return; /* the ROM's auto-baud does not lock on anything else: silence */
    e->value_leftover = ESP_SYNC_REPLY_VALUE;
    for (int i = 0; i < ESP_SYNC_REPLIES; i++)
        esp_respond_ok(e, out, ESP_OP_SYNC);
}

static void cmd_read_reg(struct esp_engine *e, const uint8_t *p, size_t len, struct esp_buf *out)
{
    if (len != 4) {
        esp_respond_error(e, out, ESP_OP_READ_REG, ESP_ERR_BAD_FORMAT);
        return;
    }
    e->value_leftover = esp_regs_read(&e->regs, esp_le32(p));
    esp_respond_ok(e, out, ESP_OP_READ_REG);
}

static void cmd_write_reg(struct esp_engine *e, const uint8_t *p, size_t len, struct esp_buf *out)
{
    if (len == 0 || len % 16) {
        esp_respond_error(e, out, ESP_OP_WRITE_REG, ESP_ERR_BAD_FORMAT);
        return;
    }
    for (size_t i = 0; i < len; i += 16) {
        esp_regs_write(&e->regs, esp_le32(p + i), esp_le32(p + i + 4), esp_le32(p + i + 8));
        e->opt.flash->flash_seconds += esp_le32(p + i + 12) * 1e-6; /* requested delay_us */
    }
    esp_respond_ok(e, out, ESP_OP_WRITE_REG);
}

static void cmd_spi_attach(struct esp_engine *e, size_t len, struct esp_buf *out)
{
    if (len != 8) { /* ROM form: spi config word + 4 bytes "is legacy" */
        esp_respond_error(e, out, ESP_OP_SPI_ATTACH, ESP_ERR_BAD_FORMAT);
        return;
    }
    e->spi_attached = 1;
    esp_respond_ok(e, out, ESP_OP_SPI_ATTACH);
}

static void cmd_spi_set_params(struct esp_engine *e, const uint8_t *p, size_t len, struct esp_buf *out)
{
    if (len != 24) {
        esp_respond_error(e, out, ESP_OP_SPI_SET_PARAMS, ESP_ERR_BAD_FORMAT);
        return;
    }
    uint32_t total = esp_le32(p + 4);
    if (total == 0 || total % ESP_FLASH_SECTOR) {
        esp_respond_error(e, out, ESP_OP_SPI_SET_PARAMS, ESP_ERR_BAD_PARAM);
        return;
    }
    e->flash_param_size = total;
    esp_respond_ok(e, out, ESP_OP_SPI_SET_PARAMS);
}

static void cmd_change_baud(struct esp_engine *e, const uint8_t *p, size_t len, struct esp_buf *out)
{
    if (len != 8) {
        esp_respond_error(e, out, ESP_OP_CHANGE_BAUDRATE, ESP_ERR_BAD_FORMAT);
        return;
    }
    uint32_t baud = esp_le32(p);
    if (baud < 300 || baud > MAX_BAUD) {
        esp_respond_error(e, out, ESP_OP_CHANGE_BAUDRATE, ESP_ERR_BAD_PARAM);
        return;
    }
    esp_respond_ok(e, out, ESP_OP_CHANGE_BAUDRATE); /* still at the old rate */
    e->baud = baud;
    e->regs.baud = baud;
    e->baud_fixed = 1;
    e->stats.baud_changes++;
}

static void cmd_md5(struct esp_engine *e, const uint8_t *p, size_t len, struct esp_buf *out)
{
    if (len != 16) {
        esp_respond_error(e, out, ESP_OP_SPI_FLASH_MD5, ESP_ERR_BAD_FORMAT);
        return;
    }
    if (!e->spi_attached) {
        esp_respond_error(e, out, ESP_OP_SPI_FLASH_MD5, ESP_ERR_FLASH_READ);
        return;
    }
    uint32_t addr = esp_le32(p), size = esp_le32(p + 4);
    const uint8_t *mem = (uint64_t)addr + size <= e->flash_param_size
                             ? esp_flash_read(e->opt.flash, addr, size)
                             : NULL;
    if (!mem) {
        esp_respond_error(e, out, ESP_OP_SPI_FLASH_MD5, ESP_ERR_FLASH_READ);
        return;
    }
    uint8_t digest[16];
    unsigned int dlen = 0;
    if (!EVP_Digest(mem, size, digest, &dlen, EVP_md5(), NULL) || dlen != 16) {
        esp_respond_error(e, out, ESP_OP_SPI_FLASH_MD5, ESP_ERR_FLASH_READ);
        return;
    }
    char hex[33];
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", digest[i]);
    if (e->opt.bad_md5) {
        hex[0] = hex[0] == '0' ? '1' : '0';
        e->stats.faults_bad_md5++;
    }
    esp_respond(e, out, ESP_OP_SPI_FLASH_MD5, e->value_leftover, (const uint8_t *)hex, 32, 0, 0);
}

static void cmd_security_info(struct esp_engine *e, size_t len, struct esp_buf *out)
{
    const struct esp_chip *c = e->opt.chip;
    if (!c->security_info_len) {
        esp_respond_unsupported(e, out); /* the ESP32 ROM predates this command */
        return;
    }
    if (len != 0) {
        esp_respond_error(e, out, ESP_OP_GET_SECURITY_INFO, ESP_ERR_BAD_FORMAT);
        return;
    }
    /* flags u32 (nothing secured), flash_crypt_cnt u8, key_purposes[7], chip_id u32, eco u32 */
    uint8_t info[20] = {0};
    put_le32(info + 12, c->chip_id);
    esp_respond(e, out, ESP_OP_GET_SECURITY_INFO, e->value_leftover, info, c->security_info_len, 0, 0);
}

static void cmd_read_flash_slow(struct esp_engine *e, const uint8_t *p, size_t len, struct esp_buf *out)
{
    if (len < 8) {
        esp_respond_error(e, out, ESP_OP_READ_FLASH_SLOW, ESP_ERR_BAD_FORMAT);
        return;
    }
    uint32_t addr = esp_le32(p), size = esp_le32(p + 4);
    const uint8_t *mem = NULL;
    if (e->spi_attached && size <= 64 && (uint64_t)addr + 64 <= e->opt.flash->size)
        mem = esp_flash_read(e->opt.flash, addr, 64);
    if (!mem) {
        esp_respond_error(e, out, ESP_OP_READ_FLASH_SLOW, e->spi_attached ? ESP_ERR_BAD_PARAM : ESP_ERR_FLASH_READ);
        return;
    }
    esp_respond(e, out, ESP_OP_READ_FLASH_SLOW, e->value_leftover, mem, 64, 0, 0);
}

static void dispatch(struct esp_engine *e, const uint8_t *frame, size_t len, struct esp_buf *out)
{
    uint8_t op = frame[1];
    uint32_t size = frame[2] | (uint32_t)frame[3] << 8;
    const uint8_t *p = frame + 8;
    e->stats.commands[op]++;
    if (size != len - 8) {
        e->stats.bad_frames++;
        esp_respond_error(e, out, op, ESP_ERR_BAD_FORMAT);
        return;
    }
    switch (op) {
    case ESP_OP_SYNC: cmd_sync(e, p, size, out); break;
    case ESP_OP_READ_REG: cmd_read_reg(e, p, size, out); break;
    case ESP_OP_WRITE_REG: cmd_write_reg(e, p, size, out); break;
    case ESP_OP_SPI_ATTACH: cmd_spi_attach(e, size, out); break;
    case ESP_OP_SPI_SET_PARAMS: cmd_spi_set_params(e, p, size, out); break;
    case ESP_OP_CHANGE_BAUDRATE: cmd_change_baud(e, p, size, out); break;
    case ESP_OP_SPI_FLASH_MD5: cmd_md5(e, p, size, out); break;
    case ESP_OP_GET_SECURITY_INFO: cmd_security_info(e, size, out); break;
    case ESP_OP_READ_FLASH_SLOW: cmd_read_flash_slow(e, p, size, out); break;
    case ESP_OP_FLASH_BEGIN:
    case ESP_OP_FLASH_DEFL_BEGIN:
    case ESP_OP_MEM_BEGIN: esp_download_begin(e, op, p, size, out); break;
    case ESP_OP_FLASH_DATA:
    case ESP_OP_FLASH_DEFL_DATA:
    case ESP_OP_MEM_DATA: esp_download_data(e, op, esp_le32(frame + 4), p, size, out); break;
    case ESP_OP_FLASH_END:
    case ESP_OP_FLASH_DEFL_END:
    case ESP_OP_MEM_END: esp_download_end(e, op, p, size, out); break;
    default: esp_respond_unsupported(e, out); break; /* incl. the stub-only 0xD0.. */
    }
}

static void on_frame(struct esp_engine *e, struct esp_buf *out)
{
    const uint8_t *f = e->slip.frame;
    size_t len = e->slip.frame_len;
    if (len < 8 || f[0] != 0x00) {
        /* Not a command: stray text or a broken frame. Its closing 0xC0 may open the next one. */
        e->stats.bad_frames++;
        slip_decoder_reopen(&e->slip);
        return;
    }
    e->stats.frames_in++;
    dispatch(e, f, len, out);
    if (e->mode == ESP_MODE_APP)
        emit_text(e, out, app_banner);
}

void esp_engine_input(struct esp_engine *e, const uint8_t *data, size_t len, struct esp_buf *out)
{
    for (size_t i = 0; i < len; i++) {
        e->stats.bytes_in++;
        e->stats.wire_seconds += BITS_PER_UART_BYTE / e->baud;
        if (e->mode != ESP_MODE_DOWNLOAD) {
            e->stats.ignored_bytes++;
            continue;
        }
        switch (slip_decoder_push(&e->slip, data[i])) {
        case SLIP_FRAME: on_frame(e, out); break;
        case SLIP_BAD_ESCAPE:
        case SLIP_OVERSIZE: e->stats.bad_frames++; break;
        case SLIP_NONE: break;
        }
    }
    e->stats.garbage_bytes = e->slip.garbage_bytes;
}

enum esp_mode esp_engine_mode(const struct esp_engine *e)
{
    return e->mode;
}

uint32_t esp_engine_baud(const struct esp_engine *e)
{
    return e->baud;
}

const struct esp_engine_stats *esp_engine_stats(const struct esp_engine *e)
{
    return &e->stats;
}

int esp_engine_host_baud(struct esp_engine *e, uint32_t baud)
{
    if (!baud || baud == e->baud)
        return 1;
    if (!e->baud_fixed) {
        e->baud = baud;
        e->regs.baud = baud;
        return 1;
    }
    return 0;
}

void esp_engine_add_stall(struct esp_engine *e, double seconds)
{
    e->stats.extra_seconds += seconds;
}

double esp_engine_modelled_seconds(const struct esp_engine *e)
{
    double wire = e->opt.baud_model ? e->stats.wire_seconds : 0.0;
    return wire + e->opt.flash->flash_seconds + e->stats.extra_seconds;
}

uint64_t esp_engine_command_count(const struct esp_engine *e)
{
    return e->stats.frames_in;
}
