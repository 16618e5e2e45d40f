/* defmt decoding: every argument type and display hint renders exactly as defmt-decoder
 * prints it; levels, println, nested formats, enums, slices, interned strings. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* The frame struct is ABI: pin its LP64 layout (members may only be appended). */
#if UINTPTR_MAX == 0xffffffffffffffff
_Static_assert(sizeof(struct espctl_defmt_frame) == 56, "espctl_defmt_frame size");
_Static_assert(offsetof(struct espctl_defmt_frame, status) == 8, "status");
_Static_assert(offsetof(struct espctl_defmt_frame, level) == 12, "level");
_Static_assert(offsetof(struct espctl_defmt_frame, index) == 16, "index");
_Static_assert(offsetof(struct espctl_defmt_frame, flags) == 20, "flags");
_Static_assert(offsetof(struct espctl_defmt_frame, timestamp) == 24, "timestamp");
_Static_assert(offsetof(struct espctl_defmt_frame, text) == 32, "text");
_Static_assert(offsetof(struct espctl_defmt_frame, raw) == 40, "raw");
_Static_assert(offsetof(struct espctl_defmt_frame, raw_size) == 48, "raw_size");
#endif

static espctl_defmt *dec;

static int setup(void **state)
{
    (void)state;
    struct test_elf e;
    test_elf_init(&e);
    test_elf_defmt_meta(&e, "4", "rzcobs");
    test_elf_defmt(&e, 1, "defmt_prim", "{=u8}");
    test_elf_defmt(&e, 3, "defmt_prim", "{=str}");
    test_elf_defmt(&e, 4, "defmt_prim", "{=u32}");
    test_elf_defmt(&e, 10, "defmt_info", "u8={=u8} u16={=u16} u32={=u32} u64={=u64}");
    test_elf_defmt(&e, 11, "defmt_info", "i8={=i8} i16={=i16} i32={=i32} i64={=i64}");
    test_elf_defmt(&e, 12, "defmt_info", "usize={=usize} isize={=isize}");
    test_elf_defmt(&e, 13, "defmt_info",
                   "f32={=f32} f64={=f64} small={=f32} big={=f64} int={=f32} neg={=f64}");
    test_elf_defmt(&e, 14, "defmt_info", "b={=bool} {=bool}");
    test_elf_defmt(&e, 15, "defmt_info", "s={=str} c={=char}{=char}");
    test_elf_defmt(&e, 16, "defmt_info", "bytes={=[u8]} arr={=[u8; 3]} ascii={=[u8]:a}");
    test_elf_defmt(&e, 17, "defmt_info",
                   "hex={=u32:x} alt={=u32:#x} up={=u32:X} bin={=u8:b} altbin={=u8:#b} "
                   "pad={=u32:08x} altpad={=u16:#06x} dec={=u16:05}");
    test_elf_defmt(&e, 18, "defmt_info", "neg hex={=i8:x} neg={=i16:05} i32x={=i32:#x}");
    test_elf_defmt(&e, 19, "defmt_info", "us={=u64:us} ms={=u32:ms} ts={=u32:ts} tms={=u64:tms}");
    test_elf_defmt(&e, 20, "defmt_info", "bits {0=0..4} {0=4..8:x} {0=8..16:b}");
    test_elf_defmt(&e, 21, "defmt_info", "nested {} and {=?}");
    test_elf_defmt(&e, 22, "defmt_info", "istr={=istr}");
    test_elf_defmt(&e, 23, "defmt_info", "{1=u8} then {0=u16} {1=u8:x}");
    test_elf_defmt(&e, 24, "defmt_info", "enum={}");
    test_elf_defmt(&e, 25, "defmt_info", "slice={=[?]}");
    test_elf_defmt(&e, 26, "defmt_info", "braces {{literal}} {=u8}");
    test_elf_defmt(&e, 27, "defmt_info", "str debug {=str:?}");
    test_elf_defmt(&e, 28, "defmt_info", "hint inherit {:x}");
    test_elf_defmt(&e, 29, "defmt_println", "plain println {=u8}");
    test_elf_defmt(&e, 30, "defmt_str", "interned \"text\"");
    test_elf_defmt(&e, 31, "defmt_derived", "None|Some({=u8})");
    test_elf_defmt(&e, 40, "defmt_trace", "lvl");
    test_elf_defmt(&e, 41, "defmt_debug", "lvl");
    test_elf_defmt(&e, 42, "defmt_warn", "lvl");
    test_elf_defmt(&e, 43, "defmt_error", "lvl");
    test_elf_defmt(&e, 44, "defmt_info", "bytes hex {=[u8]:x} {=[u8]:#04x}");
    test_elf_defmt(&e, 45, "defmt_info", "bits ascii {=0..16:a}");
    test_elf_defmt(&e, 46, "defmt_info", "array={=[?; 2]} display={=__internal_Display}");
    test_elf_defmt(&e, 47, "defmt_info", "bin u16 {=u16:#018b} oct {=u8:o} iso {=u64:iso8601ms}");
    test_elf_defmt(&e, 48, "defmt_info", "u128={=u128} i128={=i128} i128x={=i128:x}");
    test_elf_defmt(&e, 49, "defmt_info", "seq={=__internal_FormatSequence} ascii={=[?]:a}");
    test_elf_defmt(&e, 50, "defmt_info", "bad utf8 {=str}");
    test_elf_defmt(&e, 51, "defmt_info", "unknown hint {=u8:zz} dbg {=u8:?} {=f32}");
    test_elf_symbol(&e, "_SEGGER_RTT", 0x20000000, 64, TE_DATA);
    dec = open_decoder(&e);
    test_elf_free(&e);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    espctl_defmt_free(dec);
    return 0;
}

