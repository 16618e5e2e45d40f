#include "esp_build.h"

#include "esp_elf.h"
#include "esp_image.h"
#include "esp_parttable.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static int load_partition_table(const struct esp_build_opts *o, uint32_t flash_size, struct esp_pt *pt,
                                char *err, size_t errlen)
{
    if (!o->partition_table) {
        esp_pt_default(pt, flash_size);
        return 0;
    }
    if (o->partition_table_len >= 2 && o->partition_table[0] == 0xAA && o->partition_table[1] == 0x50)
        return esp_pt_parse_bin(o->partition_table, o->partition_table_len, pt, err, errlen);
    return esp_pt_parse_csv((const char *)o->partition_table, o->partition_table_len, flash_size, pt,
                            err, errlen);
}

static int resolve_flash_params(const struct esp_chip_info *chip, const struct esp_build_opts *o,
                                struct esp_image_params *p, struct esp_build_result *r, char *err,
                                size_t errlen)
{
    r->flash_mode = o->flash_mode ? o->flash_mode : "dio";
    r->flash_freq = o->flash_freq ? o->flash_freq : chip->default_flash_freq;
    r->flash_size = o->flash_size ? o->flash_size : esp_flash_size_name((uint8_t)esp_flash_size_code_for_bytes(chip->default_flash_size));
    int mode = esp_flash_mode_code(r->flash_mode);
    if (mode < 0)
        return fail(err, errlen, "flash_mode '%s' is not one of qio, qout, dio, dout", r->flash_mode);
    int freq = esp_chip_freq_code(chip, r->flash_freq);
    if (freq < 0) {
        char valid[64] = "";
        for (const struct esp_freq_code *f = chip->freqs; f->name; f++)
            snprintf(valid + strlen(valid), sizeof valid - strlen(valid), "%s%s", valid[0] ? ", " : "", f->name);
        return fail(err, errlen, "flash_freq '%s' is not valid for %s (valid: %s)", r->flash_freq, chip->pretty, valid);
    }
    int size = esp_flash_size_code(r->flash_size);
    if (size < 0)
        return fail(err, errlen, "flash_size '%s' is not one of 1MB, 2MB, 4MB, 8MB, 16MB, 32MB, 64MB, 128MB", r->flash_size);
    *p = (struct esp_image_params){.chip = chip, .flash_mode = (uint8_t)mode, .size_code = (uint8_t)size,
                                   .freq_code = (uint8_t)freq};
    return 0;
}

int esp_build_merged(const struct esp_chip_info *chip, const uint8_t *elf_bytes, size_t elf_size,
                     const struct esp_build_opts *o, struct esp_vec *merged,
                     struct esp_build_result *r, char *err, size_t errlen)
{
    struct esp_image_params p;
    memset(r, 0, sizeof *r);
    if (resolve_flash_params(chip, o, &p, r, err, errlen))
        return -1;
    uint32_t flash_bytes = esp_flash_size_bytes(p.size_code);
    if (!o->bootloader)
        return fail(err, errlen, "no bootloader image given");
    struct esp_image_info boot;
    char sub[256];
    if (esp_image_parse(o->bootloader, o->bootloader_len, &boot, sub, sizeof sub))
        return fail(err, errlen, "bootloader: %s", sub);
    if (!esp_image_valid(&boot))
        return fail(err, errlen, "bootloader: %s does not match its contents",
                    boot.checksum != boot.computed_checksum ? "checksum byte" : "appended SHA-256");
    if (boot.chip_id != chip->chip_id)
        return fail(err, errlen, "bootloader: image chip id %u (offset 12) is not %s's %u", boot.chip_id,
                    chip->pretty, chip->chip_id);
    if (chip->bootloader_offset + (uint64_t)boot.length > ESP_PT_OFFSET)
        return fail(err, errlen, "bootloader: %u bytes at 0x%x run into the partition table at 0x8000",
                    boot.length, chip->bootloader_offset);
    struct esp_pt pt;
    if (load_partition_table(o, flash_bytes, &pt, sub, sizeof sub))
        return fail(err, errlen, "%s", sub);
    const struct esp_partition *app = esp_pt_app(&pt);
    if (!app)
        return fail(err, errlen, "partition table: no app partition");

