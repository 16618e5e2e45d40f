/* Engine unit tests: exact ROM replies per opcode and per chip personality. */
#include "esp_chip.h"
#include "esp_engine.h"
#include "esp_flash.h"
#include "esp_test_frames.h"

#include <openssl/evp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

static const char *const all_chips[] = {"esp32", "esp32s2", "esp32s3", "esp32c2", "esp32c3", "esp32c6", "esp32h2"};

struct fixture {
    struct esp_flash flash;
    struct esp_engine *e;
    struct esp_buf pkt, payload, replies;
    const struct esp_chip *chip;
};

static struct fixture *fx_new(const char *chip)
{
    struct fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->chip = esp_chip_find(chip);
    assert_non_null(f->chip);
    assert_int_equal(esp_flash_init(&f->flash, 4u << 20), 0);
    struct esp_engine_options o = {.chip = f->chip, .flash = &f->flash, .baud = 115200, .baud_model = 1};
    f->e = esp_engine_new(&o);
    assert_non_null(f->e);
    return f;
}

static void fx_free(struct fixture *f)
{
    esp_engine_free(f->e);
    esp_flash_free(&f->flash);
    esp_buf_free(&f->pkt);
    esp_buf_free(&f->payload);
    esp_buf_free(&f->replies);
    free(f);
}

/* Sends one command, expects exactly one reply; returns it without checking its opcode. */
static const uint8_t *run_any(struct fixture *f, uint8_t op, const void *data, size_t len, size_t *rlen)
{
    tf_command(&f->pkt, op, data, len, 0);
    assert_int_equal(tf_exchange(f->e, &f->pkt, &f->replies), 1);
    const uint8_t *r = tf_reply(&f->replies, 0, rlen);
    assert_non_null(r);
    assert_int_equal(r[0], 0x01);
    assert_int_equal(r[2] | r[3] << 8, *rlen - 8);
    return r;
}

/* Sends one command, expects exactly one reply; returns it and checks the common header. */
static const uint8_t *run1(struct fixture *f, uint8_t op, const void *data, size_t len, uint32_t chk, size_t *rlen)
{
    tf_command(&f->pkt, op, data, len, chk);
    assert_int_equal(tf_exchange(f->e, &f->pkt, &f->replies), 1);
    const uint8_t *r = tf_reply(&f->replies, 0, rlen);
    assert_non_null(r);
    assert_int_equal(r[0], 0x01);
    assert_int_equal(r[1], op);
    assert_int_equal(r[2] | r[3] << 8, *rlen - 8);
    return r;
}

static void expect_status(const uint8_t *r, size_t rlen, uint8_t status, uint8_t error)
{
    assert_int_equal(r[rlen - 4], status);
    assert_int_equal(r[rlen - 3], error);
    assert_int_equal(r[rlen - 2], 0);
    assert_int_equal(r[rlen - 1], 0);
}

static const uint8_t *run_status(struct fixture *f, uint8_t op, const void *data, size_t len, uint32_t chk,
                                 uint8_t status, uint8_t error)
{
    size_t rlen;
    const uint8_t *r = run1(f, op, data, len, chk, &rlen);
    assert_int_equal(rlen, 12);
    expect_status(r, rlen, status, error);
    return r;
}

static void attach(struct fixture *f)
{
    uint8_t cfg[8] = {0};
    size_t rlen;
    const uint8_t *r = run1(f, ESP_OP_SPI_ATTACH, cfg, 8, 0, &rlen);
    assert_int_equal(rlen, 12);
    expect_status(r, rlen, 0, 0);
}

static void begin(struct fixture *f, uint8_t op, uint32_t erase, uint32_t blocks, uint32_t bsize, uint32_t off,
                  uint8_t status, uint8_t err)
{
    uint8_t p[20] = {0};
    tf_put32(p, erase);
    tf_put32(p + 4, blocks);
    tf_put32(p + 8, bsize);
    tf_put32(p + 12, off);
    size_t rlen;
    const uint8_t *r = run1(f, op, p, f->chip->flash_begin_len, 0, &rlen);
    assert_int_equal(rlen, 12);
    expect_status(r, rlen, status, err);
}