static const char *one(struct wire *w)
{
    static struct capture c;
    c.count = 0;
    const struct captured *f = decode_frame(dec, w, &c);
    if (f->status != 0)
        fail_msg("frame not decoded: %s", f->text);
    return f->text;
}

static void test_table(void **state)
{
    (void)state;
    assert_int_equal(espctl_defmt_version(dec), 4);
    assert_int_equal(espctl_defmt_encoding(dec), ESPCTL_DEFMT_RZCOBS);
    assert_int_equal(espctl_defmt_table_size(dec), 37);
}

static void test_unsigned(void **state)
{
    (void)state;
    struct wire w = {.len = 0};
    wire_u16(&w, 10);
    wire_u8(&w, 42);
    wire_u16(&w, 0x1234);
    wire_u32(&w, 0xdeadbeef);
    wire_u64(&w, 0x0123456789abcdefull);
    assert_string_equal(one(&w), "u8=42 u16=4660 u32=3735928559 u64=81985529216486895");
}

static void test_signed(void **state)
{
    (void)state;
    struct wire w = {.len = 0};
    wire_u16(&w, 11);
    wire_u8(&w, 0xff);
    wire_u16(&w, (uint16_t)-300);
    wire_u32(&w, (uint32_t)-70000);
    wire_u64(&w, (uint64_t)-5000000000ll);
    assert_string_equal(one(&w), "i8=-1 i16=-300 i32=-70000 i64=-5000000000");
}

static void test_sizes_are_four_bytes(void **state)
{
    (void)state;
    struct wire w = {.len = 0};
    wire_u16(&w, 12);
    wire_u32(&w, 4000000000u);
    wire_u32(&w, (uint32_t)-2);
    assert_string_equal(one(&w), "usize=4000000000 isize=-2");
}

static void test_floats(void **state)
{
    (void)state;
    struct wire w = {.len = 0};
    wire_u16(&w, 13);
    wire_f32(&w, 1.5f);
    wire_f64(&w, 0.1);
    wire_f32(&w, 1e-7f);
    wire_f64(&w, 1e21);
    wire_f32(&w, 3.0f);
    wire_f64(&w, -2.25);
    assert_string_equal(one(&w), "f32=1.5 f64=0.1 small=1e-7 big=1e21 int=3.0 neg=-2.25");
}

static void test_bool_str_char(void **state)
{
    (void)state;
    struct wire w = {.len = 0};
    wire_u16(&w, 14);
    wire_u8(&w, 1);
    wire_u8(&w, 0);
    assert_string_equal(one(&w), "b=true false");
    wire_reset(&w);
    wire_u16(&w, 15);
    wire_str(&w, "hello");
    wire_u32(&w, 'Z');
    wire_u32(&w, 0xe9);
    assert_string_equal(one(&w), "s=hello c=Z\xc3\xa9");
}

