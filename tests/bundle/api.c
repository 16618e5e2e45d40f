/* The bundle API end to end: create, open, inspect, extract, sign, verify, tamper,
 * reproducibility and every bad input of `build`. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "espctl/bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *path_in(const char *dir, const char *name)
{
    static char bufs[8][1024];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, 1024, "%s/%s", dir, name);
    return b;
}

static void sha_hex(const void *d, size_t n, char out[65])
{
    unsigned char md[32];
    EVP_Digest(d, n, md, NULL, EVP_sha256(), NULL);
    for (int i = 0; i < 32; i++)
        sprintf(out + 2 * i, "%02x", md[i]);
}

static espctl_bundle *open_ok(const char *path)
{
    espctl_bundle *b = NULL;
    int rc = espctl_bundle_open(NULL, path, NULL, &b);
    if (rc)
        fail_msg("open %s: %s", path, espctl_last_error());
    return b;
}

static void check_member_equals_file(espctl_bundle *b, const char *member, const char *file)
{
    const void *data;
    uint64_t size;
    size_t ref_size;
    assert_int_equal(espctl_bundle_member_data(b, member, &data, &size), 0);
    uint8_t *ref = read_all(file, &ref_size);
    assert_int_equal(size, ref_size);
    assert_memory_equal(data, ref, ref_size);
    free(ref);
}

static void test_create_and_open_each_elf(void **state)
{
    (void)state;
    static const char *const variants[] = {"plain", "gap", "data"};
    const char *dir = fresh_dir("api-each");
    for (int i = 0; i < 3; i++) {
        char elf[64], bin[64], hex[64];
        snprintf(elf, sizeof elf, "%s.elf", variants[i]);
        snprintf(bin, sizeof bin, "%s.objcopy.bin", variants[i]);
        snprintf(hex, sizeof hex, "%s.objcopy.hex", variants[i]);
        const char *out = path_in(dir, elf);
        struct espctl_bundle_create_options o = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_create_options),
                                                 .elf_path = elf_path(elf), .chip = "stm32g431rb", .out_path = out,
                                                 .project = "demo"};
        struct espctl_bundle_create_result r = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_create_result)};
        if (espctl_bundle_create(NULL, &o, &r) != 0)
            fail_msg("create: %s", espctl_last_error());
        assert_string_equal(r.path, out);
        assert_int_equal(r.is_signed, 0);
        assert_int_equal(r.image_address, 0x08000000u);

        espctl_bundle *b = open_ok(out);
        struct espctl_bundle_info info = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_info)};
        assert_int_equal(espctl_bundle_get_info(b, &info), 0);
        assert_int_equal(info.schema_version, 1);
        assert_string_equal(info.target_kind, "cortexm");
        assert_string_equal(info.chip, "STM32G431RB");
        assert_string_equal(info.probe_rs_chip, "STM32G431RBTx");
        assert_string_equal(info.project, "demo");
        assert_string_equal(info.build_provenance, "client_supplied");
        assert_string_equal(info.created_at, "2023-11-14T22:13:20Z");
        assert_int_equal(strncmp(info.job_id, "local-", 6), 0);
        assert_true(strlen(info.ref) >= 4);
        assert_null(info.build_meta);
        assert_int_equal(info.has_signature, 0);
        assert_int_equal(info.member_count, 5);
        save_manifest(variants[i], info.manifest_json, info.manifest_size);

        size_t bin_size;
        uint8_t *ref = read_all(elf_path(bin), &bin_size);
        char want[65];
        sha_hex(ref, bin_size, want);
        struct espctl_bundle_segment seg = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_segment)};
        assert_int_equal(info.segment_count, 1);
        assert_int_equal(espctl_bundle_get_segment(b, 0, &seg), 0);
        assert_int_equal(seg.offset, 0x08000000u);
        assert_int_equal(seg.size, bin_size);
        assert_string_equal(seg.file, ESPCTL_BUNDLE_BIN);
        assert_string_equal(seg.sha256, want);
        free(ref);
        assert_int_equal(espctl_bundle_get_segment(b, 1, &seg), ESPCTL_E_NOT_FOUND);

        check_member_equals_file(b, ESPCTL_BUNDLE_BIN, elf_path(bin));
        check_member_equals_file(b, ESPCTL_BUNDLE_HEX, elf_path(hex));
        check_member_equals_file(b, ESPCTL_BUNDLE_ELF, elf_path(elf));

        /* Members come sorted. */
        struct espctl_bundle_member m = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_member)};
        const char *prev = "";
        for (uint32_t k = 0; k < info.member_count; k++) {
            assert_int_equal(espctl_bundle_get_member(b, k, &m), 0);
            assert_true(strcmp(prev, m.name) < 0);
            prev = m.name;
        }
        const char *x = path_in(dir, "extracted.bin");
        assert_int_equal(espctl_bundle_extract(b, ESPCTL_BUNDLE_BIN, x), 0);
        check_member_equals_file(b, ESPCTL_BUNDLE_BIN, x);
        assert_int_equal(espctl_bundle_extract(b, "files/nope.bin", x), ESPCTL_E_NOT_FOUND);
        espctl_bundle_free(b);
    }
}