static void data_block(struct fixture *f, uint8_t op, const uint8_t *d, uint32_t len, uint32_t seq, uint8_t status,
                       uint8_t err)
{
    uint32_t chk = tf_data_payload(&f->payload, d, len, seq);
    size_t rlen;
    const uint8_t *r = run1(f, op, f->payload.data, f->payload.len, chk, &rlen);
    assert_int_equal(rlen, 12);
    expect_status(r, rlen, status, err);
}

static void md5_hex(const uint8_t *d, size_t len, char out[33])
{
    uint8_t dig[16];
    unsigned n = 0;
    assert_true(EVP_Digest(d, len, dig, &n, EVP_md5(), NULL));
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", dig[i]);
}

static void test_sync_answers_eight_times(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof all_chips / sizeof *all_chips; c++) {
        struct fixture *f = fx_new(all_chips[c]);
        uint8_t sync[36] = {0x07, 0x07, 0x12, 0x20};
        memset(sync + 4, 0x55, 32);
        tf_command(&f->pkt, ESP_OP_SYNC, sync, sizeof sync, 0);
        assert_int_equal(tf_exchange(f->e, &f->pkt, &f->replies), 8);
        static const uint8_t expected[12] = {0x01, 0x08, 0x04, 0x00, 0x07, 0x20, 0x55, 0x55, 0, 0, 0, 0};
        /* byte for byte the ESP32 reply in esptool issue traces: 010804000720555500000000 */
        for (size_t i = 0; i < 8; i++) {
            size_t len;
            const uint8_t *r = tf_reply(&f->replies, i, &len);
            assert_int_equal(len, 12);
            assert_memory_equal(r, expected, 12);
        }
        sync[10] = 0x54; /* not the auto-baud pattern: the ROM stays silent */
        tf_command(&f->pkt, ESP_OP_SYNC, sync, sizeof sync, 0);
        assert_int_equal(tf_exchange(f->e, &f->pkt, &f->replies), 0);
        fx_free(f);
    }
}

static void test_read_reg_magic_per_chip(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof all_chips / sizeof *all_chips; c++) {
        struct fixture *f = fx_new(all_chips[c]);
        uint8_t a[4];
        tf_put32(a, ESP_CHIP_MAGIC_REG);
        size_t rlen;
        const uint8_t *r = run1(f, ESP_OP_READ_REG, a, 4, 0, &rlen);
        assert_int_equal(rlen, 12);
        assert_int_equal(tf_get32(r + 4), f->chip->magic);
        expect_status(r, rlen, 0, 0);
        fx_free(f);
    }
    /* The ESP32 reply byte for byte, as in an esptool trace of a real chip. */
    struct fixture *f = fx_new("esp32");
    uint8_t a[4];
    tf_put32(a, 0x40001000);
    size_t rlen;
    const uint8_t *r = run1(f, ESP_OP_READ_REG, a, 4, 0, &rlen);
    static const uint8_t trace[12] = {0x01, 0x0A, 0x04, 0x00, 0x83, 0x1D, 0xF0, 0x00, 0, 0, 0, 0};
    assert_memory_equal(r, trace, 12);
    fx_free(f);
}

static void test_read_mac_words(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof all_chips / sizeof *all_chips; c++) {
        struct fixture *f = fx_new(all_chips[c]);
        uint8_t a[4];
        size_t rlen;
        tf_put32(a, f->chip->efuse_mac_reg);
        uint32_t w0 = tf_get32(run1(f, ESP_OP_READ_REG, a, 4, 0, &rlen) + 4);
        tf_put32(a, f->chip->efuse_mac_reg + 4);
        uint32_t w1 = tf_get32(run1(f, ESP_OP_READ_REG, a, 4, 0, &rlen) + 4);
        uint8_t mac[6] = {(uint8_t)(w1 >> 8), (uint8_t)w1, (uint8_t)(w0 >> 24), (uint8_t)(w0 >> 16),
                          (uint8_t)(w0 >> 8), (uint8_t)w0};
        uint8_t expected[6] = {0x24, 0x0A, 0xC4, 0x5E, 0x1A, (uint8_t)f->chip->chip_id};
        assert_memory_equal(mac, expected, 6);
        fx_free(f);
    }
}

