/* SLIP codec edge cases and a robustness run of the engine on random and truncated input. */
#include "esp_chip.h"
#include "esp_engine.h"
#include "esp_slip.h"
#include "esp_test_frames.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static struct slip_decoder dec;

/* Feeds bytes; returns number of frames; the last frame is left in dec. */
static int feed(const uint8_t *p, size_t n, int *errors)
{
    int frames = 0;
    for (size_t i = 0; i < n; i++) {
        enum slip_event ev = slip_decoder_push(&dec, p[i]);
        if (ev == SLIP_FRAME)
            frames++;
        else if (ev != SLIP_NONE && errors)
            (*errors)++;
    }
    return frames;
}

static void test_encode_escapes(void **state)
{
    (void)state;
    const uint8_t in[] = {0x01, 0xC0, 0xDB, 0xDC, 0xDD};
    const uint8_t expect[] = {0xC0, 0x01, 0xDB, 0xDC, 0xDB, 0xDD, 0xDC, 0xDD, 0xC0};
    struct esp_buf b = {0};
    slip_encode(&b, in, sizeof in);
    assert_int_equal(b.len, sizeof expect);
    assert_memory_equal(b.data, expect, sizeof expect);
    slip_decoder_init(&dec);
    assert_int_equal(feed(b.data, b.len, NULL), 1);
    assert_int_equal(dec.frame_len, sizeof in);
    assert_memory_equal(dec.frame, in, sizeof in);
    esp_buf_free(&b);
}

static void test_garbage_and_back_to_back(void **state)
{
    (void)state;
    const uint8_t wire[] = {'b', 'o', 'o', 't', '\n', 0xC0, 0x11, 0xC0, 0xC0, 0x22, 0x23, 0xC0, 0xC0, 0xC0, 'x'};
    slip_decoder_init(&dec);
    assert_int_equal(feed(wire, sizeof wire, NULL), 2);
    assert_int_equal(dec.garbage_bytes, 5); /* "boot\n"; the final x sits in a newly opened frame */
}

static void test_bad_escape_drops_frame(void **state)
{
    (void)state;
    const uint8_t wire[] = {0xC0, 0x01, 0xDB, 0x02, 0x03, 0xC0, 0x04, 0xC0};
    int errors = 0;
    slip_decoder_init(&dec);
    /* The broken frame is dropped; its closing 0xC0 opens the next one, which survives. */
    assert_int_equal(feed(wire, sizeof wire, &errors), 1);
    assert_int_equal(errors, 1);
    assert_int_equal(dec.frame_len, 1);
    assert_int_equal(dec.frame[0], 0x04);
    const uint8_t esc_end[] = {0xC0, 0x01, 0xDB, 0xC0};
    errors = 0;
    slip_decoder_init(&dec);
    assert_int_equal(feed(esc_end, sizeof esc_end, &errors), 0);
    assert_int_equal(errors, 1);
}

static void test_oversize_frame(void **state)
{
    (void)state;
    uint8_t *big = malloc(SLIP_MAX_FRAME + 10);
    memset(big, 0x11, SLIP_MAX_FRAME + 10);
    big[0] = 0xC0;
    int errors = 0;
    slip_decoder_init(&dec);
    assert_int_equal(feed(big, SLIP_MAX_FRAME + 10, &errors), 0);
    assert_int_equal(errors, 1);
    const uint8_t tail[] = {0xC0, 0x05, 0xC0};
    assert_int_equal(feed(tail, sizeof tail, NULL), 1);
    assert_int_equal(dec.frame[0], 0x05);
    free(big);
}

/* Every reply must be a well-formed ROM response with a known status/error. */
static void check_replies(const struct esp_buf *out)
{
    static struct slip_decoder d;
    slip_decoder_init(&d);
    for (size_t i = 0; i < out->len; i++) {
        enum slip_event ev = slip_decoder_push(&d, out->data[i]);
        assert_true(ev == SLIP_NONE || ev == SLIP_FRAME);
        if (ev != SLIP_FRAME)
            continue;
        assert_true(d.frame_len >= 12);
        assert_int_equal(d.frame[0], 0x01);
        assert_int_equal((size_t)(d.frame[2] | d.frame[3] << 8), d.frame_len - 8);
        const uint8_t *st = d.frame + d.frame_len - 4;
        assert_true(st[0] == 0 || st[0] == 1);
        if (st[0])
            assert_true(st[1] == ESP_ERR_BAD_PARAM || st[1] == ESP_ERR_BAD_FORMAT || st[1] == ESP_ERR_CHECKSUM ||
                        st[1] == ESP_ERR_FLASH_WRITE || st[1] == ESP_ERR_FLASH_READ || st[1] == ESP_ERR_INFLATE ||
                        st[1] == ESP_ERR_INFLATE_ADLER || st[1] == ESP_ERR_INFLATE_PARAM ||
                        st[1] == ESP_ERR_RAM_SIZE || st[1] == ESP_ERR_RAM_ADDR);
        else
            assert_int_equal(st[1], 0);
    }
}