static void test_default_output_path_and_meta(void **state)
{
    (void)state;
    const char *dir = fresh_dir("api-default");
    size_t n;
    uint8_t *elf = read_all(elf_path("plain.elf"), &n);
    write_all_file(path_in(dir, "app.elf"), elf, n);
    free(elf);
    const char *meta = "built on a Tuesday\nwith \"quotes\" and ünïcödé\n";
    write_all_file(path_in(dir, "meta.txt"), meta, strlen(meta));
    const char *deps = "[{\"name\":\"cortex-m\",\"version\":\"0.7.7\",\"purl\":\"pkg:cargo/cortex-m@0.7.7\"}]";
    write_all_file(path_in(dir, "deps.json"), deps, strlen(deps));
    struct espctl_bundle_create_options o = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_create_options),
                                             .elf_path = path_in(dir, "app.elf"), .chip = "STM32G474RETx",
                                             .build_meta_path = path_in(dir, "meta.txt"),
                                             .dependencies_path = path_in(dir, "deps.json")};
    assert_int_equal(espctl_bundle_create(NULL, &o, NULL), 0);
    espctl_bundle *b = open_ok(path_in(dir, "app-flash-bundle.tar.gz"));
    struct espctl_bundle_info info = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_info)};
    assert_int_equal(espctl_bundle_get_info(b, &info), 0);
    assert_string_equal(info.project, "app");
    assert_string_equal(info.chip, "STM32G474RE");
    assert_string_equal(info.probe_rs_chip, "STM32G474RETx");
    assert_string_equal(info.build_meta, meta);
    save_manifest("with-meta", info.manifest_json, info.manifest_size);
    const void *sbom;
    uint64_t sbom_size;
    assert_int_equal(espctl_bundle_member_data(b, ESPCTL_BUNDLE_SBOM, &sbom, &sbom_size), 0);
    char *text = strndup(sbom, sbom_size);
    assert_non_null(strstr(text, "\"toolchain\": {}"));
    assert_non_null(strstr(text, "pkg:cargo/cortex-m@0.7.7"));
    free(text);
    espctl_bundle_free(b);
    /* Nothing but the ELF, inputs and the bundle in the directory (temp file renamed). */
    assert_int_equal(dir_entries(dir), 4);
}