static void test_security_info_sizes(void **state)
{
    (void)state;
    struct {
        const char *chip;
        size_t reply_len;
    } cases[] = {{"esp32", 12}, {"esp32s2", 24}, {"esp32s3", 32}, {"esp32c3", 32}, {"esp32c6", 32}, {"esp32h2", 32}, {"esp32c2", 32}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct fixture *f = fx_new(cases[i].chip);
        size_t rlen;
        uint8_t a[4] = {0};
        run1(f, ESP_OP_READ_REG, a, 4, 0, &rlen);
        const uint8_t *r = run_any(f, ESP_OP_GET_SECURITY_INFO, NULL, 0, &rlen);
        assert_int_equal(rlen, cases[i].reply_len);
        if (!strcmp(cases[i].chip, "esp32")) {
            /* unsupported: error 0x05 under another opcode, which is how hosts recognise it */
            assert_int_equal(r[1], ESP_OP_READ_REG);
            expect_status(r, rlen, 1, ESP_ERR_BAD_FORMAT);
        } else {
            assert_int_equal(r[1], ESP_OP_GET_SECURITY_INFO);
            expect_status(r, rlen, 0, 0);
            if (rlen == 32)
                assert_int_equal(tf_get32(r + 8 + 12), f->chip->chip_id);
        }
        fx_free(f);
    }
}

static void test_attach_and_begin_lengths(void **state)
{
    (void)state;
    struct fixture *f = fx_new("esp32s3");
    uint8_t four[4] = {0};
    run_status(f, ESP_OP_SPI_ATTACH, four, 4, 0, 1, ESP_ERR_BAD_FORMAT);
    begin(f, ESP_OP_FLASH_BEGIN, 0x1000, 4, 0x400, 0, 1, ESP_ERR_FLASH_WRITE); /* not attached */
    attach(f);
    uint8_t p24[24] = {0};
    tf_put32(p24 + 8, 0x400);
    run_status(f, ESP_OP_FLASH_BEGIN, p24, 24, 0, 1, ESP_ERR_BAD_FORMAT);
    run_status(f, ESP_OP_FLASH_BEGIN, p24, 12, 0, 1, ESP_ERR_BAD_FORMAT);
    run_status(f, ESP_OP_FLASH_BEGIN, p24, 16, 0, 0, 0); /* esptool-js form for FLASH_DEFL_BEGIN on C6/H2 */
    begin(f, ESP_OP_FLASH_BEGIN, 0x1000, 4, 0x400, 0x3FF000, 0, 0);
    begin(f, ESP_OP_FLASH_BEGIN, 0x2000, 8, 0x400, 0x3FF000, 1, ESP_ERR_BAD_PARAM); /* past the end */
    fx_free(f);
    f = fx_new("esp32");
    attach(f);
    uint8_t p20[20] = {0};
    tf_put32(p20 + 8, 0x400);
    run_status(f, ESP_OP_FLASH_BEGIN, p20, 20, 0, 0, 0); /* esptool-js sends the encrypted word to ESP32 too */
    begin(f, ESP_OP_FLASH_BEGIN, 0x1000, 4, 0x400, 0x1000, 0, 0);
    fx_free(f);
}

