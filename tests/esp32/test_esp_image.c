/* ESP-IDF app image, partition table and merged image: layout rules checked byte by byte. */
#include "esp_build.h"
#include "esp_chip.h"
#include "esp_elf.h"
#include "esp_image.h"
#include "esp_parttable.h"
#include "support.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Independent walk of an image: segment table, XOR checksum, SHA-256 (not the plugin's parser). */
struct walked {
    unsigned count;
    uint32_t addr[32], len[32], data_off[32];
    size_t end;
};

static void walk_and_check(const uint8_t *img, size_t size, struct walked *w)
{
    assert_true(size > 24);
    assert_int_equal(img[0], 0xE9);
    w->count = img[1];
    size_t off = 24;
    uint8_t x = 0xEF;
    for (unsigned i = 0; i < w->count; i++) {
        w->addr[i] = le32(img + off);
        w->len[i] = le32(img + off + 4);
        w->data_off[i] = (uint32_t)(off + 8);
        assert_int_equal(w->len[i] % 4, 0);
        off += 8;
        assert_true(off + w->len[i] <= size);
        for (uint32_t k = 0; k < w->len[i]; k++)
            x ^= img[off + k];
        off += w->len[i];
    }
    while (off % 16 != 15) {
        assert_int_equal(img[off], 0);
        off++;
    }
    assert_int_equal(img[off], x);
    off++;
    assert_int_equal(img[23], 1);
    uint8_t d[32];
    unsigned n = 0;
    assert_int_equal(EVP_Digest(img, off, d, &n, EVP_sha256(), NULL), 1);
    assert_memory_equal(d, img + off, 32);
    w->end = off + 32;
    assert_int_equal(w->end, size);
}

/* A Rust-no_std-shaped ESP32-S3 ELF: IRAM text, DRAM data, DROM rodata, IROM text. */
static uint8_t iram[0x1234], dram[0x804], drom[0x3000], irom[0x12000];

static uint8_t *s3_elf(size_t *len, int with_desc)
{
    test_fill(iram, sizeof iram, 1);
    test_fill(dram, sizeof dram, 2);
    test_fill(drom, sizeof drom, 3);
    test_fill(irom, sizeof irom, 4);
    if (with_desc) {
        memset(drom, 0, 256);
        drom[0] = 0x32, drom[1] = 0x54, drom[2] = 0xCD, drom[3] = 0xAB; /* ESP_APP_DESC_MAGIC */
    }
    struct test_section secs[] = {
        {".iram0.text", 0x40378000, iram, sizeof iram, 6},
        {".dram0.data", 0x3FC88000, dram, sizeof dram, 3},
        {with_desc ? ".flash.appdesc" : ".rodata", 0x3C000020, drom, sizeof drom, 2},
        {".flash.text", 0x42010020, irom, sizeof irom, 6},
    };
    return test_elf(94, 0x40378100, secs, 4, len);
}

static void build_app(const char *chip_name, const uint8_t *elf, size_t elf_len, struct esp_vec *out)
{
    const struct esp_chip_info *chip = esp_chip_by_name(chip_name);
    struct esp_elf e;
    char err[256];
    assert_int_equal(esp_elf_parse(elf, elf_len, &e, err, sizeof err), 0);
    struct esp_image_params p = {.chip = chip, .flash_mode = 2, .size_code = 2, .freq_code = 0xF, .entry = e.entry};
    int rc = esp_image_build_app(&p, &e, elf, elf_len, out, err, sizeof err);
    if (rc)
        fail_msg("build: %s", err);
    esp_elf_free(&e);
}