    struct esp_elf elf;
    if (esp_elf_parse(elf_bytes, elf_size, &elf, sub, sizeof sub))
        return fail(err, errlen, "%s", sub);
    if (elf.machine != chip->elf_machine) {
        esp_elf_free(&elf);
        return fail(err, errlen, "ELF e_machine %u (offset 18) is not %s's %u (%s)", elf.machine, chip->pretty,
                    chip->elf_machine, chip->elf_machine == 94 ? "Xtensa" : "RISC-V");
    }
    p.entry = elf.entry;
    struct esp_vec image = {0};
    int rc = esp_image_build_app(&p, &elf, elf_bytes, elf_size, &image, sub, sizeof sub);
    esp_elf_free(&elf);
    if (rc) {
        esp_vec_free(&image);
        return fail(err, errlen, "%s", sub);
    }
    if (image.len > app->size) {
        fail(err, errlen, "app image of %zu bytes does not fit partition '%s' (0x%x bytes)", image.len, app->label, app->size);
        esp_vec_free(&image);
        return -1;
    }
    uint8_t table[ESP_PT_SIZE];
    if (esp_pt_to_bin(&pt, table)) {
        esp_vec_free(&image);
        return fail(err, errlen, "partition table: MD5 failed");
    }
    esp_vec_fill(merged, 0xFF, (size_t)app->offset + image.len);
    if (merged->failed) {
        esp_vec_free(&image);
        return fail(err, errlen, "out of memory");
    }
    memcpy(merged->data + chip->bootloader_offset, o->bootloader, boot.length);
    rc = esp_image_patch_flash_params(merged->data + chip->bootloader_offset, boot.length, p.flash_mode,
                                      p.size_code, p.freq_code, sub, sizeof sub);
    memcpy(merged->data + ESP_PT_OFFSET, table, sizeof table);
    memcpy(merged->data + app->offset, image.data, image.len);
    r->bootloader_offset = chip->bootloader_offset;
    r->app_offset = app->offset;
    r->app_size = (uint32_t)image.len;
    esp_vec_free(&image);
    return rc ? fail(err, errlen, "bootloader: %s", sub) : 0;
}

/* ---- describe ---- */

static json_t *hex32(uint32_t v)
{
    char buf[16];
    snprintf(buf, sizeof buf, "0x%08x", v);
    return json_string(buf);
}

static const char *segment_kind(const struct esp_chip_info *chip, uint32_t addr)
{
    if (addr == 0)
        return "padding";
    if (!chip)
        return "unknown";
    if (addr >= chip->flash_map[0].start && addr < chip->flash_map[0].end)
        return "irom";
    if (addr >= chip->flash_map[1].start && addr < chip->flash_map[1].end)
        return "drom";
    return "ram";
}

static json_t *image_json(uint64_t address, const struct esp_image_info *info)
{
    const struct esp_chip_info *chip = esp_chip_by_id(info->chip_id);
    json_t *o = json_object();
    json_object_set_new(o, "offset", json_integer((json_int_t)address));
    json_object_set_new(o, "chip", chip ? json_string(chip->name) : json_null());
    json_object_set_new(o, "chip_id", json_integer(info->chip_id));
    json_object_set_new(o, "entry", hex32(info->entry));
    const char *mode = esp_flash_mode_name(info->flash_mode);
    const char *size = esp_flash_size_name(info->size_code);
    const char *freq = chip ? esp_chip_freq_name(chip, info->freq_code) : NULL;
    json_object_set_new(o, "flash_mode", mode ? json_string(mode) : json_integer(info->flash_mode));
    json_object_set_new(o, "flash_size", size ? json_string(size) : json_integer(info->size_code));
    json_object_set_new(o, "flash_freq", freq ? json_string(freq) : json_integer(info->freq_code));
    json_object_set_new(o, "min_chip_rev_full", json_integer(info->min_chip_rev_full));
    json_object_set_new(o, "max_chip_rev_full", json_integer(info->max_chip_rev_full));
    json_object_set_new(o, "size", json_integer(info->length));
    json_object_set_new(o, "checksum_ok", json_boolean(info->checksum == info->computed_checksum));
    json_object_set_new(o, "sha256", info->sha256_ok < 0 ? json_string("absent")
                                                         : json_string(info->sha256_ok ? "ok" : "mismatch"));
    json_t *segs = json_array();
    for (unsigned i = 0; i < info->segment_count; i++) {
        const struct esp_image_seg_info *s = &info->segs[i];
        json_array_append_new(segs, json_pack("{s:o,s:I,s:I,s:s}", "address", hex32(s->addr), "size",
                                              (json_int_t)s->size, "file_offset", (json_int_t)s->file_offset,
                                              "kind", segment_kind(chip, s->addr)));
    }
    json_object_set_new(o, "segments", segs);
    return o;
}