static void test_byte_slices(void **state)
{
    (void)state;
    struct wire w = {.len = 0};
    wire_u16(&w, 16);
    wire_u32(&w, 3);
    wire_bytes(&w, "\x01\x02\xff", 3);
    wire_bytes(&w, "\x07\x08\x09", 3);
    wire_u32(&w, 6);
    wire_bytes(&w, "hi\n\x01\"\\", 6);
    assert_string_equal(one(&w), "bytes=[1, 2, 255] arr=[7, 8, 9] ascii=b\"hi\\n\\x01\\\"\\\\\"");
    wire_reset(&w);
    wire_u16(&w, 44);
    wire_u32(&w, 2);
    wire_bytes(&w, "\x0a\xff", 2);
    wire_u32(&w, 1);
    wire_bytes(&w, "\x01", 1);
    assert_string_equal(one(&w), "bytes hex [a, ff] [0x01]");
}

static void test_integer_hints(void **state)
{
    (void)state;
    struct wire w = {.len = 0};
    wire_u16(&w, 17);
    wire_u32(&w, 0xdeadbeef);
    wire_u32(&w, 0xdeadbeef);
    wire_u32(&w, 0xdeadbeef);
    wire_u8(&w, 5);
    wire_u8(&w, 5);
    wire_u32(&w, 255);
    wire_u16(&w, 255);
    wire_u16(&w, 42);
    assert_string_equal(one(&w), "hex=deadbeef alt=0xdeadbeef up=DEADBEEF bin=101 altbin=0b101 "
                                 "pad=000000ff altpad=0x00ff dec=00042");
    wire_reset(&w);
    wire_u16(&w, 18);
    wire_u8(&w, 0xff);
    wire_u16(&w, (uint16_t)-42);
    wire_u32(&w, (uint32_t)-2);
    assert_string_equal(one(&w), "neg hex=ff neg=-0042 i32x=0xfffffffe");
    wire_reset(&w);
    wire_u16(&w, 47);
    wire_u16(&w, 5);
    wire_u8(&w, 8);
    wire_u64(&w, 1700000000123ull);
    assert_string_equal(one(&w), "bin u16 0b0000000000000101 oct 10 iso 2023-11-14T22:13:20.123Z");
}

static void test_time_hints(void **state)
{
    (void)state;
    struct wire w = {.len = 0};
    wire_u16(&w, 19);
    wire_u64(&w, 1500000);
    wire_u32(&w, 2500);
    wire_u32(&w, 3725);
    wire_u64(&w, 90061001);
    assert_string_equal(one(&w), "us=1.500000 ms=2.500 ts=01:02:05 tms=1:01:01:01.001");
}

static void test_bitfields(void **state)
{
    (void)state;
    struct wire w = {.len = 0};
    wire_u16(&w, 20);
    wire_u16(&w, 0xa5c3); /* bits 0..16 merged: two bytes on the wire */
    assert_string_equal(one(&w), "bits 3 c 10100101");
    wire_reset(&w);
    wire_u16(&w, 45);
    wire_u16(&w, 0x4142);
    assert_string_equal(one(&w), "bits ascii b\"AB\"");
}

static void test_nested_formats(void **state)
{
    (void)state;
    struct wire w = {.len = 0};
    wire_u16(&w, 21);
    wire_u16(&w, 1);
    wire_u8(&w, 7);
    wire_u16(&w, 3);
    wire_str(&w, "x");
    assert_string_equal(one(&w), "nested 7 and x");
    wire_reset(&w);
    wire_u16(&w, 28);
    wire_u16(&w, 4);
    wire_u32(&w, 255);
    assert_string_equal(one(&w), "hint inherit ff");
}

static void test_istr_indices_braces_debug(void **state)
{
    (void)state;
    struct wire w = {.len = 0};
    wire_u16(&w, 22);
    wire_u16(&w, 30);
    assert_string_equal(one(&w), "istr=interned \"text\"");
    wire_reset(&w);
    wire_u16(&w, 23);
    wire_u16(&w, 500);
    wire_u8(&w, 255);
    assert_string_equal(one(&w), "255 then 500 ff");
    wire_reset(&w);
    wire_u16(&w, 26);
    wire_u8(&w, 5);
    assert_string_equal(one(&w), "braces {literal} 5");
    wire_reset(&w);
    wire_u16(&w, 27);
    wire_str(&w, "a\"b\n");
    assert_string_equal(one(&w), "str debug \"a\\\"b\\n\"");
}