static void test_app_image_layout(void **state)
{
    (void)state;
    size_t elf_len;
    uint8_t *elf = s3_elf(&elf_len, 0);
    struct esp_vec img = {0};
    build_app("esp32s3", elf, elf_len, &img);
    struct walked w;
    walk_and_check(img.data, img.len, &w);
    /* header */
    assert_int_equal(img.data[2], 2);              /* dio */
    assert_int_equal(img.data[3], 0x2F);           /* 4MB, 80m */
    assert_int_equal(le32(img.data + 4), 0x40378100);
    assert_int_equal(img.data[8], 0xEE);           /* WP pin disabled */
    assert_int_equal(img.data[12] | img.data[13] << 8, 9); /* ESP32-S3 chip id */
    assert_int_equal(img.data[17] | img.data[18] << 8, 0xFFFF);
    /* every flash-mapped segment sits at file offset == vaddr mod 64 KiB; all bytes present */
    int seen_drom = 0, seen_irom = 0, padding = 0;
    uint32_t ram_bytes = 0;
    for (unsigned i = 0; i < w.count; i++) {
        uint32_t a = w.addr[i];
        if ((a >= 0x3C000000 && a < 0x3E000000) || (a >= 0x42000000 && a < 0x44000000)) {
            assert_int_equal(w.data_off[i] % 0x10000, a % 0x10000);
            if (a == 0x3C000020) {
                seen_drom = 1;
                assert_memory_equal(img.data + w.data_off[i], drom, sizeof drom);
            }
            if (a == 0x42010020) {
                seen_irom = 1;
                assert_memory_equal(img.data + w.data_off[i], irom, sizeof irom);
            }
        } else if (a == 0) {
            padding++;
        } else {
            ram_bytes += w.len[i];
        }
    }
    assert_true(seen_drom && seen_irom);
    /* RAM data fills the gaps before falling back to padding; all of it is in the image */
    assert_int_equal(ram_bytes, sizeof iram + sizeof dram);
    (void)padding;
    /* the parser agrees */
    struct esp_image_info info;
    char err[256];
    assert_int_equal(esp_image_parse(img.data, img.len, &info, err, sizeof err), 0);
    assert_true(esp_image_valid(&info));
    assert_int_equal(info.length, img.len);
    /* a flipped byte is detected by checksum and hash */
    img.data[w.data_off[0] + 5] ^= 0x40;
    assert_int_equal(esp_image_parse(img.data, img.len, &info, err, sizeof err), 0);
    assert_false(esp_image_valid(&info));
    esp_vec_free(&img);
    free(elf);
}

static void test_app_desc_first_with_elf_hash(void **state)
{
    (void)state;
    size_t elf_len;
    uint8_t *elf = s3_elf(&elf_len, 1);
    struct esp_vec img = {0};
    build_app("esp32s3", elf, elf_len, &img);
    struct walked w;
    walk_and_check(img.data, img.len, &w);
    /* the descriptor's segment is first and lands at image offset 0x20 */
    assert_int_equal(w.addr[0], 0x3C000020);
    assert_int_equal(w.data_off[0], 0x20);
    assert_int_equal(le32(img.data + 0x20), 0xABCD5432);
    uint8_t d[32];
    unsigned n;
    EVP_Digest(elf, elf_len, d, &n, EVP_sha256(), NULL);
    assert_memory_equal(img.data + 0x20 + 144, d, 32);
    esp_vec_free(&img);
    /* a descriptor with the wrong magic is refused, naming the section */
    drom[0] = 0;
    struct test_section bad[] = {{".flash.appdesc", 0x3C000020, drom, 512, 2}};
    uint8_t *elf2 = test_elf(94, 0x40378000, bad, 1, &elf_len);
    const struct esp_chip_info *chip = esp_chip_by_name("esp32s3");
    struct esp_elf e;
    char err[256];
    assert_int_equal(esp_elf_parse(elf2, elf_len, &e, err, sizeof err), 0);
    struct esp_image_params p = {.chip = chip};
    struct esp_vec out = {0};
    assert_int_equal(esp_image_build_app(&p, &e, elf2, elf_len, &out, err, sizeof err), -1);
    assert_non_null(strstr(err, ".flash.appdesc"));
    esp_vec_free(&out);
    esp_elf_free(&e);
    free(elf2);
    free(elf);
}

static void test_adjacent_sections_merge(void **state)
{
    (void)state;
    uint8_t a[6] = {1, 2, 3, 4, 5, 6}, b[8] = {7, 7, 7, 7, 7, 7, 7, 7};
    /* b starts 2 bytes after a ends: within 4-byte alignment, so one zero-filled segment */
    struct test_section secs[] = {{".a", 0x3FC90000, a, 6, 3}, {".b", 0x3FC90008, b, 8, 3}};
    size_t len;
    uint8_t *elf = test_elf(94, 0x40378000, secs, 2, &len);
    struct esp_vec img = {0};
    build_app("esp32s3", elf, len, &img);
    struct walked w;
    walk_and_check(img.data, img.len, &w);
    assert_int_equal(w.count, 1);
    assert_int_equal(w.addr[0], 0x3FC90000);
    assert_int_equal(w.len[0], 16);
    const uint8_t want[16] = {1, 2, 3, 4, 5, 6, 0, 0, 7, 7, 7, 7, 7, 7, 7, 7};
    assert_memory_equal(img.data + w.data_off[0], want, 16);
    esp_vec_free(&img);
    free(elf);
}