static uint32_t rnd_state = 12345;
static uint32_t rnd(void)
{
    rnd_state = rnd_state * 1664525u + 1013904223u;
    return rnd_state >> 8;
}

static void test_engine_survives_random_and_truncated_input(void **state)
{
    (void)state;
    static const char *const chips[] = {"esp32", "esp32s2", "esp32s3", "esp32c2", "esp32c3", "esp32c6", "esp32h2"};
    for (size_t c = 0; c < 7; c++) {
        struct esp_flash fl;
        assert_int_equal(esp_flash_init(&fl, 1u << 20), 0);
        struct esp_engine_options o = {.chip = esp_chip_find(chips[c]), .flash = &fl, .baud = 115200, .baud_model = 1};
        struct esp_engine *e = esp_engine_new(&o);
        struct esp_buf out = {0}, pkt = {0}, wire = {0};
        uint8_t buf[600];
        for (int round = 0; round < 1500; round++) {
            esp_buf_clear(&out);
            uint32_t kind = rnd() % 3;
            if (kind == 0) { /* pure noise, biased towards SLIP specials */
                size_t n = rnd() % sizeof buf;
                for (size_t i = 0; i < n; i++) {
                    uint32_t r = rnd() % 8;
                    buf[i] = r == 0 ? 0xC0 : r == 1 ? 0xDB : (uint8_t)rnd();
                }
                esp_engine_input(e, buf, n, &out);
            } else { /* a command with random opcode/params, maybe truncated or with a bad size */
                uint8_t op = (uint8_t)(kind == 1 ? rnd() % 0x16 : rnd());
                size_t n = rnd() % 48;
                for (size_t i = 0; i < n; i++)
                    buf[i] = (uint8_t)(rnd() % 4 ? rnd() % 4 : rnd());
                if (op == ESP_OP_SPI_ATTACH)
                    n = 8;
                tf_command(&pkt, op, buf, n, rnd() % 2 ? rnd() : 0);
                if (rnd() % 4 == 0)
                    pkt.data[2] ^= (uint8_t)(1 + rnd() % 255);
                esp_buf_clear(&wire);
                slip_encode(&wire, pkt.data, pkt.len);
                size_t len = rnd() % 3 == 0 ? rnd() % wire.len : wire.len;
                esp_engine_input(e, wire.data, len, &out);
            }
            check_replies(&out);
            if (esp_engine_mode(e) == ESP_MODE_APP) {
                esp_buf_clear(&out);
                esp_engine_reset(e, 1, &out);
            }
        }
        /* After all that, a clean SYNC still gets its 8 answers. */
        uint8_t sync[36] = {0x07, 0x07, 0x12, 0x20};
        memset(sync + 4, 0x55, 32);
        tf_command(&pkt, ESP_OP_SYNC, sync, sizeof sync, 0);
        struct esp_buf replies = {0};
        const uint8_t lone_end = 0xC0; /* closes whatever half frame the noise left open */
        esp_engine_input(e, &lone_end, 1, &out);
        assert_int_equal(tf_exchange(e, &pkt, &replies), 8);
        assert_true(esp_engine_stats(e)->bad_frames > 0);
        esp_buf_free(&replies);
        esp_buf_free(&out);
        esp_buf_free(&pkt);
        esp_buf_free(&wire);
        esp_engine_free(e);
        esp_flash_free(&fl);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode_escapes),
        cmocka_unit_test(test_garbage_and_back_to_back),
        cmocka_unit_test(test_bad_escape_drops_frame),
        cmocka_unit_test(test_oversize_frame),
        cmocka_unit_test(test_engine_survives_random_and_truncated_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