static void test_flash_write_checksum_and_sequence(void **state)
{
    (void)state;
    struct fixture *f = fx_new("esp32c3");
    memset(f->flash.mem, 0x00, f->flash.size); /* programmed everywhere: BEGIN must erase */
    attach(f);
    uint8_t block[0x400];
    for (size_t i = 0; i < sizeof block; i++)
        block[i] = (uint8_t)(i * 7 + 3);
    begin(f, ESP_OP_FLASH_BEGIN, 0x800, 2, 0x400, 0x10000, 0, 0);
    assert_int_equal(f->flash.mem[0x10FFF], 0xFF); /* whole 4 KiB sector erased */
    assert_int_equal(f->flash.mem[0x11000], 0x00); /* next sector untouched */
    assert_int_equal(f->flash.mem[0xFFFF], 0x00);
    /* Bad checksum. */
    uint32_t chk = tf_data_payload(&f->payload, block, sizeof block, 0);
    run_status(f, ESP_OP_FLASH_DATA, f->payload.data, f->payload.len, chk ^ 1, 1, ESP_ERR_CHECKSUM);
    /* Out-of-order block. */
    data_block(f, ESP_OP_FLASH_DATA, block, sizeof block, 1, 1, ESP_ERR_BAD_PARAM);
    data_block(f, ESP_OP_FLASH_DATA, block, sizeof block, 0, 0, 0);
    data_block(f, ESP_OP_FLASH_DATA, block, sizeof block, 0, 0, 0); /* resend after a lost reply */
    block[0] ^= 0xFF;
    data_block(f, ESP_OP_FLASH_DATA, block, sizeof block, 0, 1, ESP_ERR_BAD_PARAM); /* a different block 0 */
    block[0] ^= 0xFF;
    data_block(f, ESP_OP_FLASH_DATA, block, sizeof block, 1, 0, 0);
    data_block(f, ESP_OP_FLASH_DATA, block, sizeof block, 2, 1, ESP_ERR_BAD_PARAM); /* beyond num_blocks */
    assert_memory_equal(f->flash.mem + 0x10000, block, sizeof block);
    assert_memory_equal(f->flash.mem + 0x10400, block, sizeof block);
    assert_int_equal(f->flash.bytes_programmed, 2 * sizeof block);
    /* The header's length word must match the payload. */
    tf_data_payload(&f->payload, block, sizeof block, 2);
    tf_put32(f->payload.data, 0x3FF);
    run_status(f, ESP_OP_FLASH_DATA, f->payload.data, f->payload.len, chk, 1, ESP_ERR_BAD_FORMAT);
    fx_free(f);
}

static void test_nor_semantics_and_timing(void **state)
{
    (void)state;
    struct esp_flash fl;
    assert_int_equal(esp_flash_init(&fl, 1u << 20), 0);
    uint8_t a = 0xF0, b = 0x3C;
    assert_int_equal(esp_flash_program(&fl, 0x1234, &a, 1), 0);
    assert_int_equal(esp_flash_program(&fl, 0x1234, &b, 1), 0);
    assert_int_equal(fl.mem[0x1234], 0x30); /* bits only go from 1 to 0 */
    assert_int_equal(esp_flash_erase(&fl, 0x1FFF, 2), 0); /* touches two sectors */
    assert_int_equal(fl.sectors_erased, 2);
    assert_int_equal(fl.mem[0x1234], 0xFF);
    assert_in_range((long)(fl.flash_seconds * 1e6), 2 * 45000 + 400 - 1, 2 * 45000 + 2 * 400 + 1);
    assert_int_equal(esp_flash_erase(&fl, 0x10000, 0x10000), 0); /* aligned 64 KiB: one block erase */
    assert_int_equal(fl.block_erase_ops, 1);
    assert_int_equal(fl.sectors_erased, 18);
    assert_int_not_equal(esp_flash_program(&fl, (1u << 20) - 1, &a, 2), 0);
    esp_flash_free(&fl);
}

static void make_half_compressible(uint8_t *d, size_t len, uint32_t seed)
{
    for (size_t i = 0; i < len; i++) {
        seed = seed * 1103515245u + 12345u;
        d[i] = (i / 64) % 2 ? (uint8_t)(seed >> 16) : (uint8_t)(i / 64);
    }
}

