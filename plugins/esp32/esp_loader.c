#include "esp_loader.h"

#include "esp_bytes.h"

#include <string.h>

void esp_loader_init(struct esp_loader *l, const struct esp_env *env, struct esp_port *port)
{
    memset(l, 0, sizeof *l);
    l->env = *env;
    l->port = port;
    l->min_timeout_ms = ESP_DEFAULT_TIMEOUT_MS;
    esp_slip_decoder_init(&l->dec);
}

void esp_loader_fini(struct esp_loader *l)
{
    esp_vec_free(&l->tx);
}

const char *esp_op_name(uint8_t op)
{
    switch (op) {
    case ESP_OP_FLASH_BEGIN: return "FLASH_BEGIN";
    case ESP_OP_FLASH_DATA: return "FLASH_DATA";
    case ESP_OP_FLASH_END: return "FLASH_END";
    case ESP_OP_SYNC: return "SYNC";
    case ESP_OP_WRITE_REG: return "WRITE_REG";
    case ESP_OP_READ_REG: return "READ_REG";
    case ESP_OP_SPI_SET_PARAMS: return "SPI_SET_PARAMS";
    case ESP_OP_SPI_ATTACH: return "SPI_ATTACH";
    case ESP_OP_READ_FLASH_SLOW: return "READ_FLASH_SLOW";
    case ESP_OP_CHANGE_BAUDRATE: return "CHANGE_BAUDRATE";
    case ESP_OP_FLASH_DEFL_BEGIN: return "FLASH_DEFL_BEGIN";
    case ESP_OP_FLASH_DEFL_DATA: return "FLASH_DEFL_DATA";
    case ESP_OP_FLASH_DEFL_END: return "FLASH_DEFL_END";
    case ESP_OP_SPI_FLASH_MD5: return "SPI_FLASH_MD5";
    case ESP_OP_GET_SECURITY_INFO: return "GET_SECURITY_INFO";
    default: return "command";
    }
}

const char *esp_rom_error_text(uint8_t code)
{
    switch (code) {
    case 0x01: return "invalid parameter";
    case 0x02: return "out of memory";
    case 0x03: return "send failed";
    case 0x04: return "receive failed";
    case 0x05: return "unsupported command or bad format";
    case 0x06: return "wrong result";
    case 0x07: return "checksum error";
    case 0x08: return "flash write error";
    case 0x09: return "flash read error";
    case 0x0A: return "flash read length error";
    case 0x0B: return "deflate failed";
    case 0x0C: return "deflate Adler-32 error";
    case 0x0D: return "deflate parameter error";
    case 0x0E: return "invalid RAM binary size";
    case 0x0F: return "invalid RAM binary address";
    default: return "unknown error";
    }
}

uint8_t esp_data_checksum(const uint8_t *data, size_t len)
{
    uint8_t c = 0xEF;
    for (size_t i = 0; i < len; i++)
        c ^= data[i];
    return c;
}

uint32_t esp_timeout_for(const struct esp_loader *l, uint32_t ms_per_mb, uint64_t bytes)
{
    uint64_t ms = (uint64_t)ms_per_mb * bytes / 1000000u;
    if (ms < l->min_timeout_ms)
        ms = l->min_timeout_ms;
    return ms > 240000u ? 240000u : (uint32_t)ms;
}

int esp_send(struct esp_loader *l, uint8_t op, const uint8_t *data, size_t len, uint32_t checksum)
{
    uint8_t hdr[8] = {0x00, op};
    esp_put16(hdr + 2, (uint16_t)len);
    esp_put32(hdr + 4, checksum);
    /* Encode header and data as one frame: escape each part, one pair of delimiters. */
    struct esp_vec raw = {0};
    esp_vec_append(&raw, hdr, sizeof hdr);
    esp_vec_append(&raw, data, len);
    l->tx.len = 0;
    esp_slip_encode(&l->tx, raw.data, raw.len);
    int failed = raw.failed || l->tx.failed;
    esp_vec_free(&raw);
    if (failed)
        return esp_fail(&l->env, ESPCTL_E_NOMEM, "%s: out of memory", esp_op_name(op));
    l->commands++;
    return esp_port_write(&l->env, l->port, l->tx.data, l->tx.len, 2000 + (uint32_t)(l->tx.len / 8));
}

