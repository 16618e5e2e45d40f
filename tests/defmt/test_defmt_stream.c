/* defmt streams: timestamps, frames split across feeds, truncated frames, unknown
 * indices and garbage (reported with raw bytes, decoding resumes), raw encoding. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* The research notes' worked example: index 5, timestamp {=u32:us} = 1 500 000. */
static espctl_defmt *example_decoder(const char *encoding)
{
    struct test_elf e;
    test_elf_init(&e);
    test_elf_defmt_meta(&e, "4", encoding);
    test_elf_defmt(&e, 5, "defmt_info", "x={=u16:x} s={=str}");
    test_elf_defmt(&e, 6, "defmt_warn", "n={=u8}");
    test_elf_defmt(&e, 2, "defmt_timestamp", "{=u32:us}");
    espctl_defmt *d = open_decoder(&e);
    test_elf_free(&e);
    return d;
}

static const uint8_t example[] = {0x05, 0x00, 0x60, 0xe3, 0x16, 0x00, 0x34, 0x12,
                                  0x02, 0x00, 0x00, 0x00, 0x61, 0x62};

static void n_frame(struct wire *w, uint32_t ts, uint8_t n)
{
    wire_reset(w);
    wire_u16(w, 6);
    wire_u32(w, ts);
    wire_u8(w, n);
}

static void test_timestamp_and_example(void **state)
{
    (void)state;
    espctl_defmt *d = example_decoder("rzcobs");
    assert_int_equal(espctl_defmt_table_size(d), 2);
    struct wire w = {.len = 0};
    wire_bytes(&w, example, sizeof example);
    struct capture c = {.count = 0};
    const struct captured *f = decode_frame(d, &w, &c);
    assert_int_equal(f->status, 0);
    assert_int_equal(f->level, ESPCTL_LOG_INFO);
    assert_true(f->flags & ESPCTL_DEFMT_FRAME_TIMESTAMP);
    assert_string_equal(f->timestamp, "1.500000");
    assert_string_equal(f->text, "x=1234 s=ab");
    espctl_defmt_free(d);
}

static void test_split_feeds(void **state)
{
    (void)state;
    espctl_defmt *d = example_decoder("rzcobs");
    struct wire stream = {.len = 0}, w;
    uint8_t zero = 0;
    wire_bytes(&stream, &zero, 1); /* defmt-rtt starts with a delimiter */
    for (uint8_t i = 0; i < 5; i++) {
        n_frame(&w, 1000u * i, i);
        wire_rzcobs(&stream, w.buf, w.len);
    }
    struct capture c = {.count = 0};
    for (size_t i = 0; i < stream.len; i++)
        assert_int_equal(espctl_defmt_feed(d, stream.buf + i, 1, capture_frame, &c), 0);
    assert_int_equal(c.count, 5);
    for (size_t i = 0; i < 5; i++) {
        char expect[32];
        snprintf(expect, sizeof expect, "n=%zu", i);
        assert_int_equal(c.frames[i].status, 0);
        assert_int_equal(c.frames[i].level, ESPCTL_LOG_WARN);
        assert_string_equal(c.frames[i].text, expect);
        snprintf(expect, sizeof expect, "0.00%zu000", i);
        assert_string_equal(c.frames[i].timestamp, expect);
    }
    assert_int_equal(espctl_defmt_pending(d), 0);
    espctl_defmt_free(d);
}

static void test_truncated_frame_waits(void **state)
{
    (void)state;
    espctl_defmt *d = example_decoder("rzcobs");
    struct wire w = {.len = 0}, framed = {.len = 0};
    wire_bytes(&w, example, sizeof example);
    wire_rzcobs(&framed, w.buf, w.len);
    struct capture c = {.count = 0};
    size_t half = framed.len / 2;
    assert_int_equal(espctl_defmt_feed(d, framed.buf, half, capture_frame, &c), 0);
    assert_int_equal(c.count, 0);
    assert_int_equal(espctl_defmt_pending(d), half);
    assert_int_equal(espctl_defmt_feed(d, framed.buf + half, framed.len - half, capture_frame, &c), 0);
    assert_int_equal(c.count, 1);
    assert_string_equal(c.frames[0].text, "x=1234 s=ab");
    assert_int_equal(c.frames[0].raw_size, framed.len - 1);
    assert_memory_equal(c.frames[0].raw, framed.buf, framed.len - 1);

    /* The stream ends mid-frame: flush reports the held bytes once. */
    assert_int_equal(espctl_defmt_feed(d, framed.buf, 3, capture_frame, &c), 0);
    assert_int_equal(espctl_defmt_flush(d, capture_frame, &c), 0);
    assert_int_equal(c.count, 2);
    assert_int_not_equal(c.frames[1].status, 0);
    assert_true(c.frames[1].flags & ESPCTL_DEFMT_FRAME_TRUNCATED);
    assert_int_equal(c.frames[1].raw_size, 3);
    assert_memory_equal(c.frames[1].raw, framed.buf, 3);
    assert_non_null(strstr(c.frames[1].text, "stream ended inside a frame (3 bytes)"));
    assert_int_equal(espctl_defmt_pending(d), 0);
    assert_int_equal(espctl_defmt_flush(d, capture_frame, &c), 0);
    assert_int_equal(c.count, 2);
    espctl_defmt_free(d);
}

