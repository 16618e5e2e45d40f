/* The CLI commands build / keys / bundle, driven as a real binary: exit codes,
 * messages, files written (or not), JSON results. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char out_file[1024], err_file[1024];

static char *p(const char *dir, const char *name)
{
    static char bufs[16][1024];
    static int next;
    char *b = bufs[next++ % 16];
    snprintf(b, 1024, "%s/%s", dir, name);
    return b;
}

/* espctl with up to 16 arguments; stdout/stderr land in out_file/err_file. */
static int espctl(const char *first, ...)
{
    char *argv[24] = {ESPCTL_BIN};
    int n = 1;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && n < 22; a = va_arg(ap, const char *))
        argv[n++] = (char *)a;
    va_end(ap);
    argv[n] = NULL;
    snprintf(out_file, sizeof out_file, "%s/cli.out", TEST_TMP_DIR);
    snprintf(err_file, sizeof err_file, "%s/cli.err", TEST_TMP_DIR);
    return run_capture(argv, out_file, err_file, 120);
}

static void expect_stderr(const char *needle)
{
    if (!file_contains(err_file, needle)) {
        size_t n;
        uint8_t *d = read_all(err_file, &n);
        fail_msg("stderr lacks \"%s\":\n%s", needle, d);
    }
}

/* The final JSON result line on stdout (the last line). */
static json_t *json_result(void)
{
    size_t n;
    uint8_t *d = read_all(out_file, &n);
    char *last = (char *)d, *nl;
    while ((nl = strchr(last, '\n')) && nl[1])
        last = nl + 1;
    json_t *r = json_loads(last, 0, NULL);
    free(d);
    assert_non_null(r);
    assert_string_equal(json_string_value(json_object_get(r, "type")), "result");
    return r;
}