static void test_elf_errors_name_field(void **state)
{
    (void)state;
    struct esp_elf e;
    char err[256];
    uint8_t junk[64] = {0x7f, 'E', 'L', 'F', 2, 1};
    assert_int_equal(esp_elf_parse(junk, sizeof junk, &e, err, sizeof err), -1);
    assert_non_null(strstr(err, "EI_CLASS"));
    assert_int_equal(esp_elf_parse(junk, 10, &e, err, sizeof err), -1);
    assert_non_null(strstr(err, "shorter"));
    size_t len;
    uint8_t *elf = s3_elf(&len, 0);
    /* truncate inside the section table */
    assert_int_equal(esp_elf_parse(elf, len - 20, &e, err, sizeof err), -1);
    assert_non_null(strstr(err, "section table"));
    /* an Xtensa ELF is not an ESP32-C3 program */
    uint8_t *boot;
    size_t boot_len;
    boot = test_bootloader("esp32c3", &boot_len);
    struct esp_build_opts o = {.bootloader = boot, .bootloader_len = boot_len};
    struct esp_vec merged = {0};
    struct esp_build_result r;
    assert_int_equal(esp_build_merged(esp_chip_by_name("esp32c3"), elf, len, &o, &merged, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "e_machine 94"));
    esp_vec_free(&merged);
    free(boot);
    free(elf);
}

static void test_partition_table_default_binary(void **state)
{
    (void)state;
    struct esp_pt pt;
    esp_pt_default(&pt, 4u << 20);
    uint8_t bin[ESP_PT_SIZE];
    assert_int_equal(esp_pt_to_bin(&pt, bin), 0);
    const struct {
        const char *label;
        uint8_t type, sub;
        uint32_t off, size;
    } want[] = {{"nvs", 1, 2, 0x9000, 0x6000}, {"phy_init", 1, 1, 0xF000, 0x1000}, {"factory", 0, 0, 0x10000, 0x3F0000}};
    for (int i = 0; i < 3; i++) {
        const uint8_t *r = bin + 32 * i;
        assert_int_equal(r[0], 0xAA);
        assert_int_equal(r[1], 0x50);
        assert_int_equal(r[2], want[i].type);
        assert_int_equal(r[3], want[i].sub);
        assert_int_equal(le32(r + 4), want[i].off);
        assert_int_equal(le32(r + 8), want[i].size);
        assert_string_equal((const char *)r + 12, want[i].label);
    }
    const uint8_t *m = bin + 96;
    assert_int_equal(m[0], 0xEB);
    assert_int_equal(m[1], 0xEB);
    for (int i = 2; i < 16; i++)
        assert_int_equal(m[i], 0xFF);
    uint8_t d[16];
    unsigned n;
    EVP_Digest(bin, 96, d, &n, EVP_md5(), NULL);
    assert_memory_equal(m + 16, d, 16);
    for (size_t i = 128; i < ESP_PT_SIZE; i++)
        assert_int_equal(bin[i], 0xFF);
    /* and it parses back */
    struct esp_pt back;
    char err[256];
    assert_int_equal(esp_pt_parse_bin(bin, sizeof bin, &back, err, sizeof err), 0);
    assert_int_equal(back.count, 3);
    assert_string_equal(esp_pt_app(&back)->label, "factory");
    /* a damaged MD5 row is reported with its offset */
    bin[96 + 20] ^= 1;
    assert_int_equal(esp_pt_parse_bin(bin, sizeof bin, &back, err, sizeof err), -1);
    assert_non_null(strstr(err, "0x60"));
}

