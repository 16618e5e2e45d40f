#include "esp_flasher.h"

#include "esp_bytes.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define BLOCK_ATTEMPTS 3
#define WRITE_ATTEMPTS 2
/* Per-megabyte timeouts (esptool): ROM erase+write 40 s/MB, MD5 8 s/MB. */
#define ERASE_WRITE_MS_PER_MB 40000u
#define MD5_MS_PER_MB 8000u
#define CHIP_ERASE_TIMEOUT_MS 120000u

int esp_md5_hex(const uint8_t *data, size_t len, char hex[33])
{
    uint8_t d[16];
    unsigned int n = 0;
    if (EVP_Digest(data, len, d, &n, EVP_md5(), NULL) != 1 || n != 16)
        return -1;
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    return 0;
}

int esp_flash_md5(struct esp_session *s, uint32_t addr, uint32_t len, char hex[33])
{
    uint8_t p[16] = {0};
    esp_put32(p, addr);
    esp_put32(p + 4, len);
    struct esp_reply r;
    int rc = esp_session_command(s, ESP_OP_SPI_FLASH_MD5, p, sizeof p, esp_timeout_for(&s->loader, MD5_MS_PER_MB, len), &r);
    if (rc)
        return rc;
    if (r.data_len == 32) {
        for (int i = 0; i < 32; i++) {
            char c = (char)r.data[i];
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
                return esp_fail(&s->env, ESPCTL_E_PROTOCOL, "SPI_FLASH_MD5: reply byte %d (0x%02x) is not a hex digit", i, r.data[i]);
            hex[i] = (char)(c >= 'A' && c <= 'F' ? c + 32 : c);
        }
        hex[32] = '\0';
    } else if (r.data_len == 16) { /* a stub answers with the raw digest */
        for (int i = 0; i < 16; i++)
            snprintf(hex + 2 * i, 3, "%02x", r.data[i]);
    } else {
        return esp_fail(&s->env, ESPCTL_E_PROTOCOL, "SPI_FLASH_MD5: %zu result bytes, expected 32 hex digits", r.data_len);
    }
    return 0;
}

int esp_flash_verify(struct esp_session *s, uint32_t addr, const uint8_t *data, uint32_t len)
{
    char want[33], got[33];
    if (esp_md5_hex(data, len, want))
        return esp_fail(&s->env, ESPCTL_E_OTHER, "verify: MD5 failed");
    int rc = esp_flash_md5(s, addr, len, got);
    if (rc)
        return esp_fail(&s->env, rc, "verify: at 0x%08x (0x%x bytes): %s", addr, len, esp_last_error());
    if (strcmp(want, got))
        return esp_fail(&s->env, ESPCTL_E_VERIFY, "verify: flash at 0x%08x (0x%x bytes) has MD5 %s, expected %s",
                        addr, len, got, want);
    return 0;
}

static size_t begin_payload(const struct esp_session *s, uint8_t p[20], uint32_t size, uint32_t blocks,
                            uint32_t block_size, uint32_t offset)
{
    memset(p, 0, 20);
    esp_put32(p, size);
    esp_put32(p + 4, blocks);
    esp_put32(p + 8, block_size);
    esp_put32(p + 12, offset);
    return s->chip && s->chip->flash_begin_has_encrypted ? 20 : 16; /* word 4: not encrypted */
}

/* Sends one *_DATA block, resending it on lost or damaged replies (the ROM acks a repeat). */
static int send_block(struct esp_session *s, uint8_t op, uint32_t seq, const uint8_t *data, uint32_t len,
                      uint32_t timeout_ms, const char *stage, uint32_t addr)
{
    uint8_t *p = malloc(16 + (size_t)len);
    if (!p)
        return esp_fail(&s->env, ESPCTL_E_NOMEM, "%s: out of memory", stage);
    memset(p, 0, 16);
    esp_put32(p, len);
    esp_put32(p + 4, seq);
    memcpy(p + 16, data, len);
    uint8_t checksum = esp_data_checksum(data, len);
    int rc = 0;
    struct esp_reply r;
    for (int attempt = 0; attempt < BLOCK_ATTEMPTS; attempt++) {
        if (attempt) {
            s->loader.retries++;
            esp_log(&s->env, ESPCTL_LOG_DEBUG, "%s: resending block %u at 0x%08x: %s", stage, seq, addr, esp_last_error());
        }
        rc = esp_command(&s->loader, op, p, 16 + (size_t)len, checksum, timeout_ms, &r);
        if (rc == 0 || rc == ESPCTL_E_CANCELLED || rc == ESPCTL_E_IO || rc == ESPCTL_E_NO_DEVICE)
            break;
        if (rc == ESPCTL_E_TARGET && r.error != 0x05 && r.error != 0x07)
            break;
    }
    free(p);
    if (rc)
        return esp_fail(&s->env, rc, "%s: %s block %u at 0x%08x failed after %d attempts: %s", stage, esp_op_name(op),
                        seq, addr, BLOCK_ATTEMPTS, esp_last_error());
    return 0;
}

