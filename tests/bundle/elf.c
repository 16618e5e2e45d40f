/* ELF reader and HEX writer against arm-none-eabi-objcopy, plus every pre-flight rule. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "elf.h"
#include "espctl/espctl.h"
#include "ihex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct membuf {
    uint8_t *data;
    size_t size, cap;
};

static int mem_sink(void *user, const void *data, size_t size)
{
    struct membuf *m = user;
    if (m->size + size > m->cap) {
        m->cap = (m->size + size) * 2;
        m->data = realloc(m->data, m->cap);
        assert_non_null(m->data);
    }
    memcpy(m->data + m->size, data, size);
    m->size += size;
    return 0;
}

static void check_variant(const char *v)
{
    char name[64];
    size_t elf_size, ref_size;
    snprintf(name, sizeof name, "%s.elf", v);
    uint8_t *elf = read_all(elf_path(name), &elf_size);
    snprintf(name, sizeof name, "%s.objcopy.bin", v);
    uint8_t *ref = read_all(elf_path(name), &ref_size);

    struct core_elf_image img;
    assert_int_equal(core_elf_parse(&img, elf, elf_size, v, 1u << 25), 0);
    struct membuf bin = {0};
    assert_int_equal(core_elf_write_bin(&img, mem_sink, &bin), 0);
    assert_int_equal(bin.size, ref_size);
    assert_int_equal(img.span, ref_size);
    assert_memory_equal(bin.data, ref, ref_size);

    /* HEX: exact size prediction, round trip through objcopy, same entry record. */
    struct membuf hex = {0};
    assert_int_equal(core_ihex_write(&img, mem_sink, &hex), 0);
    assert_int_equal(hex.size, core_ihex_size(&img));
    char hex_path[1024], back_path[1024];
    snprintf(hex_path, sizeof hex_path, "%s/%s.ours.hex", TEST_TMP_DIR, v);
    snprintf(back_path, sizeof back_path, "%s/%s.roundtrip.bin", TEST_TMP_DIR, v);
    write_all_file(hex_path, hex.data, hex.size);
    char *argv[] = {OBJCOPY, "-I", "ihex", "-O", "binary", hex_path, back_path, NULL};
    assert_int_equal(run_capture(argv, NULL, NULL, 60), 0);
    size_t back_size;
    uint8_t *back = read_all(back_path, &back_size);
    assert_int_equal(back_size, ref_size);
    assert_memory_equal(back, ref, ref_size);

    snprintf(name, sizeof name, "%s.objcopy.hex", v);
    size_t ref_hex_size;
    uint8_t *ref_hex = read_all(elf_path(name), &ref_hex_size);
    const char *start = strstr((const char *)ref_hex, ":04000005");
    assert_non_null(start);
    hex.data = realloc(hex.data, hex.size + 1);
    hex.data[hex.size] = 0;
    assert_non_null(strstr((const char *)hex.data, start) == NULL ? NULL : "found");
    assert_memory_equal(strstr((const char *)hex.data, ":04000005"), start, 19);
    /* Records follow objcopy's layout (per section, 16 bytes, ELA records), so the text matches too. */
    assert_int_equal(hex.size, ref_hex_size);
    assert_memory_equal(hex.data, ref_hex, ref_hex_size);
    assert_memory_equal(hex.data, ":020000040800F2\r\n", 17);

    free(ref_hex);
    free(back);
    free(hex.data);
    free(bin.data);
    core_elf_release(&img);
    free(ref);
    free(elf);
}

static void test_plain_matches_objcopy(void **state)
{
    (void)state;
    check_variant("plain");
}

static void test_gap_matches_objcopy(void **state)
{
    (void)state;
    check_variant("gap");
    /* The gap is real: zero fill between the code and the 16 KiB config block. */
    size_t n;
    uint8_t *ref = read_all(elf_path("gap.objcopy.bin"), &n);
    assert_true(n > 0x4000);
    assert_int_equal(ref[0x3ff0], 0);
    assert_int_equal(ref[0x4000], 0x01);
    free(ref);
}

static void test_data_at_flash_matches_objcopy(void **state)
{
    (void)state;
    check_variant("data");
    /* .data's initial value (0x11223344) is in the image, i.e. at its load address in flash. */
    size_t n;
    uint8_t *ref = read_all(elf_path("data.objcopy.bin"), &n);
    static const uint8_t counter[4] = {0x44, 0x33, 0x22, 0x11};
    assert_non_null(memmem(ref, n, counter, 4));
    free(ref);
}

/* Expect ESPCTL_E_FORMAT with `rule` in the message. */
static void expect_reject(const uint8_t *d, size_t n, const char *rule)
{
    struct core_elf_image img;
    espctl_clear_error();
    assert_int_equal(core_elf_parse(&img, d, n, "bad.elf", 1u << 25), ESPCTL_E_FORMAT);
    const char *msg = espctl_last_error();
    if (!strstr(msg, rule))
        fail_msg("message \"%s\" does not name rule \"%s\"", msg, rule);
    assert_non_null(strstr(msg, "bad.elf"));
    assert_non_null(strstr(msg, "offset"));
}

static uint8_t *load_data_elf(size_t *n)
{
    return read_all(elf_path("data.elf"), n);
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void test_preflight_rules(void **state)
{
    (void)state;
    size_t n;
    uint8_t *d = load_data_elf(&n);
    uint8_t *c = malloc(n);

    expect_reject((const uint8_t *)"hello world, not an elf", 23, "elf-magic");
    expect_reject(d, 3, "elf-magic");
    memcpy(c, d, n);
    c[4] = 2; /* ELFCLASS64 */
    expect_reject(c, n, "elf-class");
    memcpy(c, d, n);
    c[5] = 2; /* big-endian */
    expect_reject(c, n, "elf-data");
    memcpy(c, d, n);
    c[18] = 62; /* EM_X86_64 */
    c[19] = 0;
    expect_reject(c, n, "elf-machine");

    /* > 16 MiB: a valid header followed by padding. */
    size_t big = (16u << 20) + 1;
    uint8_t *b = calloc(1, big);
    memcpy(b, d, n);
    expect_reject(b, big, "elf-size");
    free(b);

    /* Truncated: the program header table lies beyond the end. */
    expect_reject(d, 60, "elf-structure");
    memcpy(c, d, n);
    put32(c + 28, (uint32_t)n - 8); /* e_phoff */
    expect_reject(c, n, "elf-structure");
    /* A segment whose file bytes lie beyond the file. */
    memcpy(c, d, n);
    uint32_t phoff = d[28] | d[29] << 8 | d[30] << 16 | (uint32_t)d[31] << 24;
    put32(c + phoff + 4, (uint32_t)n); /* p_offset of segment 0 */
    expect_reject(c, n, "elf-structure");
    /* Overlapping loadable segments: segment 1's LMA moved onto segment 0. */
    memcpy(c, d, n);
    put32(c + phoff + 32 + 12, 0x08000010u);
    expect_reject(c, n, "elf-overlap");
    free(c);
    free(d);
}

int main(void)
{
    require_test_elfs();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_matches_objcopy),
        cmocka_unit_test(test_gap_matches_objcopy),
        cmocka_unit_test(test_data_at_flash_matches_objcopy),
        cmocka_unit_test(test_preflight_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