static void test_reproducible_and_archive_metadata(void **state)
{
    (void)state;
    const char *dir = fresh_dir("api-repro");
    const char *key = make_key(dir);
    const char *a = path_in(dir, "a.tar.gz"), *bpath = path_in(dir, "b.tar.gz");
    assert_int_equal(make_bundle("data.elf", a, key), 0);
    assert_int_equal(make_bundle("data.elf", bpath, key), 0);
    size_t na, nb;
    uint8_t *da = read_all(a, &na), *db = read_all(bpath, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(da, db, na);
    /* gzip header: magic, deflate, no flags (no name), mtime 0, XFL 0, OS Unix. */
    static const uint8_t gz[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    assert_memory_equal(da, gz, 10);

    struct archive *ar = archive_read_new();
    archive_read_support_filter_gzip(ar);
    archive_read_support_format_tar(ar);
    assert_int_equal(archive_read_open_memory(ar, da, na), ARCHIVE_OK);
    struct archive_entry *e;
    int count = 0;
    const char *want[] = {"files/firmware.bin", "files/firmware.elf", "files/firmware.hex", "manifest.json",
                          "manifest.json.sig", "sbom.json"};
    while (archive_read_next_header(ar, &e) == ARCHIVE_OK) {
        assert_true(count < 6);
        assert_string_equal(archive_entry_pathname(e), want[count]);
        assert_int_equal(archive_entry_uid(e), 0);
        assert_int_equal(archive_entry_gid(e), 0);
        assert_true(!archive_entry_uname(e) || !*archive_entry_uname(e));
        assert_true(!archive_entry_gname(e) || !*archive_entry_gname(e));
        assert_int_equal(archive_entry_perm(e), 0644);
        assert_int_equal(archive_entry_mtime(e), 1700000000);
        assert_int_equal(archive_entry_filetype(e), AE_IFREG);
        count++;
    }
    assert_int_equal(count, 6);
    assert_int_equal(archive_format(ar), ARCHIVE_FORMAT_TAR_USTAR);
    archive_read_free(ar);
    free(da);
    free(db);

    /* Without SOURCE_DATE_EPOCH the entries carry mtime 0 (and still sorted/zero ids). */
    char *saved = strdup(getenv("SOURCE_DATE_EPOCH"));
    unsetenv("SOURCE_DATE_EPOCH");
    const char *c = path_in(dir, "c.tar.gz");
    int rc = make_bundle("data.elf", c, NULL);
    setenv("SOURCE_DATE_EPOCH", saved, 1);
    free(saved);
    assert_int_equal(rc, 0);
    size_t nc;
    uint8_t *dc = read_all(c, &nc);
    ar = archive_read_new();
    archive_read_support_filter_gzip(ar);
    archive_read_support_format_tar(ar);
    assert_int_equal(archive_read_open_memory(ar, dc, nc), ARCHIVE_OK);
    while (archive_read_next_header(ar, &e) == ARCHIVE_OK)
        assert_int_equal(archive_entry_mtime(e), 0);
    archive_read_free(ar);
    free(dc);

    setenv("SOURCE_DATE_EPOCH", "yesterday", 1);
    assert_int_equal(make_bundle("data.elf", path_in(dir, "d.tar.gz"), NULL), ESPCTL_E_CONFIG);
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
    assert_int_equal(access(path_in(dir, "d.tar.gz"), F_OK), -1);
}

static void test_keys_sign_verify_trust(void **state)
{
    (void)state;
    const char *dir = fresh_dir("api-keys");
    const char *trusted = path_in(dir, "trusted");
    char id[33];
    const char *key = path_in(dir, "k.pem");
    assert_int_equal(espctl_keys_generate(key, NULL, id), 0);
    assert_int_equal(strlen(id), 32);
    struct stat st;
    assert_int_equal(stat(key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(path_in(dir, "k.pem.pub"), &st), 0);
    assert_int_equal(espctl_keys_generate(key, NULL, NULL), ESPCTL_E_INVAL); /* never overwrites */

    const char *unsigned_path = path_in(dir, "u.tar.gz");
    assert_int_equal(make_bundle("gap.elf", unsigned_path, NULL), 0);
    espctl_bundle *b = open_ok(unsigned_path);
    assert_int_equal(espctl_bundle_verify(NULL, b, trusted, NULL), ESPCTL_E_UNSIGNED);
    assert_non_null(strstr(espctl_last_error(), "unsigned"));
    espctl_bundle_free(b);

    const char *signed_path = path_in(dir, "s.tar.gz");
    assert_int_equal(make_bundle("gap.elf", signed_path, key), 0);
    b = open_ok(signed_path);
    struct espctl_bundle_verify_result vr = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_verify_result)};
    assert_int_equal(espctl_bundle_verify(NULL, b, trusted, &vr), ESPCTL_E_UNTRUSTED);
    assert_string_equal(vr.key_id, id);
    assert_non_null(strstr(espctl_last_error(), "not trusted"));
    assert_int_equal(espctl_bundle_verify(NULL, b, NULL, NULL), ESPCTL_E_UNTRUSTED);

    /* A private key is refused as a trust anchor; the public one is installed. */
    assert_int_equal(espctl_keys_trust(NULL, key, trusted, NULL), ESPCTL_E_INVAL);
    char installed[ESPCTL_PATH_SIZE];
    assert_int_equal(espctl_keys_trust(NULL, path_in(dir, "k.pem.pub"), trusted, installed), 0);
    assert_non_null(strstr(installed, id));
    assert_int_equal(espctl_bundle_verify(NULL, b, trusted, &vr), 0);
    assert_string_equal(vr.key_id, id);
    assert_string_equal(vr.trusted_key, installed);
    struct espctl_bundle_info info = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_info)};
    assert_int_equal(espctl_bundle_get_info(b, &info), 0);
    save_manifest("signed", info.manifest_json, info.manifest_size);
    espctl_bundle_free(b);

    /* Signing an unsigned bundle afterwards: in place and to a new path. */
    const char *resigned = path_in(dir, "r.tar.gz");
    assert_int_equal(espctl_bundle_sign(NULL, unsigned_path, key, resigned), 0);
    b = open_ok(resigned);
    assert_int_equal(espctl_bundle_verify(NULL, b, trusted, NULL), 0);
    espctl_bundle_free(b);
    assert_int_equal(espctl_bundle_sign(NULL, unsigned_path, key, NULL), 0);
    b = open_ok(unsigned_path);
    assert_int_equal(espctl_bundle_verify(NULL, b, trusted, NULL), 0);
    espctl_bundle_free(b);
    /* Signed by `build` and signed afterwards: the same bytes (same manifest, same key). */
    size_t n1, n2;
    uint8_t *d1 = read_all(signed_path, &n1), *d2 = read_all(resigned, &n2);
    assert_int_equal(n1, n2);
    assert_memory_equal(d1, d2, n1);
    free(d1);
    free(d2);

    /* Another key: valid signature, untrusted. */
    const char *dir2 = fresh_dir("api-keys-other");
    const char *other = make_key(dir2);
    assert_int_equal(espctl_bundle_sign(NULL, resigned, other, NULL), 0);
    b = open_ok(resigned);
    assert_int_equal(espctl_bundle_verify(NULL, b, trusted, NULL), ESPCTL_E_UNTRUSTED);
    espctl_bundle_free(b);
}