/* Returns 1 and fills reply when frame is the response to op; 0 to keep waiting. */
static int match_frame(struct esp_loader *l, uint8_t op, struct esp_reply *reply)
{
    const uint8_t *f = l->dec.frame;
    size_t n = l->dec.len;
    if (n < 8 || f[0] != 0x01 || (size_t)esp_le16(f + 2) != n - 8) {
        l->bad_frames++;
        return 0;
    }
    size_t size = n - 8;
    if (f[1] != op) {
        /* esptool's rule: a reply to another opcode with a failure status and error 0x05 is
         * the ROM refusing the command we sent (older ROMs echo the previous opcode). */
        if ((size == 4 || size == 2) && f[8] != 0 && f[9] == 0x05) {
            reply->unsupported = 1;
            reply->status = f[8];
            reply->error = f[9];
            reply->value = esp_le32(f + 4);
            reply->data_len = 0;
            return 1;
        }
        l->discarded_frames++;
        return 0;
    }
    /* espflash's rule: total lengths 10 and 26 carry 2 status bytes (stub), else 4 (ROM). */
    size_t status_len = (n == 10 || n == 26) ? 2 : 4;
    if (size < status_len) {
        if (size < 2) {
            l->bad_frames++;
            return 0;
        }
        status_len = 2;
    }
    reply->value = esp_le32(f + 4);
    reply->data_len = size - status_len;
    if (reply->data_len > sizeof reply->data)
        reply->data_len = sizeof reply->data;
    memcpy(reply->data, f + 8, reply->data_len);
    reply->status = f[8 + size - status_len];
    reply->error = f[8 + size - status_len + 1];
    return 1;
}

int esp_wait_reply(struct esp_loader *l, uint8_t op, uint32_t timeout_ms, struct esp_reply *reply)
{
    uint64_t deadline = esp_now_ms(&l->env) + timeout_ms;
    for (;;) {
        while (l->rpos < l->rlen) {
            enum esp_slip_result r = esp_slip_push(&l->dec, l->rbuf[l->rpos++]);
            if (r == ESP_SLIP_ERROR)
                l->bad_frames++;
            else if (r == ESP_SLIP_FRAME && match_frame(l, op, reply)) {
                if (reply->status == 0)
                    return 0;
                if (reply->unsupported)
                    return esp_fail(&l->env, ESPCTL_E_NOT_SUPPORTED, "%s: the chip does not support this command (error 0x05)",
                                    esp_op_name(op));
                return esp_fail(&l->env, ESPCTL_E_TARGET, "%s failed: chip reported status %u, error 0x%02x (%s)",
                                esp_op_name(op), reply->status, reply->error, esp_rom_error_text(reply->error));
            }
        }
        if (esp_cancelled(&l->env))
            return esp_fail(&l->env, ESPCTL_E_CANCELLED, "%s: cancelled", esp_op_name(op));
        uint64_t now = esp_now_ms(&l->env);
        if (now >= deadline)
            return esp_fail(&l->env, ESPCTL_E_TIMEOUT, "%s: no reply within %u ms", esp_op_name(op), timeout_ms);
        uint32_t wait = (uint32_t)(deadline - now);
        size_t got = 0;
        int rc = esp_port_read(&l->env, l->port, l->rbuf, sizeof l->rbuf, &got, wait > 50 ? 50 : wait);
        if (rc)
            return rc;
        l->rlen = got;
        l->rpos = 0;
    }
}

int esp_command(struct esp_loader *l, uint8_t op, const uint8_t *data, size_t len, uint32_t checksum,
                uint32_t timeout_ms, struct esp_reply *reply)
{
    struct esp_reply local;
    if (!reply)
        reply = &local;
    memset(reply, 0, sizeof *reply);
    int rc = esp_send(l, op, data, len, checksum);
    return rc ? rc : esp_wait_reply(l, op, timeout_ms, reply);
}

void esp_loader_flush(struct esp_loader *l)
{
    l->rlen = l->rpos = 0;
    esp_slip_decoder_init(&l->dec);
    esp_port_flush_input(l->port);
}