static void test_deflate_download_and_md5(void **state)
{
    (void)state;
    const size_t n = 0x9000 + 123;
    uint8_t *img = malloc(n);
    make_half_compressible(img, n, 42);
    uLongf clen = compressBound(n);
    uint8_t *z = malloc(clen);
    assert_int_equal(compress2(z, &clen, img, n, 9), Z_OK);
    struct fixture *f = fx_new("esp32s3");
    attach(f);
    const uint32_t bs = 0x400;
    uint32_t blocks = (uint32_t)((clen + bs - 1) / bs);
    uint32_t erase = (uint32_t)((n + bs - 1) / bs * bs);
    begin(f, ESP_OP_FLASH_DEFL_BEGIN, erase, blocks, bs, 0x20000, 0, 0);
    for (uint32_t s = 0; s < blocks; s++) {
        uint32_t len = (uint32_t)(clen - s * bs < bs ? clen - s * bs : bs);
        data_block(f, ESP_OP_FLASH_DEFL_DATA, z + s * bs, len, s, 0, 0);
    }
    assert_memory_equal(f->flash.mem + 0x20000, img, n);
    assert_int_equal(f->flash.bytes_programmed, n);
    uint8_t q[16] = {0};
    tf_put32(q, 0x20000);
    tf_put32(q + 4, (uint32_t)n);
    size_t rlen;
    const uint8_t *r = run1(f, ESP_OP_SPI_FLASH_MD5, q, 16, 0, &rlen);
    assert_int_equal(rlen, 44); /* 32 ASCII hex digits + 4 status bytes */
    char hex[33];
    md5_hex(img, n, hex);
    assert_memory_equal(r + 8, hex, 32);
    expect_status(r, rlen, 0, 0);
    /* A corrupt stream is refused with the ROM's inflate error. */
    begin(f, ESP_OP_FLASH_DEFL_BEGIN, 0x1000, 1, bs, 0x40000, 0, 0);
    uint8_t junk[64];
    memset(junk, 0xA5, sizeof junk);
    data_block(f, ESP_OP_FLASH_DEFL_DATA, junk, sizeof junk, 0, 1, ESP_ERR_INFLATE);
    fx_free(f);
    free(img);
    free(z);
}

static void test_md5_requires_attach_and_range(void **state)
{
    (void)state;
    struct fixture *f = fx_new("esp32");
    uint8_t q[16] = {0};
    tf_put32(q + 4, 0x1000);
    size_t rlen;
    run_status(f, ESP_OP_SPI_FLASH_MD5, q, 16, 0, 1, ESP_ERR_FLASH_READ);
    attach(f);
    const uint8_t *r = run1(f, ESP_OP_SPI_FLASH_MD5, q, 16, 0, &rlen);
    assert_int_equal(rlen, 44);
    char hex[33];
    uint8_t erased[0x1000];
    memset(erased, 0xFF, sizeof erased);
    md5_hex(erased, sizeof erased, hex);
    assert_memory_equal(r + 8, hex, 32);
    tf_put32(q, 0x3FF000);
    tf_put32(q + 4, 0x2000);
    run_status(f, ESP_OP_SPI_FLASH_MD5, q, 16, 0, 1, ESP_ERR_FLASH_READ);
    fx_free(f);
}

static void test_change_baud_and_wire_clock(void **state)
{
    (void)state;
    struct fixture *f = fx_new("esp32c6");
    uint8_t p[8] = {0};
    tf_put32(p, 921600);
    size_t rlen;
    const struct esp_engine_stats *st = esp_engine_stats(f->e);
    run_status(f, ESP_OP_CHANGE_BAUDRATE, p, 8, 0, 0, 0);
    /* request 18 wire bytes + reply 14, both at 115200 */
    assert_int_equal(st->bytes_in, 18);
    assert_int_equal(st->bytes_out, 14);
    assert_in_range((long)(st->wire_seconds * 1e9), (long)(32 * 10 / 115200.0 * 1e9) - 2, (long)(32 * 10 / 115200.0 * 1e9) + 2);
    assert_int_equal(esp_engine_baud(f->e), 921600);
    double before = st->wire_seconds;
    uint8_t a[4];
    tf_put32(a, 0);
    run1(f, ESP_OP_READ_REG, a, 4, 0, &rlen);
    assert_in_range((long)((st->wire_seconds - before) * 1e9), (long)(28 * 10 / 921600.0 * 1e9) - 2, (long)(28 * 10 / 921600.0 * 1e9) + 2);
    tf_put32(p, 0);
    run_status(f, ESP_OP_CHANGE_BAUDRATE, p, 8, 0, 1, ESP_ERR_BAD_PARAM);
    fx_free(f);
}