/* Flip one byte of one member, repack, and expect open or verify to fail naming it. */
static void flip_and_check(struct tar_item *items, size_t n, size_t member, size_t pos, uint8_t mask,
                           const char *trusted)
{
    uint8_t *d = (uint8_t *)items[member].data;
    d[pos] ^= mask;
    uint8_t *tgz;
    size_t size;
    tgz_build(items, n, &tgz, &size);
    d[pos] ^= mask;
    espctl_bundle *b = NULL;
    espctl_clear_error();
    int rc = espctl_bundle_open_memory(NULL, tgz, size, NULL, &b);
    if (rc == 0) {
        rc = espctl_bundle_verify(NULL, b, trusted, NULL);
        espctl_bundle_free(b);
    }
    free(tgz);
    if (rc == 0)
        fail_msg("flipping byte %zu of %s (^0x%02x) went undetected", pos, items[member].name, mask);
    if (rc == ESPCTL_E_UNTRUSTED || rc == ESPCTL_E_UNSIGNED)
        fail_msg("flip of %s byte %zu reported as %d, not as tampering", items[member].name, pos, rc);
    if (!strstr(espctl_last_error(), items[member].name))
        fail_msg("flip of %s byte %zu: message \"%s\" does not name the member", items[member].name, pos,
                 espctl_last_error());
}

static void test_every_member_tamper_detected(void **state)
{
    (void)state;
    const char *dir = fresh_dir("api-tamper");
    const char *key = make_key(dir);
    const char *trusted = path_in(dir, "trusted");
    assert_int_equal(espctl_keys_trust(NULL, path_in(dir, "key.pem.pub"), trusted, NULL), 0);
    const char *path = path_in(dir, "t.tar.gz");
    assert_int_equal(make_bundle("data.elf", path, key), 0);
    size_t size;
    uint8_t *d = read_all(path, &size);
    struct tar_item *items;
    size_t n = tgz_unpack(d, size, &items);
    free(d);
    assert_int_equal(n, 6);
    /* Untouched, the repacked bundle verifies (so failures below are the flips). */
    uint8_t *tgz;
    tgz_build(items, n, &tgz, &size);
    espctl_bundle *b = NULL;
    assert_int_equal(espctl_bundle_open_memory(NULL, tgz, size, NULL, &b), 0);
    assert_int_equal(espctl_bundle_verify(NULL, b, trusted, NULL), 0);
    espctl_bundle_free(b);
    free(tgz);

    unsigned seed = 12345;
    size_t flips = 0;
    for (size_t m = 0; m < n; m++) {
        size_t len = items[m].size;
        assert_true(len > 0);
        int small = strcmp(items[m].name, ESPCTL_BUNDLE_MANIFEST) == 0 ||
                    strcmp(items[m].name, ESPCTL_BUNDLE_SIGNATURE) == 0;
        if (small) {
            /* The signed bytes and the signature: every byte, two kinds of flip. */
            for (size_t pos = 0; pos < len; pos++) {
                flip_and_check(items, n, m, pos, 0x01, trusted);
                flip_and_check(items, n, m, pos, 0xff, trusted);
                flips += 2;
            }
        } else {
            size_t positions[20] = {0, len / 2, len - 1};
            for (int k = 3; k < 20; k++) {
                seed = seed * 1103515245u + 12345u;
                positions[k] = (seed >> 8) % len;
            }
            for (int k = 0; k < 20; k++) {
                flip_and_check(items, n, m, positions[k], 0x01, trusted);
                flip_and_check(items, n, m, positions[k], 0x80, trusted);
                flips += 2;
            }
        }
    }
    print_message("%zu single-byte flips over %zu members all detected\n", flips, n);
    tgz_items_free(items, n);
}