static void test_build_sign_verify_flow(void **state)
{
    (void)state;
    const char *dir = fresh_dir("cli-flow");
    const char *cfg = p(dir, "config");
    char text[2048];
    snprintf(text, sizeof text, "keys = {\n  trusted_dir = \"%s/trusted\";\n  signing_key = \"%s/sign.pem\";\n};\n",
             dir, dir);
    write_all_file(cfg, text, strlen(text));

    /* keys generate → 0600 private key; never overwrites. */
    assert_int_equal(espctl("--config", cfg, "keys", "generate", "--json", NULL), 0);
    json_t *r = json_result();
    assert_string_equal(json_string_value(json_object_get(r, "private_key")), p(dir, "sign.pem"));
    assert_int_equal(strlen(json_string_value(json_object_get(r, "key_id"))), 32);
    json_decref(r);
    struct stat st;
    assert_int_equal(stat(p(dir, "sign.pem"), &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(espctl("--config", cfg, "keys", "generate", NULL), 2);
    expect_stderr("refusing to overwrite");

    /* build signs with keys.signing_key from the config. */
    const char *bundle = p(dir, "fw.tar.gz");
    assert_int_equal(espctl("--config", cfg, "build", "--rust-elf", elf_path("data.elf"), "--target",
                            "STM32G431RB", "--out", bundle, "--json", NULL), 0);
    r = json_result();
    assert_true(json_is_true(json_object_get(r, "signed")));
    assert_int_equal(json_integer_value(json_object_get(r, "image_address")), 0x08000000);
    json_decref(r);
    /* Progress events for the stages. */
    assert_true(file_contains(out_file, "\"stage\":\"read-elf\""));
    assert_true(file_contains(out_file, "\"stage\":\"convert\""));
    assert_true(file_contains(out_file, "\"stage\":\"hash\""));
    assert_true(file_contains(out_file, "\"stage\":\"sign\""));
    assert_true(file_contains(out_file, "\"stage\":\"write\""));

    /* Valid but untrusted, then trusted. */
    assert_int_equal(espctl("--config", cfg, "bundle", "verify", bundle, NULL), 1);
    expect_stderr("not trusted");
    assert_int_equal(espctl("--config", cfg, "keys", "trust", p(dir, "sign.pem.pub"), NULL), 0);
    assert_int_equal(espctl("--config", cfg, "bundle", "verify", bundle, "--json", NULL), 0);
    r = json_result();
    assert_string_equal(json_string_value(json_object_get(r, "status")), "trusted");
    json_decref(r);

    /* inspect --json carries the manifest. */
    assert_int_equal(espctl("--config", cfg, "bundle", "inspect", bundle, "--json", NULL), 0);
    r = json_result();
    json_t *m = json_object_get(r, "manifest");
    assert_string_equal(json_string_value(json_object_get(json_object_get(m, "target"), "probe_rs_chip")),
                        "STM32G431RBTx");
    assert_int_equal(json_array_size(json_object_get(r, "members")), 6);
    char *text_m = json_dumps(m, JSON_INDENT(2));
    save_manifest("cli-signed", text_m, strlen(text_m));
    free(text_m);
    json_decref(r);

    /* Unsigned bundle: its own message, exit 1. */
    const char *plain_cfg = p(dir, "plain-config");
    snprintf(text, sizeof text, "keys = { trusted_dir = \"%s/trusted\"; };\n", dir);
    write_all_file(plain_cfg, text, strlen(text));
    const char *unsigned_bundle = p(dir, "unsigned.tar.gz");
    assert_int_equal(espctl("--config", plain_cfg, "build", "--rust-elf", elf_path("gap.elf"), "--target",
                            "STM32G491RE", "-o", unsigned_bundle, NULL), 0);
    assert_int_equal(espctl("--config", plain_cfg, "bundle", "verify", unsigned_bundle, NULL), 1);
    expect_stderr("unsigned");
    /* bundle sign → trusted; no temporary file left behind. */
    assert_int_equal(espctl("--config", plain_cfg, "bundle", "sign", unsigned_bundle, "--key",
                            p(dir, "sign.pem"), NULL), 0);
    assert_int_equal(espctl("--config", plain_cfg, "bundle", "verify", unsigned_bundle, NULL), 0);
    assert_int_equal(dir_entries(dir), 7); /* config, plain-config, sign.pem(.pub), trusted, 2 bundles */

    /* extract */
    assert_int_equal(espctl("--config", cfg, "bundle", "extract", bundle, "files/firmware.bin", p(dir, "x.bin"),
                            NULL), 0);
    size_t a, b;
    uint8_t *x = read_all(p(dir, "x.bin"), &a), *ref = read_all(elf_path("data.objcopy.bin"), &b);
    assert_int_equal(a, b);
    assert_memory_equal(x, ref, a);
    free(x);
    free(ref);

    /* Tampered: one flipped byte of firmware.bin → exit 1 naming the member. */
    size_t n;
    uint8_t *d = read_all(bundle, &n);
    struct tar_item *items;
    size_t count = tgz_unpack(d, n, &items);
    free(d);
    for (size_t i = 0; i < count; i++) {
        if (strcmp(items[i].name, "files/firmware.bin") == 0)
            ((uint8_t *)items[i].data)[7] ^= 0x04;
    }
    uint8_t *tgz;
    tgz_build(items, count, &tgz, &n);
    tgz_items_free(items, count);
    write_all_file(p(dir, "tampered.tar.gz"), tgz, n);
    free(tgz);
    assert_int_equal(espctl("--config", cfg, "bundle", "verify", p(dir, "tampered.tar.gz"), NULL), 1);
    expect_stderr("files/firmware.bin");
    expect_stderr("tampered");
}

static void test_build_reproducible(void **state)
{
    (void)state;
    const char *dir = fresh_dir("cli-repro");
    const char *key = make_key(dir);
    const char *a = p(dir, "a.tar.gz"), *b = p(dir, "b.tar.gz");
    assert_int_equal(espctl("build", "--rust-elf", elf_path("plain.elf"), "--target", "STM32G431RB", "--sign-key",
                            key, "-o", a, NULL), 0);
    assert_int_equal(espctl("build", "--rust-elf", elf_path("plain.elf"), "--target", "STM32G431RB", "--sign-key",
                            key, "-o", b, NULL), 0);
    size_t na, nb;
    uint8_t *da = read_all(a, &na), *db = read_all(b, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(da, db, na);
    free(da);
    free(db);
}

/* Each bad input: exit 2, a message naming the rule, nothing in the output directory. */
static void bad_build(const char *out_dir, const char *elf, const char *target, const char *meta,
                      const char *rule)
{
    char out[1024];
    snprintf(out, sizeof out, "%s/out.tar.gz", out_dir);
    int rc = meta ? espctl("build", "--rust-elf", elf, "--target", target, "--build-meta", meta, "-o", out, NULL)
                  : espctl("build", "--rust-elf", elf, "--target", target, "-o", out, NULL);
    assert_int_equal(rc, 2);
    expect_stderr(rule);
    assert_true(dir_entries(out_dir) <= 0);
}

static void test_build_bad_input(void **state)
{
    (void)state;
    const char *in = fresh_dir("cli-bad-in");
    const char *out = fresh_dir("cli-bad-out");
    write_all_file(p(in, "notelf"), "#!/bin/sh\n", 10);
    bad_build(out, p(in, "notelf"), "STM32G431RB", NULL, "elf-magic");
    size_t n;
    uint8_t *d = read_all(elf_path("data.elf"), &n);
    d[4] = 2;
    write_all_file(p(in, "elf64"), d, n);
    bad_build(out, p(in, "elf64"), "STM32G431RB", NULL, "elf-class");
    d[4] = 1;
    d[5] = 2;
    write_all_file(p(in, "be"), d, n);
    bad_build(out, p(in, "be"), "STM32G431RB", NULL, "elf-data");
    d[5] = 1;
    d[18] = 0xf3; /* RISC-V */
    write_all_file(p(in, "rv"), d, n);
    bad_build(out, p(in, "rv"), "STM32G431RB", NULL, "elf-machine");
    d[18] = 40;
    write_all_file(p(in, "trunc"), d, 120);
    bad_build(out, p(in, "trunc"), "STM32G431RB", NULL, "elf-structure");
    uint32_t phoff = d[28] | d[29] << 8 | d[30] << 16 | (uint32_t)d[31] << 24;
    d[phoff + 32 + 12] = 0x04; /* segment 1 LMA := 0x08000004, inside segment 0 */
    d[phoff + 32 + 13] = 0x00;
    write_all_file(p(in, "overlap"), d, n);
    bad_build(out, p(in, "overlap"), "STM32G431RB", NULL, "elf-overlap");
    free(d);
    FILE *f = fopen(p(in, "huge"), "wb");
    d = read_all(elf_path("plain.elf"), &n);
    fwrite(d, 1, n, f);
    free(d);
    fseek(f, 17L << 20, SEEK_SET);
    fputc(0, f);
    fclose(f);
    bad_build(out, p(in, "huge"), "STM32G431RB", NULL, "elf-size");
    char *meta = malloc(65537);
    memset(meta, 'x', 65537);
    write_all_file(p(in, "meta"), meta, 65537);
    free(meta);
    bad_build(out, elf_path("plain.elf"), "STM32G431RB", p(in, "meta"), "build-meta-size");
    bad_build(out, elf_path("plain.elf"), "STM32G413RB", NULL, "close matches: STM32G4");
    /* ESP chips go to the esp32 plugin, which needs a bootloader (tests/esp32 covers the rest). */
    bad_build(out, elf_path("plain.elf"), "esp32s3", NULL, "no second-stage bootloader");
    /* Unwritable output directory (a missing one: root may write anywhere else). */
    assert_int_equal(espctl("build", "--rust-elf", elf_path("plain.elf"), "--target", "STM32G431RB", "-o",
                            p(out, "no/such/dir/out.tar.gz"), NULL), 2);
    expect_stderr("output-writable");
    assert_int_equal(dir_entries(out), 0);
    /* Usage errors. */
    assert_int_equal(espctl("build", "--target", "STM32G431RB", NULL), 2);
    expect_stderr("--rust-elf");
    assert_int_equal(espctl("bundle", "frobnicate", "x", NULL), 2);
    assert_int_equal(espctl("bundle", "verify", p(in, "missing.tar.gz"), NULL), 2);
}

static void test_default_output_next_to_elf(void **state)
{
    (void)state;
    const char *dir = fresh_dir("cli-default");
    size_t n;
    uint8_t *d = read_all(elf_path("gap.elf"), &n);
    write_all_file(p(dir, "blinky.elf"), d, n);
    free(d);
    assert_int_equal(espctl("build", "--rust-elf", p(dir, "blinky.elf"), "--target", "STM32G474RE", NULL), 0);
    assert_int_equal(access(p(dir, "blinky-flash-bundle.tar.gz"), R_OK), 0);
    assert_int_equal(espctl("bundle", "chips", "--json", NULL), 0);
    json_t *r = json_result();
    assert_true(json_array_size(json_object_get(r, "chips")) >= 60);
    json_decref(r);
}

int main(void)
{
    require_test_elfs();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_sign_verify_flow),
        cmocka_unit_test(test_build_reproducible),
        cmocka_unit_test(test_build_bad_input),
        cmocka_unit_test(test_default_output_next_to_elf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