static void test_unknown_and_malformed_commands(void **state)
{
    (void)state;
    struct fixture *f = fx_new("esp32s3");
    size_t rlen;
    uint8_t rf[16] = {0};
    const uint8_t *r = run_any(f, 0xD2, rf, 16, &rlen); /* READ_FLASH: stub only */
    assert_int_equal(rlen, 12);
    assert_int_not_equal(r[1], 0xD2);
    expect_status(r, rlen, 1, ESP_ERR_BAD_FORMAT);
    run1(f, ESP_OP_READ_REG, rf, 4, 0, &rlen);
    r = run_any(f, 0xD0, NULL, 0, &rlen); /* ERASE_FLASH: stub only */
    assert_int_equal(r[1], ESP_OP_READ_REG);
    expect_status(r, rlen, 1, ESP_ERR_BAD_FORMAT);
    /* Header size disagrees with the frame. */
    tf_command(&f->pkt, ESP_OP_READ_REG, rf, 4, 0);
    f->pkt.data[2] = 8;
    assert_int_equal(tf_exchange(f->e, &f->pkt, &f->replies), 1);
    r = tf_reply(&f->replies, 0, &rlen);
    expect_status(r, rlen, 1, ESP_ERR_BAD_FORMAT);
    fx_free(f);
}

static void test_mem_download_stays_in_loader(void **state)
{
    (void)state;
    struct fixture *f = fx_new("esp32c3");
    uint8_t p[16];
    tf_put32(p, 100);
    tf_put32(p + 4, 1);
    tf_put32(p + 8, 0x1800);
    tf_put32(p + 12, 0x40380000);
    run_status(f, ESP_OP_MEM_BEGIN, p, 16, 0, 0, 0);
    uint8_t code[100];
    memset(code, 0x13, sizeof code);
    data_block(f, ESP_OP_MEM_DATA, code, sizeof code, 0, 0, 0);
    uint8_t end[8];
    tf_put32(end, 0);
    tf_put32(end + 4, 0x403806D2);
    run_status(f, ESP_OP_MEM_END, end, 8, 0, 0, 0);
    assert_int_equal(esp_engine_stats(f->e)->mem_entry, 0x403806D2);
    assert_int_equal(esp_engine_stats(f->e)->mem_bytes_loaded, 100);
    assert_int_equal(esp_engine_mode(f->e), ESP_MODE_DOWNLOAD);
    tf_put32(p, 0x100000); /* larger than any internal RAM */
    run_status(f, ESP_OP_MEM_BEGIN, p, 16, 0, 1, ESP_ERR_RAM_SIZE);
    fx_free(f);
}

static void test_flash_end_leaves_loader_until_reset(void **state)
{
    (void)state;
    struct fixture *f = fx_new("esp32");
    uint8_t flag[4] = {0};
    run_status(f, ESP_OP_FLASH_END, flag, 4, 0, 0, 0);
    assert_int_equal(esp_engine_mode(f->e), ESP_MODE_APP);
    uint8_t sync[36] = {0x07, 0x07, 0x12, 0x20};
    memset(sync + 4, 0x55, 32);
    tf_command(&f->pkt, ESP_OP_SYNC, sync, sizeof sync, 0);
    assert_int_equal(tf_exchange(f->e, &f->pkt, &f->replies), 0);
    struct esp_buf banner = {0};
    esp_engine_reset(f->e, 1, &banner);
    esp_buf_push(&banner, 0);
    assert_non_null(strstr((const char *)banner.data, "waiting for download"));
    esp_buf_free(&banner);
    assert_int_equal(tf_exchange(f->e, &f->pkt, &f->replies), 8);
    fx_free(f);
}

static void test_spi_jedec_id_via_registers(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof all_chips / sizeof *all_chips; c++) {
        struct fixture *f = fx_new(all_chips[c]);
        const struct esp_chip *ch = f->chip;
        uint8_t w[16] = {0};
        size_t rlen;
        tf_put32(w, ch->spi_base + ch->spi_usr2_off);
        tf_put32(w + 4, (7u << 28) | 0x9F);
        tf_put32(w + 8, 0xFFFFFFFF);
        run_status(f, ESP_OP_WRITE_REG, w, 16, 0, 0, 0);
        tf_put32(w, ch->spi_base);
        tf_put32(w + 4, 1u << 18);
        run_status(f, ESP_OP_WRITE_REG, w, 16, 0, 0, 0);
        uint8_t a[4];
        tf_put32(a, ch->spi_base);
        assert_int_equal(tf_get32(run1(f, ESP_OP_READ_REG, a, 4, 0, &rlen) + 4) & (1u << 18), 0);
        tf_put32(a, ch->spi_base + ch->spi_w0_off);
        assert_int_equal(tf_get32(run1(f, ESP_OP_READ_REG, a, 4, 0, &rlen) + 4), 0x1640EF);
        fx_free(f);
    }
}