/* Expect create to fail with code, naming `rule`, and leave `out_dir` empty. */
static void expect_bad(const char *elf, const char *chip, const char *meta, const char *out_dir,
                       const char *out_name, int code, const char *rule)
{
    char out[1024];
    snprintf(out, sizeof out, "%s/%s", out_dir, out_name);
    struct espctl_bundle_create_options o = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_create_options),
                                             .elf_path = elf, .chip = chip, .out_path = out,
                                             .build_meta_path = meta};
    espctl_clear_error();
    int rc = espctl_bundle_create(NULL, &o, NULL);
    if (rc != code || !strstr(espctl_last_error(), rule))
        fail_msg("create(%s, %s): got %d \"%s\", want %d naming %s", elf, chip, rc, espctl_last_error(), code,
                 rule);
    assert_int_equal(access(out, F_OK), -1);
    assert_true(dir_entries(out_dir) <= 0);
}

static void write_patched(const char *src, const char *dst, size_t off, const uint8_t *bytes, size_t k)
{
    size_t n;
    uint8_t *d = read_all(src, &n);
    memcpy(d + off, bytes, k);
    write_all_file(dst, d, n);
    free(d);
}

static void test_bad_inputs(void **state)
{
    (void)state;
    const char *in = fresh_dir("api-bad-in");
    const char *out = fresh_dir("api-bad-out");
    const char *good = elf_path("data.elf");

    write_all_file(path_in(in, "text.elf"), "not an elf\n", 11);
    expect_bad(path_in(in, "text.elf"), "STM32G431RB", NULL, out, "o.tgz", ESPCTL_E_FORMAT, "elf-magic");
    write_patched(good, path_in(in, "elf64.elf"), 4, (const uint8_t *)"\x02", 1);
    expect_bad(path_in(in, "elf64.elf"), "STM32G431RB", NULL, out, "o.tgz", ESPCTL_E_FORMAT, "elf-class");
    write_patched(good, path_in(in, "be.elf"), 5, (const uint8_t *)"\x02", 1);
    expect_bad(path_in(in, "be.elf"), "STM32G431RB", NULL, out, "o.tgz", ESPCTL_E_FORMAT, "elf-data");
    write_patched(good, path_in(in, "x86.elf"), 18, (const uint8_t *)"\x3e\x00", 2);
    expect_bad(path_in(in, "x86.elf"), "STM32G431RB", NULL, out, "o.tgz", ESPCTL_E_FORMAT, "elf-machine");
    size_t n;
    uint8_t *d = read_all(good, &n);
    write_all_file(path_in(in, "trunc.elf"), d, 200);
    expect_bad(path_in(in, "trunc.elf"), "STM32G431RB", NULL, out, "o.tgz", ESPCTL_E_FORMAT, "elf-structure");
    uint32_t phoff = d[28] | d[29] << 8 | d[30] << 16 | (uint32_t)d[31] << 24;
    static const uint8_t overlap[4] = {0x10, 0x00, 0x00, 0x08};
    write_patched(good, path_in(in, "overlap.elf"), phoff + 32 + 12, overlap, 4);
    expect_bad(path_in(in, "overlap.elf"), "STM32G431RB", NULL, out, "o.tgz", ESPCTL_E_FORMAT, "elf-overlap");
    uint8_t *big = calloc(1, (16u << 20) + 1);
    memcpy(big, d, n);
    write_all_file(path_in(in, "big.elf"), big, (16u << 20) + 1);
    free(big);
    free(d);
    expect_bad(path_in(in, "big.elf"), "STM32G431RB", NULL, out, "o.tgz", ESPCTL_E_FORMAT, "elf-size");

    char *meta = malloc(64 * 1024 + 1);
    memset(meta, 'm', 64 * 1024 + 1);
    write_all_file(path_in(in, "meta.txt"), meta, 64 * 1024 + 1);
    free(meta);
    expect_bad(good, "STM32G431RB", path_in(in, "meta.txt"), out, "o.tgz", ESPCTL_E_INVAL, "build-meta-size");
    write_all_file(path_in(in, "meta-bin.txt"), "\xff\xfe\x00x", 4);
    expect_bad(good, "STM32G431RB", path_in(in, "meta-bin.txt"), out, "o.tgz", ESPCTL_E_INVAL, "build-meta-text");

    expect_bad(good, "STM32G431RC", NULL, out, "o.tgz", ESPCTL_E_NOT_FOUND, "close matches: STM32G431");
    assert_non_null(strstr(espctl_last_error(), "STM32G431RB"));
    expect_bad(good, "nrf52840", NULL, out, "o.tgz", ESPCTL_E_NOT_FOUND, "known-chip");
    /* ESP chips go to the esp32 plugin's image format; this context loads no plugins. */
    expect_bad(good, "esp32c3", NULL, out, "o.tgz", ESPCTL_E_NOT_FOUND, "rule esp32-target");

    /* Unwritable output: a missing directory, and a regular file used as a directory. */
    expect_bad(good, "STM32G431RB", NULL, out, "missing/o.tgz", ESPCTL_E_INVAL, "output-writable");
    write_all_file(path_in(in, "plainfile"), "x", 1);
    char under_file[1024];
    snprintf(under_file, sizeof under_file, "%s/plainfile/o.tgz", in);
    struct espctl_bundle_create_options o = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_create_options),
                                             .elf_path = good, .chip = "STM32G431RB", .out_path = under_file};
    assert_int_equal(espctl_bundle_create(NULL, &o, NULL), ESPCTL_E_INVAL);
    assert_non_null(strstr(espctl_last_error(), "output-writable"));
    if (geteuid() != 0) {
        const char *ro = fresh_dir("api-bad-ro");
        chmod(ro, 0555);
        expect_bad(good, "STM32G431RB", NULL, ro, "o.tgz", ESPCTL_E_INVAL, "output-writable");
        chmod(ro, 0755);
    }
}