static void test_partition_csv(void **state)
{
    (void)state;
    const char *csv = "# Name, Type, SubType, Offset, Size, Flags\n"
                      "nvs,      data, nvs,     0x9000,  24K,\n"
                      "otadata,  data, ota,     ,        8K\n"
                      "phy_init, data, phy,     ,        0x1000\n"
                      "factory,  app,  factory, ,        1M\n"
                      "ota_0,    app,  ota_0,   ,        1M, readonly\n"
                      "storage,  data, spiffs,  ,        512K, encrypted\n";
    struct esp_pt pt;
    char err[256];
    assert_int_equal(esp_pt_parse_csv(csv, strlen(csv), 4u << 20, &pt, err, sizeof err), 0);
    assert_int_equal(pt.count, 6);
    assert_int_equal(pt.entries[1].offset, 0xF000);
    assert_int_equal(pt.entries[1].subtype, 0);
    assert_int_equal(pt.entries[2].offset, 0x11000);
    assert_int_equal(pt.entries[3].offset, 0x20000); /* app: next 64 KiB boundary */
    assert_int_equal(pt.entries[3].size, 0x100000);
    assert_int_equal(pt.entries[4].subtype, 0x10);
    assert_int_equal(pt.entries[4].flags, ESP_PT_FLAG_READONLY);
    assert_int_equal(pt.entries[5].subtype, 0x82);
    assert_int_equal(pt.entries[5].flags, ESP_PT_FLAG_ENCRYPTED);
    const char *bad_type = "nvs, dat, nvs, 0x9000, 24K\n";
    assert_int_equal(esp_pt_parse_csv(bad_type, strlen(bad_type), 4u << 20, &pt, err, sizeof err), -1);
    assert_non_null(strstr(err, "line 1 column 2"));
    const char *misaligned = "\n\nfactory, app, factory, 0x18000, 1M\n";
    assert_int_equal(esp_pt_parse_csv(misaligned, strlen(misaligned), 4u << 20, &pt, err, sizeof err), -1);
    assert_non_null(strstr(err, "64 KiB"));
    const char *overlap = "a, data, nvs, 0x9000, 0x2000\nb, data, phy, 0xA000, 0x1000\n";
    assert_int_equal(esp_pt_parse_csv(overlap, strlen(overlap), 4u << 20, &pt, err, sizeof err), -1);
    assert_non_null(strstr(err, "overlap"));
    const char *too_big = "factory, app, factory, 0x10000, 8M\n";
    assert_int_equal(esp_pt_parse_csv(too_big, strlen(too_big), 4u << 20, &pt, err, sizeof err), -1);
    assert_non_null(strstr(err, "ends past"));
}