static void test_engine_faults(void **state)
{
    (void)state;
    struct fixture *f = calloc(1, sizeof *f);
    f->chip = esp_chip_find("esp32c3");
    assert_int_equal(esp_flash_init(&f->flash, 1u << 20), 0);
    struct esp_engine_options o = {.chip = f->chip, .flash = &f->flash, .baud = 115200, .nak_data_at = 2, .bad_md5 = 1};
    f->e = esp_engine_new(&o);
    attach(f);
    uint8_t block[0x400] = {1, 2, 3};
    begin(f, ESP_OP_FLASH_BEGIN, 0x800, 2, 0x400, 0, 0, 0);
    data_block(f, ESP_OP_FLASH_DATA, block, sizeof block, 0, 0, 0);
    data_block(f, ESP_OP_FLASH_DATA, block, sizeof block, 1, 1, ESP_ERR_CHECKSUM); /* injected */
    data_block(f, ESP_OP_FLASH_DATA, block, sizeof block, 1, 0, 0);               /* retry succeeds */
    uint8_t q[16] = {0};
    tf_put32(q + 4, 0x800);
    size_t rlen;
    const uint8_t *r = run1(f, ESP_OP_SPI_FLASH_MD5, q, 16, 0, &rlen);
    char hex[33];
    md5_hex(f->flash.mem, 0x800, hex);
    assert_memory_not_equal(r + 8, hex, 32);
    assert_int_equal(esp_engine_stats(f->e)->faults_nak, 1);
    fx_free(f);
}

static void test_read_flash_slow_and_baud_model_off(void **state)
{
    (void)state;
    struct fixture *f = calloc(1, sizeof *f);
    f->chip = esp_chip_find("esp32");
    assert_int_equal(esp_flash_init(&f->flash, 1u << 20), 0);
    for (int i = 0; i < 64; i++)
        f->flash.mem[0x2000 + i] = (uint8_t)(0x40 + i);
    struct esp_engine_options o = {.chip = f->chip, .flash = &f->flash, .baud = 115200, .baud_model = 0};
    f->e = esp_engine_new(&o);
    uint8_t q[8];
    tf_put32(q, 0x2000);
    tf_put32(q + 4, 64);
    run_status(f, ESP_OP_READ_FLASH_SLOW, q, 8, 0, 1, ESP_ERR_FLASH_READ); /* not attached */
    attach(f);
    size_t rlen;
    const uint8_t *r = run1(f, ESP_OP_READ_FLASH_SLOW, q, 8, 0, &rlen);
    assert_int_equal(rlen, 8 + 64 + 4);
    assert_memory_equal(r + 8, f->flash.mem + 0x2000, 64);
    expect_status(r, rlen, 0, 0);
    /* Without the baud model only the flash's own time counts. */
    assert_true(esp_engine_stats(f->e)->wire_seconds > 0);
    double flash_only = f->flash.flash_seconds;
    assert_true(esp_engine_modelled_seconds(f->e) == flash_only);
    fx_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sync_answers_eight_times),
        cmocka_unit_test(test_read_reg_magic_per_chip),
        cmocka_unit_test(test_read_mac_words),
        cmocka_unit_test(test_security_info_sizes),
        cmocka_unit_test(test_attach_and_begin_lengths),
        cmocka_unit_test(test_flash_write_checksum_and_sequence),
        cmocka_unit_test(test_nor_semantics_and_timing),
        cmocka_unit_test(test_deflate_download_and_md5),
        cmocka_unit_test(test_md5_requires_attach_and_range),
        cmocka_unit_test(test_change_baud_and_wire_clock),
        cmocka_unit_test(test_unknown_and_malformed_commands),
        cmocka_unit_test(test_mem_download_stays_in_loader),
        cmocka_unit_test(test_flash_end_leaves_loader_until_reset),
        cmocka_unit_test(test_spi_jedec_id_via_registers),
        cmocka_unit_test(test_engine_faults),
        cmocka_unit_test(test_read_flash_slow_and_baud_model_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