static void test_unknown_index_then_resync(void **state)
{
    (void)state;
    espctl_defmt *d = example_decoder("rzcobs");
    struct wire w = {.len = 0}, stream = {.len = 0};
    wire_u16(&w, 999);
    wire_u32(&w, 1);
    wire_rzcobs(&stream, w.buf, w.len);
    size_t bad_len = stream.len - 1;
    n_frame(&w, 7, 42);
    wire_rzcobs(&stream, w.buf, w.len);
    struct capture c = {.count = 0};
    assert_int_equal(espctl_defmt_feed(d, stream.buf, stream.len, capture_frame, &c), 0);
    assert_int_equal(c.count, 2);
    assert_int_equal(c.frames[0].status, ESPCTL_E_FORMAT);
    assert_int_equal(c.frames[0].level, ESPCTL_DEFMT_LEVEL_NONE);
    assert_non_null(strstr(c.frames[0].text, "unknown string index 999"));
    assert_int_equal(c.frames[0].raw_size, bad_len);
    assert_memory_equal(c.frames[0].raw, stream.buf, bad_len);
    assert_int_equal(c.frames[1].status, 0);
    assert_string_equal(c.frames[1].text, "n=42");
    espctl_defmt_free(d);
}

static void test_malformed_frames(void **state)
{
    (void)state;
    espctl_defmt *d = example_decoder("rzcobs");
    struct capture c = {.count = 0};
    /* 0x01 asks for six literal bytes that are not there. */
    static const uint8_t bad_cobs[] = {0x01, 0x00};
    assert_int_equal(espctl_defmt_feed(d, bad_cobs, sizeof bad_cobs, capture_frame, &c), 0);
    assert_int_equal(c.count, 1);
    assert_non_null(strstr(c.frames[0].text, "malformed rzCOBS"));
    assert_int_equal(c.frames[0].raw_size, 1);

    /* Arguments cut short inside the frame: the str claims 200 bytes. */
    struct wire w = {.len = 0};
    wire_u16(&w, 5);
    wire_u32(&w, 1);
    wire_u16(&w, 0x1234);
    wire_u32(&w, 200);
    wire_bytes(&w, "ab", 2);
    decode_frame(d, &w, &c);
    assert_int_equal(c.frames[1].status, ESPCTL_E_FORMAT);
    assert_non_null(strstr(c.frames[1].text, "frame ends inside str argument"));

    /* Extra non-zero bytes after the arguments. */
    n_frame(&w, 1, 2);
    wire_bytes(&w, "\x07\x07", 2);
    decode_frame(d, &w, &c);
    assert_int_equal(c.frames[2].status, ESPCTL_E_FORMAT);
    assert_non_null(strstr(c.frames[2].text, "2 unexpected non-zero bytes"));

    /* A nested index that names a log statement, and a bool that is neither 0 nor 1. */
    espctl_defmt_free(d);
    struct test_elf e;
    test_elf_init(&e);
    test_elf_defmt_meta(&e, "3", NULL);
    test_elf_defmt(&e, 1, "defmt_info", "{=?}");
    test_elf_defmt(&e, 2, "defmt_info", "{=bool}");
    d = open_decoder(&e);
    test_elf_free(&e);
    assert_int_equal(espctl_defmt_version(d), 3);
    assert_int_equal(espctl_defmt_encoding(d), ESPCTL_DEFMT_RZCOBS);
    c.count = 0;
    wire_reset(&w);
    wire_u16(&w, 1);
    wire_u16(&w, 2);
    decode_frame(d, &w, &c);
    assert_non_null(strstr(c.frames[0].text, "a log statement, not a format"));
    wire_reset(&w);
    wire_u16(&w, 2);
    wire_u8(&w, 2);
    decode_frame(d, &w, &c);
    assert_non_null(strstr(c.frames[1].text, "bool at frame offset 2 is 2"));
    espctl_defmt_free(d);
}