static void test_chip_table(void **state)
{
    (void)state;
    uint32_t n = espctl_chip_count();
    assert_true(n >= 60);
    int found_g431rb = 0;
    const char *lines[] = {"STM32G431", "STM32G441", "STM32G471", "STM32G473", "STM32G474", "STM32G491",
                           "STM32G4A1"};
    int seen[7] = {0};
    for (uint32_t i = 0; i < n; i++) {
        struct espctl_chip_info c = {.hdr = ESPCTL_ABI_HDR(struct espctl_chip_info)};
        assert_int_equal(espctl_chip_get(i, &c), 0);
        assert_int_equal(strncmp(c.name, c.probe_rs_chip, strlen(c.name)), 0);
        assert_int_equal(strlen(c.probe_rs_chip), strlen(c.name) + 2);
        if (!strcmp(c.name, "STM32G431RB")) {
            found_g431rb = 1;
            assert_string_equal(c.probe_rs_chip, "STM32G431RBTx");
            assert_int_equal(c.flash_size, 128 * 1024);
        }
        for (int k = 0; k < 7; k++)
            seen[k] |= strncmp(c.name, lines[k], 9) == 0;
    }
    assert_true(found_g431rb);
    for (int k = 0; k < 7; k++)
        assert_true(seen[k]);
    struct espctl_chip_info c = {.hdr = ESPCTL_ABI_HDR(struct espctl_chip_info)};
    assert_int_equal(espctl_chip_get(n, &c), ESPCTL_E_NOT_FOUND);
}

int main(void)
{
    require_test_elfs();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_and_open_each_elf),
        cmocka_unit_test(test_default_output_path_and_meta),
        cmocka_unit_test(test_reproducible_and_archive_metadata),
        cmocka_unit_test(test_keys_sign_verify_trust),
        cmocka_unit_test(test_every_member_tamper_detected),
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_chip_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