/* One attempt at writing [addr, addr+len) (addr sector-aligned). */
static int write_once(struct esp_session *s, uint32_t addr, const uint8_t *data, uint32_t len, const uint8_t *z,
                      uint32_t zlen)
{
    int compressed = z != NULL;
    uint32_t stream = compressed ? zlen : len;
    uint32_t blocks = (stream + ESP_ROM_BLOCK - 1) / ESP_ROM_BLOCK;
    /* The ROM erases the size BEGIN names right away: the uncompressed size, rounded up to
     * whole blocks for the deflate variant. */
    uint32_t erase = compressed ? (len + ESP_ROM_BLOCK - 1) / ESP_ROM_BLOCK * ESP_ROM_BLOCK : len;
    uint8_t begin[20];
    size_t blen = begin_payload(s, begin, erase, blocks, ESP_ROM_BLOCK, addr);
    uint8_t op_begin = compressed ? ESP_OP_FLASH_DEFL_BEGIN : ESP_OP_FLASH_BEGIN;
    uint8_t op_data = compressed ? ESP_OP_FLASH_DEFL_DATA : ESP_OP_FLASH_DATA;
    struct esp_reply r;
    int rc = esp_session_command(s, op_begin, begin, blen, esp_timeout_for(&s->loader, ERASE_WRITE_MS_PER_MB, erase), &r);
    if (rc)
        return esp_fail(&s->env, rc, "erase: %s at 0x%08x (0x%x bytes): %s", esp_op_name(op_begin), addr, erase,
                        esp_last_error());
    uint8_t block[ESP_ROM_BLOCK];
    uint32_t per_block = (uint32_t)((uint64_t)ESP_ROM_BLOCK * len / (stream ? stream : 1)); /* uncompressed bytes per block */
    uint32_t timeout = esp_timeout_for(&s->loader, ERASE_WRITE_MS_PER_MB, per_block);
    for (uint32_t seq = 0; seq < blocks; seq++) {
        if (esp_cancelled(&s->env))
            return esp_fail(&s->env, ESPCTL_E_CANCELLED, "program: cancelled at 0x%08x", addr + seq * per_block);
        uint32_t off = seq * ESP_ROM_BLOCK, n = stream - off < ESP_ROM_BLOCK ? stream - off : ESP_ROM_BLOCK;
        const uint8_t *src = (compressed ? z : data) + off;
        uint32_t send = n;
        if (!compressed && n < ESP_ROM_BLOCK) { /* the ROM writes whole blocks: pad with erased bytes */
            memcpy(block, src, n);
            memset(block + n, 0xFF, ESP_ROM_BLOCK - n);
            src = block;
            send = ESP_ROM_BLOCK;
        }
        uint32_t at = compressed ? addr + (uint32_t)((uint64_t)off * len / stream) : addr + off;
        rc = send_block(s, op_data, seq, src, send, timeout, "program", at);
        if (rc)
            return rc;
        uint64_t done = compressed ? (uint64_t)(off + n) * len / stream : (uint64_t)off + n;
        esp_emit(&s->env, ESPCTL_EVENT_PROGRESS, "program", done, len, at, 0, NULL);
    }
    return 0;
}

static int deflate_image(const uint8_t *data, uint32_t len, uint8_t **out, uint32_t *out_len)
{
    uLongf cap = compressBound(len);
    uint8_t *z = malloc(cap);
    if (!z)
        return -1;
    if (compress2(z, &cap, data, len, 9) != Z_OK) {
        free(z);
        return -1;
    }
    *out = z;
    *out_len = (uint32_t)cap;
    return 0;
}