static void test_garbage_never_crashes(void **state)
{
    (void)state;
    espctl_defmt *d = example_decoder("rzcobs");
    uint32_t seed = 12345;
    uint8_t buf[4096];
    struct capture c;
    for (int round = 0; round < 200; round++) {
        size_t n = 0;
        while (n < sizeof buf) {
            seed = seed * 1103515245u + 12345u;
            buf[n++] = (uint8_t)(seed >> 16);
        }
        size_t at = 0;
        while (at < n) {
            seed = seed * 1103515245u + 12345u;
            size_t chunk = 1 + (seed >> 16) % 300;
            if (chunk > n - at)
                chunk = n - at;
            c.count = 0;
            assert_int_equal(espctl_defmt_feed(d, buf + at, chunk, capture_frame, &c), 0);
            at += chunk;
        }
    }
    /* After garbage and a delimiter, a good frame decodes. */
    uint8_t zero = 0;
    c.count = 0;
    assert_int_equal(espctl_defmt_feed(d, &zero, 1, capture_frame, &c), 0);
    struct wire w;
    n_frame(&w, 9, 77);
    c.count = 0;
    const struct captured *f = decode_frame(d, &w, &c);
    assert_string_equal(f->text, "n=77");
    espctl_defmt_free(d);
}

static void test_overlong_frame_dropped(void **state)
{
    (void)state;
    espctl_defmt *d = example_decoder("rzcobs");
    static uint8_t junk[70000];
    memset(junk, 0x41, sizeof junk);
    struct capture c = {.count = 0};
    assert_int_equal(espctl_defmt_feed(d, junk, sizeof junk, capture_frame, &c), 0);
    assert_int_equal(c.count, 1);
    assert_non_null(strstr(c.frames[0].text, "longer than 65536 bytes"));
    assert_int_equal(espctl_defmt_pending(d), 0);
    struct wire w, stream = {.len = 0};
    uint8_t zero = 0;
    wire_bytes(&stream, "\x41\x41", 2);
    wire_bytes(&stream, &zero, 1);
    n_frame(&w, 1, 5);
    wire_rzcobs(&stream, w.buf, w.len);
    assert_int_equal(espctl_defmt_feed(d, stream.buf, stream.len, capture_frame, &c), 0);
    assert_int_equal(c.count, 2);
    assert_string_equal(c.frames[1].text, "n=5");
    espctl_defmt_free(d);
}

static void test_raw_encoding(void **state)
{
    (void)state;
    espctl_defmt *d = example_decoder("raw");
    assert_int_equal(espctl_defmt_encoding(d), ESPCTL_DEFMT_RAW);
    struct wire stream = {.len = 0}, w;
    wire_bytes(&stream, example, sizeof example);
    n_frame(&w, 2000000, 3);
    wire_bytes(&stream, w.buf, w.len);
    struct capture c = {.count = 0};
    size_t cut = sizeof example + 3; /* inside the second frame's timestamp */
    assert_int_equal(espctl_defmt_feed(d, stream.buf, cut, capture_frame, &c), 0);
    assert_int_equal(c.count, 1);
    assert_string_equal(c.frames[0].text, "x=1234 s=ab");
    assert_int_equal(c.frames[0].raw_size, sizeof example);
    assert_int_equal(espctl_defmt_pending(d), 3);
    assert_int_equal(espctl_defmt_feed(d, stream.buf + cut, stream.len - cut, capture_frame, &c), 0);
    assert_int_equal(c.count, 2);
    assert_string_equal(c.frames[1].timestamp, "2.000000");
    assert_string_equal(c.frames[1].text, "n=3");
    /* An unknown index cannot be resynchronised in raw mode: everything held is reported. */
    static const uint8_t bad[] = {0x63, 0x00, 1, 2, 3};
    assert_int_equal(espctl_defmt_feed(d, bad, sizeof bad, capture_frame, &c), 0);
    assert_int_equal(c.count, 3);
    assert_int_equal(c.frames[2].status, ESPCTL_E_FORMAT);
    assert_int_equal(c.frames[2].raw_size, sizeof bad);
    assert_int_equal(espctl_defmt_pending(d), 0);
    espctl_defmt_free(d);
}

static void test_long_runs_roundtrip(void **state)
{
    (void)state;
    /* Long strings exercise rzCOBS runs (0x80.., 0xff) and the zero bitmap. */
    espctl_defmt *d = example_decoder("rzcobs");
    char text[400];
    for (size_t len = 0; len < sizeof text - 1; len += 7) {
        for (size_t i = 0; i < len; i++)
            text[i] = (char)('a' + i % 26);
        text[len] = 0;
        struct wire w = {.len = 0};
        wire_u16(&w, 5);
        wire_u32(&w, 0);
        wire_u16(&w, 0xab);
        wire_str(&w, text);
        struct capture c = {.count = 0};
        const struct captured *f = decode_frame(d, &w, &c);
        char expect[450];
        snprintf(expect, sizeof expect, "x=ab s=%s", text);
        assert_string_equal(f->text, expect);
    }
    espctl_defmt_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timestamp_and_example),
        cmocka_unit_test(test_split_feeds),
        cmocka_unit_test(test_truncated_frame_waits),
        cmocka_unit_test(test_unknown_index_then_resync),
        cmocka_unit_test(test_malformed_frames),
        cmocka_unit_test(test_garbage_never_crashes),
        cmocka_unit_test(test_overlong_frame_dropped),
        cmocka_unit_test(test_raw_encoding),
        cmocka_unit_test(test_long_runs_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
