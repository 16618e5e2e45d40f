/* Reading bundles defensively: every extraction-safety rule with a hostile archive. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "espctl/bundle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct tar_item *good;
static size_t good_n;

static int setup(void **state)
{
    (void)state;
    const char *dir = fresh_dir("archive");
    char path[1024];
    snprintf(path, sizeof path, "%s/good.tar.gz", dir);
    if (make_bundle("data.elf", path, NULL) != 0) {
        fprintf(stderr, "make_bundle: %s\n", espctl_last_error());
        return -1;
    }
    size_t n;
    uint8_t *d = read_all(path, &n);
    good_n = tgz_unpack(d, n, &good);
    free(d);
    return good_n == 5 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    tgz_items_free(good, good_n);
    return 0;
}

/* The good members plus `extra`, opened with max_total (0 = default). */
static int open_with(const struct tar_item *extra, size_t extra_n, int keep_good, uint64_t max_total)
{
    struct tar_item all[16];
    size_t n = 0;
    for (size_t i = 0; keep_good && i < good_n; i++)
        all[n++] = good[i];
    for (size_t i = 0; i < extra_n; i++)
        all[n++] = extra[i];
    uint8_t *tgz;
    size_t size;
    tgz_build(all, n, &tgz, &size);
    struct espctl_bundle_open_options o = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_open_options),
                                           .max_total_size = max_total};
    espctl_bundle *b = NULL;
    espctl_clear_error();
    int rc = espctl_bundle_open_memory(NULL, tgz, size, &o, &b);
    espctl_bundle_free(b);
    free(tgz);
    return rc;
}

static void expect(int rc, int code, const char *rule, const char *member)
{
    const char *msg = espctl_last_error();
    assert_int_equal(rc, code);
    if (!strstr(msg, rule) || !strstr(msg, member))
        fail_msg("message \"%s\" should name rule \"%s\" and member \"%s\"", msg, rule, member);
}

static void test_good_bundle_opens(void **state)
{
    (void)state;
    assert_int_equal(open_with(NULL, 0, 1, 0), 0);
}

static void test_traversal(void **state)
{
    (void)state;
    struct tar_item a = {.name = "../evil", .data = "x", .size = 1};
    expect(open_with(&a, 1, 1, 0), ESPCTL_E_FORMAT, "no-traversal", "../evil");
    struct tar_item b = {.name = "files/../../firmware.bin", .data = "x", .size = 1};
    expect(open_with(&b, 1, 1, 0), ESPCTL_E_FORMAT, "no-traversal", "files/../../firmware.bin");
}

static void test_absolute(void **state)
{
    (void)state;
    struct tar_item a = {.name = "/etc/evil", .data = "x", .size = 1};
    expect(open_with(&a, 1, 1, 0), ESPCTL_E_FORMAT, "no-absolute-path", "/etc/evil");
}

static void test_links_and_devices(void **state)
{
    (void)state;
    /* A bundle whose firmware.bin is a link or device instead of the real member. */
    struct tar_item rest[8];
    size_t n = 0;
    for (size_t i = 0; i < good_n; i++) {
        if (strcmp(good[i].name, ESPCTL_BUNDLE_BIN) != 0)
            rest[n++] = good[i];
    }
    struct tar_item sym = {.name = ESPCTL_BUNDLE_BIN, .type = 'l', .link = "/etc/passwd"};
    rest[n] = sym;
    expect(open_with(rest, n + 1, 0, 0), ESPCTL_E_FORMAT, "symbolic link", ESPCTL_BUNDLE_BIN);
    struct tar_item hard = {.name = ESPCTL_BUNDLE_BIN, .type = 'h', .link = ESPCTL_BUNDLE_ELF};
    rest[n] = hard;
    expect(open_with(rest, n + 1, 0, 0), ESPCTL_E_FORMAT, "hard link", ESPCTL_BUNDLE_BIN);
    struct tar_item dev = {.name = ESPCTL_BUNDLE_BIN, .type = 'c'};
    rest[n] = dev;
    expect(open_with(rest, n + 1, 0, 0), ESPCTL_E_FORMAT, "character device", ESPCTL_BUNDLE_BIN);
    struct tar_item dir = {.name = "files/", .type = 'd'};
    expect(open_with(&dir, 1, 1, 0), ESPCTL_E_FORMAT, "regular-files-only", "files/");
}