int esp_flash_write(struct esp_session *s, uint32_t addr, const uint8_t *data, uint32_t len, uint32_t flags)
{
    if (len == 0)
        return 0;
    if ((uint64_t)addr + len > s->flash_size)
        return esp_fail(&s->env, ESPCTL_E_INVAL, "program: 0x%x bytes at 0x%08x end past the %u MiB flash", len, addr,
                        s->flash_size >> 20);
    /* The ROM cannot start mid-sector: start at the sector and prepend erased bytes. */
    uint32_t head = addr % ESP_SECTOR;
    uint8_t *aligned = NULL;
    if (head) {
        aligned = malloc((size_t)head + len);
        if (!aligned)
            return esp_fail(&s->env, ESPCTL_E_NOMEM, "program: out of memory");
        memset(aligned, 0xFF, head);
        memcpy(aligned + head, data, len);
        data = aligned;
        addr -= head;
        len += head;
    }
    int rc = 0;
    if (!(flags & ESPCTL_FLASH_NO_SKIP)) {
        char want[33], have[33];
        if (esp_md5_hex(data, len, want) == 0 && esp_flash_md5(s, addr, len, have) == 0 && !strcmp(want, have)) {
            char msg[128];
            snprintf(msg, sizeof msg, "skipped 0x%x bytes at 0x%08x: flash already holds them (MD5 %s)", len, addr, want);
            esp_emit(&s->env, ESPCTL_EVENT_MESSAGE, "program", len, len, addr, 0, msg);
            free(aligned);
            return 0;
        }
    }
    uint8_t *z = NULL;
    uint32_t zlen = 0;
    if (deflate_image(data, len, &z, &zlen) == 0 && zlen >= len) {
        free(z); /* incompressible: plain FLASH_DATA is shorter */
        z = NULL;
    }
    for (int attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
        esp_emit(&s->env, ESPCTL_EVENT_STAGE_BEGIN, "program", 0, len, addr, 0, z ? "deflate" : "plain");
        rc = write_once(s, addr, data, len, z, zlen);
        esp_emit(&s->env, ESPCTL_EVENT_STAGE_END, "program", rc ? 0 : len, len, addr, rc, NULL);
        if (rc == 0 && !(flags & ESPCTL_FLASH_NO_VERIFY)) {
            esp_emit(&s->env, ESPCTL_EVENT_STAGE_BEGIN, "verify", 0, len, addr, 0, NULL);
            rc = esp_flash_verify(s, addr, data, len);
            esp_emit(&s->env, ESPCTL_EVENT_STAGE_END, "verify", rc ? 0 : len, len, addr, rc, NULL);
        }
        /* A second pass only for damage a rewrite can cure: a bad stream or bad contents. */
        if (rc != ESPCTL_E_VERIFY && rc != ESPCTL_E_TARGET)
            break;
        if (attempt + 1 < WRITE_ATTEMPTS)
            esp_log(&s->env, ESPCTL_LOG_WARN, "rewriting 0x%x bytes at 0x%08x after: %s", len, addr, esp_last_error());
    }
    free(z);
    free(aligned);
    if (rc)
        s->failed = 1;
    return rc;
}

int esp_flash_erase_region(struct esp_session *s, uint32_t addr, uint32_t len)
{
    uint32_t start = addr & ~(ESP_SECTOR - 1);
    uint64_t end = ((uint64_t)addr + len + ESP_SECTOR - 1) & ~(uint64_t)(ESP_SECTOR - 1);
    if (end > s->flash_size)
        return esp_fail(&s->env, ESPCTL_E_INVAL, "erase: 0x%x bytes at 0x%08x end past the %u MiB flash", len, addr,
                        s->flash_size >> 20);
    uint32_t size = (uint32_t)(end - start);
    esp_emit(&s->env, ESPCTL_EVENT_STAGE_BEGIN, "erase", 0, size, start, 0, NULL);
    uint8_t begin[20];
    size_t blen = begin_payload(s, begin, size, 0, ESP_ROM_BLOCK, start);
    struct esp_reply r;
    uint32_t timeout = size == s->flash_size ? CHIP_ERASE_TIMEOUT_MS : esp_timeout_for(&s->loader, ERASE_WRITE_MS_PER_MB, size);
    if (timeout < s->loader.min_timeout_ms)
        timeout = s->loader.min_timeout_ms;
    int rc = esp_session_command(s, ESP_OP_FLASH_BEGIN, begin, blen, timeout, &r);
    if (rc)
        rc = esp_fail(&s->env, rc, "erase: FLASH_BEGIN at 0x%08x (0x%x bytes): %s", start, size, esp_last_error());
    esp_emit(&s->env, ESPCTL_EVENT_STAGE_END, "erase", rc ? 0 : size, size, start, rc, NULL);
    if (rc)
        s->failed = 1;
    return rc;
}

int esp_flash_erase_all(struct esp_session *s)
{
    return esp_flash_erase_region(s, 0, s->flash_size);
}

int esp_flash_read(struct esp_session *s, uint32_t addr, uint8_t *buf, uint32_t len)
{
    if ((uint64_t)addr + len > s->flash_size)
        return esp_fail(&s->env, ESPCTL_E_INVAL, "read: 0x%x bytes at 0x%08x end past the %u MiB flash", len, addr,
                        s->flash_size >> 20);
    esp_emit(&s->env, ESPCTL_EVENT_STAGE_BEGIN, "read", 0, len, addr, 0, NULL);
    int rc = 0;
    for (uint32_t done = 0; done < len && !rc;) {
        uint32_t n = len - done < 64 ? len - done : 64;
        uint8_t p[8];
        esp_put32(p, addr + done);
        esp_put32(p + 4, n);
        struct esp_reply r;
        rc = esp_session_command(s, ESP_OP_READ_FLASH_SLOW, p, sizeof p, s->loader.min_timeout_ms, &r);
        if (rc) {
            rc = esp_fail(&s->env, rc, "read: READ_FLASH_SLOW at 0x%08x: %s", addr + done, esp_last_error());
        } else if (r.data_len < n) {
            rc = esp_fail(&s->env, ESPCTL_E_PROTOCOL, "read: READ_FLASH_SLOW at 0x%08x returned %zu bytes, expected %u",
                          addr + done, r.data_len, n);
        } else {
            memcpy(buf + done, r.data, n);
            done += n;
            esp_emit(&s->env, ESPCTL_EVENT_PROGRESS, "read", done, len, addr + done, 0, NULL);
        }
    }
    esp_emit(&s->env, ESPCTL_EVENT_STAGE_END, "read", 0, len, addr, rc, NULL);
    return rc;
}