static void check_merged(const char *chip_name, uint32_t boot_off)
{
    const struct esp_chip_info *chip = esp_chip_by_name(chip_name);
    size_t elf_len, boot_len;
    uint8_t *elf;
    if (chip->elf_machine == ESP_EM_XTENSA && chip->chip_id == 9) {
        elf = s3_elf(&elf_len, 0);
    } else {
        uint8_t code[512];
        test_fill(code, sizeof code, 9);
        uint32_t ram = chip->chip_id == 0 ? 0x40080000 : 0x40380000;
        uint32_t flash = chip->flash_map[0].start + 0x20;
        struct test_section secs[] = {{".rwtext", ram, code, sizeof code, 6}, {".text", flash, code, sizeof code, 6}};
        elf = test_elf(chip->elf_machine, ram, secs, 2, &elf_len);
    }
    uint8_t *boot = test_bootloader(chip_name, &boot_len);
    struct esp_build_opts o = {.bootloader = boot, .bootloader_len = boot_len, .flash_size = "8MB"};
    struct esp_vec m = {0};
    struct esp_build_result r;
    char err[256];
    if (esp_build_merged(chip, elf, elf_len, &o, &m, &r, err, sizeof err))
        fail_msg("%s: %s", chip_name, err);
    assert_int_equal(r.bootloader_offset, boot_off);
    assert_string_equal(r.flash_mode, "dio");
    assert_string_equal(r.flash_size, "8MB");
    /* 0xFF before the bootloader, bootloader patched (mode dio, 8MB, chip default freq) and still valid */
    for (uint32_t i = 0; i < boot_off; i++)
        assert_int_equal(m.data[i], 0xFF);
    struct walked w;
    walk_and_check(m.data + boot_off, boot_len, &w);
    assert_int_equal(m.data[boot_off + 2], 2);
    assert_int_equal(m.data[boot_off + 3] >> 4, 3);
    assert_int_equal(m.data[boot_off + 3] & 0xF, esp_chip_freq_code(chip, chip->default_flash_freq));
    assert_memory_equal(m.data + boot_off + 24, boot + 24, boot_len - 24 - 32); /* only header + hash changed */
    for (size_t i = boot_off + boot_len; i < 0x8000; i++)
        assert_int_equal(m.data[i], 0xFF);
    /* partition table at 0x8000 names factory at 0x10000 sized for 8 MB */
    assert_int_equal(m.data[0x8000 + 64], 0xAA);
    assert_int_equal(le32(m.data + 0x8000 + 64 + 4), 0x10000);
    assert_int_equal(le32(m.data + 0x8000 + 64 + 8), (8u << 20) - 0x10000);
    /* app at 0x10000 runs to the end */
    walk_and_check(m.data + 0x10000, m.len - 0x10000, &w);
    assert_int_equal(m.data[0x10000 + 12], chip->chip_id);
    assert_int_equal(r.app_offset, 0x10000);
    assert_int_equal(r.app_size, m.len - 0x10000);
    /* describe finds all three parts */
    char *json = NULL;
    assert_int_equal(esp_describe(0, m.data, m.len, &json, err, sizeof err), 0);
    json_error_t je;
    json_t *root = json_loads(json, 0, &je);
    assert_non_null(root);
    assert_string_equal(json_string_value(json_object_get(root, "format")), "esp-idf-merged");
    assert_string_equal(json_string_value(json_object_get(root, "chip")), chip_name);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(root, "bootloader"), "offset")), boot_off);
    assert_int_equal(json_array_size(json_object_get(root, "partition_table")), 3);
    assert_string_equal(json_string_value(json_object_get(json_object_get(root, "app"), "sha256")), "ok");
    assert_true(json_array_size(json_object_get(root, "segments")) >= 2);
    json_decref(root);
    free(json);
    esp_vec_free(&m);
    free(boot);
    free(elf);
}

static void test_merged_image_esp32s3(void **state)
{
    (void)state;
    check_merged("esp32s3", 0x0);
}

static void test_merged_image_esp32(void **state)
{
    (void)state;
    check_merged("esp32", 0x1000);
}

static void test_merged_image_esp32c3(void **state)
{
    (void)state;
    check_merged("esp32c3", 0x0);
}

static void test_build_rejects_bad_inputs(void **state)
{
    (void)state;
    size_t elf_len, boot_len;
    uint8_t *elf = s3_elf(&elf_len, 0);
    uint8_t *boot = test_bootloader("esp32s3", &boot_len);
    const struct esp_chip_info *s3 = esp_chip_by_name("esp32s3");
    struct esp_vec m = {0};
    struct esp_build_result r;
    char err[256];
    struct esp_build_opts o = {.bootloader = boot, .bootloader_len = boot_len, .flash_freq = "60m"};
    assert_int_equal(esp_build_merged(s3, elf, elf_len, &o, &m, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "flash_freq '60m'"));
    o.flash_freq = NULL;
    boot[30] ^= 1; /* corrupt the bootloader: its hash no longer matches */
    assert_int_equal(esp_build_merged(s3, elf, elf_len, &o, &m, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "bootloader"));
    boot[30] ^= 1;
    uint8_t *c3boot;
    size_t c3len;
    c3boot = test_bootloader("esp32c3", &c3len);
    o.bootloader = c3boot;
    o.bootloader_len = c3len;
    assert_int_equal(esp_build_merged(s3, elf, elf_len, &o, &m, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "chip id 5"));
    o.bootloader = boot;
    o.bootloader_len = boot_len;
    o.flash_size = "1MB";
    const char *tiny = "factory, app, factory, 0x10000, 64K\n";
    o.partition_table = (const uint8_t *)tiny;
    o.partition_table_len = strlen(tiny);
    assert_int_equal(esp_build_merged(s3, elf, elf_len, &o, &m, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "does not fit"));
    esp_vec_free(&m);
    free(c3boot);
    free(boot);
    free(elf);
}