static void test_duplicate_and_unknown(void **state)
{
    (void)state;
    struct tar_item dup = {.name = ESPCTL_BUNDLE_MANIFEST, .data = "{}", .size = 2};
    expect(open_with(&dup, 1, 1, 0), ESPCTL_E_FORMAT, "no-duplicates", ESPCTL_BUNDLE_MANIFEST);
    struct tar_item unk = {.name = "files/bootloader.bin", .data = "x", .size = 1};
    expect(open_with(&unk, 1, 1, 0), ESPCTL_E_FORMAT, "known-members", "files/bootloader.bin");
}

static void test_member_over_cap(void **state)
{
    (void)state;
    struct tar_item big = {.name = ESPCTL_BUNDLE_ELF, .size = ESPCTL_BUNDLE_MAX_ELF + 1};
    expect(open_with(&big, 1, 0, 0), ESPCTL_E_FORMAT, "member-cap", ESPCTL_BUNDLE_ELF);
    struct tar_item sig = {.name = ESPCTL_BUNDLE_SIGNATURE, .size = ESPCTL_BUNDLE_MAX_SIGNATURE + 1};
    expect(open_with(&sig, 1, 0, 0), ESPCTL_E_FORMAT, "member-cap", ESPCTL_BUNDLE_SIGNATURE);
}

static void test_gzip_bomb(void **state)
{
    (void)state;
    /* 12 MiB of zeros compresses to a few KiB; the total cap stops it. */
    struct tar_item bomb[3] = {
        {.name = ESPCTL_BUNDLE_BIN, .size = 4u << 20},
        {.name = ESPCTL_BUNDLE_ELF, .size = 4u << 20},
        {.name = ESPCTL_BUNDLE_HEX, .size = 4u << 20},
    };
    uint8_t *tgz;
    size_t size;
    tgz_build(bomb, 3, &tgz, &size);
    assert_true(size < 64 * 1024);
    free(tgz);
    expect(open_with(bomb, 3, 0, 8u << 20), ESPCTL_E_FORMAT, "total-cap", ESPCTL_BUNDLE_HEX);
}

static void test_gzip_bomb_default_cap(void **state)
{
    (void)state;
    /* Every member under its own cap, together over ESPCTL_BUNDLE_MAX_TOTAL. */
    struct tar_item bomb[3] = {
        {.name = ESPCTL_BUNDLE_BIN, .size = ESPCTL_BUNDLE_MAX_BIN},
        {.name = ESPCTL_BUNDLE_ELF, .size = ESPCTL_BUNDLE_MAX_ELF},
        {.name = ESPCTL_BUNDLE_HEX, .size = ESPCTL_BUNDLE_MAX_HEX},
    };
    expect(open_with(bomb, 3, 0, 0), ESPCTL_E_FORMAT, "total-cap", ESPCTL_BUNDLE_HEX);
}

static void test_not_a_tgz(void **state)
{
    (void)state;
    espctl_bundle *b = NULL;
    static const char junk[] = "this is not a gzip stream at all, just text";
    expect(espctl_bundle_open_memory(NULL, junk, sizeof junk, NULL, &b), ESPCTL_E_FORMAT, "tar-gzip", "bundle");
    assert_null(b);
    expect(espctl_bundle_open(NULL, TEST_TMP_DIR "/does-not-exist.tar.gz", NULL, &b), ESPCTL_E_NOT_FOUND,
           "cannot open", "does-not-exist");
}

static void test_missing_manifest_and_member(void **state)
{
    (void)state;
    struct tar_item rest[8];
    size_t n = 0;
    for (size_t i = 0; i < good_n; i++) {
        if (strcmp(good[i].name, ESPCTL_BUNDLE_MANIFEST) != 0)
            rest[n++] = good[i];
    }
    expect(open_with(rest, n, 0, 0), ESPCTL_E_FORMAT, "manifest-present", ESPCTL_BUNDLE_MANIFEST);
    n = 0;
    for (size_t i = 0; i < good_n; i++) {
        if (strcmp(good[i].name, ESPCTL_BUNDLE_HEX) != 0)
            rest[n++] = good[i];
    }
    expect(open_with(rest, n, 0, 0), ESPCTL_E_INTEGRITY, "missing", ESPCTL_BUNDLE_HEX);
}

int main(void)
{
    require_test_elfs();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_bundle_opens),
        cmocka_unit_test(test_traversal),
        cmocka_unit_test(test_absolute),
        cmocka_unit_test(test_links_and_devices),
        cmocka_unit_test(test_duplicate_and_unknown),
        cmocka_unit_test(test_member_over_cap),
        cmocka_unit_test(test_gzip_bomb),
        cmocka_unit_test(test_gzip_bomb_default_cap),
        cmocka_unit_test(test_not_a_tgz),
        cmocka_unit_test(test_missing_manifest_and_member),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