static json_t *table_json(const struct esp_pt *pt)
{
    json_t *a = json_array();
    for (unsigned i = 0; i < pt->count; i++) {
        const struct esp_partition *e = &pt->entries[i];
        const char *t = esp_pt_type_name(e->type), *st = esp_pt_subtype_name(e->type, e->subtype);
        json_array_append_new(a, json_pack("{s:s,s:o,s:o,s:I,s:I,s:I}", "label", e->label, "type",
                                           t ? json_string(t) : json_integer(e->type), "subtype",
                                           st ? json_string(st) : json_integer(e->subtype), "offset",
                                           (json_int_t)e->offset, "size", (json_int_t)e->size, "flags",
                                           (json_int_t)e->flags));
    }
    return a;
}

static int describe_merged(const uint8_t *data, size_t size, json_t *root, char *err, size_t errlen)
{
    static const uint32_t boot_offsets[] = {0x0, 0x1000, 0x2000};
    struct esp_image_info boot;
    size_t boot_off = SIZE_MAX;
    char sub[256];
    for (size_t i = 0; i < 3 && boot_off == SIZE_MAX; i++)
        if (boot_offsets[i] < size && data[boot_offsets[i]] == ESP_IMAGE_MAGIC &&
            esp_image_parse(data + boot_offsets[i], size - boot_offsets[i], &boot, sub, sizeof sub) == 0)
            boot_off = boot_offsets[i];
    if (boot_off == SIZE_MAX || size < ESP_PT_OFFSET + 32 || data[ESP_PT_OFFSET] != 0xAA)
        return 1;
    struct esp_pt pt;
    size_t pt_len = size - ESP_PT_OFFSET < ESP_PT_SIZE ? size - ESP_PT_OFFSET : ESP_PT_SIZE;
    if (esp_pt_parse_bin(data + ESP_PT_OFFSET, pt_len, &pt, sub, sizeof sub))
        return fail(err, errlen, "merged image: %s (table at 0x8000)", sub);
    json_object_set_new(root, "format", json_string("esp-idf-merged"));
    json_object_set_new(root, "bootloader", image_json(boot_off, &boot));
    json_object_set_new(root, "partition_table", table_json(&pt));
    const struct esp_partition *app = esp_pt_app(&pt);
    if (app && app->offset < size && data[app->offset] == ESP_IMAGE_MAGIC) {
        struct esp_image_info info;
        if (esp_image_parse(data + app->offset, size - app->offset, &info, sub, sizeof sub))
            return fail(err, errlen, "app image at 0x%x: %s", app->offset, sub);
        json_t *img = image_json(app->offset, &info);
        json_object_set(root, "chip", json_object_get(img, "chip"));
        json_object_set(root, "entry", json_object_get(img, "entry"));
        json_object_set(root, "segments", json_object_get(img, "segments"));
        json_object_set_new(root, "app", img);
    } else {
        json_object_set_new(root, "app", json_null());
    }
    return 0;
}

int esp_describe(uint64_t address, const uint8_t *data, size_t size, char **json, char *err, size_t errlen)
{
    *json = NULL;
    json_t *root = json_object();
    int rc = 1;
    if (address == 0)
        rc = describe_merged(data, size, root, err, errlen);
    if (rc == 1 && size && data[0] == ESP_IMAGE_MAGIC) {
        struct esp_image_info info;
        char sub[256];
        if (esp_image_parse(data, size, &info, sub, sizeof sub)) {
            rc = fail(err, errlen, "image at 0x%llx: %s", (unsigned long long)address, sub);
        } else {
            json_t *img = image_json(address, &info);
            json_object_set_new(root, "format", json_string("esp-idf-image"));
            json_object_set(root, "chip", json_object_get(img, "chip"));
            json_object_set(root, "entry", json_object_get(img, "entry"));
            json_object_set(root, "segments", json_object_get(img, "segments"));
            json_object_set_new(root, "image", img);
            rc = 0;
        }
    }
    if (rc == 0) {
        *json = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (!*json)
            rc = fail(err, errlen, "out of memory");
    }
    json_decref(root);
    return rc;
}