/* The same through the plugin's extension, as the core calls it. */
static void test_extension_through_plugin(void **state)
{
    (void)state;
    struct fake_host h;
    fake_host_init(&h);
    struct loaded_plugin p;
    plugin_load(&p, &h);
    const struct espctl_image_format *fmt = p.target->get_extension(p.target->target_data, ESPCTL_EXT_IMAGE_FORMAT);
    assert_non_null(fmt);
    assert_null(p.target->get_extension(p.target->target_data, "espctl.nope/1"));
    char dir[256];
    test_tmpdir(dir);
    size_t elf_len, boot_len;
    uint8_t *elf = s3_elf(&elf_len, 0);
    uint8_t *boot = test_bootloader("esp32s3", &boot_len);
    char boot_path[300], opts[600];
    snprintf(boot_path, sizeof boot_path, "%s/boot.bin", dir);
    assert_int_equal(test_write_file(boot_path, boot, boot_len), 0);
    struct espctl_built_image *img = NULL;
    /* no bootloader anywhere: a clear usage error */
    assert_int_equal(fmt->build(p.target->target_data, "esp32s3", elf, elf_len, "{}", &img), ESPCTL_E_INVAL);
    assert_non_null(strstr(h.last_error, "bootloader"));
    /* unknown option key */
    assert_int_equal(fmt->build(p.target->target_data, "esp32s3", elf, elf_len, "{\"flash_speed\":\"80m\"}", &img),
                     ESPCTL_E_INVAL);
    assert_non_null(strstr(h.last_error, "flash_speed"));
    /* bootloader from the config key */
    fake_host_set(&h, "esp32.bootloader", boot_path);
    snprintf(opts, sizeof opts, "{\"flash_freq\":\"40m\"}");
    assert_int_equal(fmt->build(p.target->target_data, "esp32s3", elf, elf_len, opts, &img), 0);
    assert_int_equal(img->segment_count, 1);
    assert_int_equal(img->segments[0].address, 0);
    json_error_t je;
    json_t *t = json_loads(img->target_json, 0, &je);
    assert_string_equal(json_string_value(json_object_get(t, "kind")), "esp32");
    assert_string_equal(json_string_value(json_object_get(t, "chip")), "esp32s3");
    assert_string_equal(json_string_value(json_object_get(t, "flash_mode")), "dio");
    assert_string_equal(json_string_value(json_object_get(t, "flash_freq")), "40m");
    assert_string_equal(json_string_value(json_object_get(t, "flash_size")), "4MB");
    json_decref(t);
    t = json_loads(img->build_json, 0, &je);
    assert_string_equal(json_string_value(json_object_get(t, "idf_version")), "n/a-rust-no_std");
    json_decref(t);
    char *text = NULL;
    assert_int_equal(fmt->describe(p.target->target_data, 0, img->segments[0].data, img->segments[0].size, &text), 0);
    assert_non_null(strstr(text, "\"esp32s3\""));
    fmt->free_text(p.target->target_data, text);
    /* not an ESP image */
    const uint8_t zeros[64] = {0};
    assert_int_equal(fmt->describe(p.target->target_data, 0x10000, zeros, sizeof zeros, &text), ESPCTL_E_NOT_SUPPORTED);
    fmt->free_image(p.target->target_data, img);
    /* a bad ELF is a format error */
    assert_int_equal(fmt->build(p.target->target_data, "esp32s3", elf, 40, NULL, &img), ESPCTL_E_FORMAT);
    assert_int_equal(fmt->build(p.target->target_data, "stm32g431rb", elf, elf_len, NULL, &img), ESPCTL_E_INVAL);
    free(boot);
    free(elf);
    test_rmtree(dir);
    plugin_unload(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_app_image_layout),
        cmocka_unit_test(test_app_desc_first_with_elf_hash),
        cmocka_unit_test(test_adjacent_sections_merge),
        cmocka_unit_test(test_elf_errors_name_field),
        cmocka_unit_test(test_partition_table_default_binary),
        cmocka_unit_test(test_partition_csv),
        cmocka_unit_test(test_merged_image_esp32s3),
        cmocka_unit_test(test_merged_image_esp32),
        cmocka_unit_test(test_merged_image_esp32c3),
        cmocka_unit_test(test_build_rejects_bad_inputs),
        cmocka_unit_test(test_extension_through_plugin),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