static void test_enums_and_slices(void **state)
{
    (void)state;
    struct wire w = {.len = 0};
    wire_u16(&w, 24);
    wire_u16(&w, 31);
    wire_u8(&w, 1);
    wire_u8(&w, 9);
    assert_string_equal(one(&w), "enum=Some(9)");
    wire_reset(&w);
    wire_u16(&w, 24);
    wire_u16(&w, 31);
    wire_u8(&w, 0);
    assert_string_equal(one(&w), "enum=None");
    wire_reset(&w);
    wire_u16(&w, 25);
    wire_u32(&w, 3);
    wire_u16(&w, 1);
    wire_bytes(&w, "\x01\x02\x03", 3);
    assert_string_equal(one(&w), "slice=[1, 2, 3]");
    wire_reset(&w);
    wire_u16(&w, 46);
    wire_u16(&w, 31);
    wire_u8(&w, 1);
    wire_u8(&w, 4);
    wire_u8(&w, 0);
    wire_bytes(&w, "ok\xff", 3);
    assert_string_equal(one(&w), "array=[Some(4), None] display=ok");
}

static void test_wide_sequences_and_errors(void **state)
{
    (void)state;
    struct wire w = {.len = 0};
    wire_u16(&w, 48);
    for (int i = 0; i < 16; i++)
        wire_u8(&w, 0xff);
    for (int i = 0; i < 16; i++)
        wire_u8(&w, 0xff);
    wire_u64(&w, (uint64_t)-16);
    wire_u64(&w, UINT64_MAX);
    assert_string_equal(one(&w), "u128=340282366920938463463374607431768211455 i128=-1 "
                                 "i128x=fffffffffffffffffffffffffffffff0");
    wire_reset(&w);
    wire_u16(&w, 49);
    wire_u16(&w, 1);
    wire_u8(&w, 4);
    wire_u16(&w, 3);
    wire_str(&w, "-x-");
    wire_u16(&w, 0);
    wire_u32(&w, 2);
    wire_u16(&w, 1);
    wire_u8(&w, 'o');
    wire_u8(&w, 'k');
    assert_string_equal(one(&w), "seq=4-x- ascii=b\"ok\"");
    wire_reset(&w);
    wire_u16(&w, 51);
    wire_u8(&w, 9);
    wire_u8(&w, 10);
    wire_f32(&w, -0.0f);
    assert_string_equal(one(&w), "unknown hint 9 dbg 10 -0.0");

    struct capture c = {.count = 0};
    wire_reset(&w);
    wire_u16(&w, 50);
    wire_u32(&w, 2);
    wire_bytes(&w, "\xc3\x28", 2);
    const struct captured *f = decode_frame(dec, &w, &c);
    assert_int_equal(f->status, ESPCTL_E_FORMAT);
    assert_non_null(strstr(f->text, "str argument at frame offset 6 is not valid UTF-8"));
}

static void test_levels(void **state)
{
    (void)state;
    static const struct {
        uint16_t index;
        int32_t level;
    } cases[] = {{40, ESPCTL_LOG_TRACE}, {41, ESPCTL_LOG_DEBUG}, {10, ESPCTL_LOG_INFO},
                 {42, ESPCTL_LOG_WARN},  {43, ESPCTL_LOG_ERROR}, {29, ESPCTL_DEFMT_LEVEL_NONE}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct wire w = {.len = 0};
        struct capture c = {.count = 0};
        wire_u16(&w, cases[i].index);
        if (cases[i].index == 10) {
            wire_bytes(&w, "\x01\x02\x00\x03\x00\x00\x00", 7);
            wire_u64(&w, 4);
        }
        if (cases[i].index == 29)
            wire_u8(&w, 1);
        const struct captured *f = decode_frame(dec, &w, &c);
        assert_int_equal(f->status, 0);
        assert_int_equal(f->level, cases[i].level);
        assert_int_equal(f->index, cases[i].index);
        assert_int_equal(f->flags & ESPCTL_DEFMT_FRAME_TIMESTAMP, 0);
        assert_string_equal(f->timestamp, "");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_unsigned),
        cmocka_unit_test(test_signed),
        cmocka_unit_test(test_sizes_are_four_bytes),
        cmocka_unit_test(test_floats),
        cmocka_unit_test(test_bool_str_char),
        cmocka_unit_test(test_byte_slices),
        cmocka_unit_test(test_integer_hints),
        cmocka_unit_test(test_time_hints),
        cmocka_unit_test(test_bitfields),
        cmocka_unit_test(test_nested_formats),
        cmocka_unit_test(test_istr_indices_braces_debug),
        cmocka_unit_test(test_enums_and_slices),
        cmocka_unit_test(test_wide_sequences_and_errors),
        cmocka_unit_test(test_levels),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
