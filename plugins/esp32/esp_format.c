#include "esp_format.h"

#include "esp_build.h"
#include "esp_env.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BOOTLOADER 0x8000u
#define MAX_PARTITION_FILE 0x10000u

struct built {
    struct espctl_built_image pub;
    struct espctl_segment segment;
    uint8_t *data;
    char *target_json, *build_json;
};

static int read_file(const struct esp_env *env, const char *what, const char *path, size_t max,
                     uint8_t **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return esp_fail(env, errno == ENOENT ? ESPCTL_E_NOT_FOUND : ESPCTL_E_IO, "%s %s: %s", what, path,
                        strerror(errno));
    uint8_t *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    int bad = ferror(f);
    fclose(f);
    if (!buf)
        return esp_fail(env, ESPCTL_E_NOMEM, "%s: out of memory", what);
    if (bad || n > max) {
        free(buf);
        return esp_fail(env, bad ? ESPCTL_E_IO : ESPCTL_E_FORMAT, bad ? "%s %s: read error" : "%s %s: larger than %zu bytes",
                        what, path, max);
    }
    *out = buf;
    *len = n;
    return 0;
}

static const char *const known_keys[] = {"flash_mode", "flash_freq", "flash_size", "bootloader", "partition_table", NULL};

/* Parses options_json into strings owned by *root. */
static int parse_options(const struct esp_env *env, const char *options_json, json_t **root, const char *values[5])
{
    memset(values, 0, 5 * sizeof *values);
    *root = NULL;
    if (!options_json || !*options_json)
        return 0;
    json_error_t je;
    *root = json_loads(options_json, 0, &je);
    if (!*root || !json_is_object(*root))
        return esp_fail(env, ESPCTL_E_INVAL, "build options: not a JSON object (%s at column %d)",
                        *root ? "not an object" : je.text, je.column);
    const char *key;
    json_t *v;
    json_object_foreach(*root, key, v) {
        int idx = -1;
        for (int i = 0; known_keys[i]; i++)
            if (!strcmp(known_keys[i], key))
                idx = i;
        if (idx < 0)
            return esp_fail(env, ESPCTL_E_INVAL, "build options: unknown key '%s' (known: flash_mode, flash_freq, flash_size, bootloader, partition_table)", key);
        if (json_is_null(v))
            continue;
        if (!json_is_string(v))
            return esp_fail(env, ESPCTL_E_INVAL, "build options: '%s' must be a string", key);
        values[idx] = json_string_value(v);
    }
    return 0;
}

static int fmt_build(void *target_data, const char *chip_name, const uint8_t *elf, uint64_t elf_size,
                     const char *options_json, struct espctl_built_image **image)
{
    struct esp_env env = {target_data};
    *image = NULL;
    const struct esp_chip_info *chip = esp_chip_by_name(chip_name);
    if (!chip)
        return esp_fail(&env, ESPCTL_E_INVAL, "build: '%s' is not a chip of the esp32 target (esp32, esp32s2, esp32s3, esp32c2, esp32c3, esp32c6, esp32h2)",
                        chip_name ? chip_name : "(null)");
    json_t *root;
    const char *v[5];
    int rc = parse_options(&env, options_json, &root, v);
    if (rc) {
        json_decref(root);
        return rc;
    }
    if (v[0] && esp_flash_mode_code(v[0]) < 0)
        rc = esp_fail(&env, ESPCTL_E_INVAL, "build: flash_mode '%s' is not one of qio, qout, dio, dout", v[0]);
    else if (v[1] && esp_chip_freq_code(chip, v[1]) < 0)
        rc = esp_fail(&env, ESPCTL_E_INVAL, "build: flash_freq '%s' is not valid for %s", v[1], chip->pretty);
    else if (v[2] && esp_flash_size_code(v[2]) < 0)
        rc = esp_fail(&env, ESPCTL_E_INVAL, "build: flash_size '%s' is not one of 1MB..128MB", v[2]);
    const char *boot_path = v[3] ? v[3] : esp_config(&env, "esp32.bootloader");
    if (!rc && !boot_path)
        rc = esp_fail(&env, ESPCTL_E_INVAL, "build: no second-stage bootloader for %s: pass --bootloader FILE or set esp32.bootloader in the config (espctl ships none)",
                      chip->pretty);
    uint8_t *boot = NULL, *table = NULL;
    size_t boot_len = 0, table_len = 0;
    if (!rc)
        rc = read_file(&env, "bootloader", boot_path, MAX_BOOTLOADER, &boot, &boot_len);
    if (!rc && v[4])
        rc = read_file(&env, "partition table", v[4], MAX_PARTITION_FILE, &table, &table_len);
    struct built *b = NULL;
    if (!rc) {
        struct esp_build_opts o = {v[0], v[1], v[2], boot, boot_len, table, table_len};
        struct esp_vec merged = {0};
        struct esp_build_result res;
        char err[512];
        if (esp_build_merged(chip, elf, (size_t)elf_size, &o, &merged, &res, err, sizeof err)) {
            esp_vec_free(&merged);
            const char *file = !strncmp(err, "bootloader", 10) ? boot_path
                             : !strncmp(err, "partition", 9) ? v[4] : NULL;
            rc = file ? esp_fail(&env, ESPCTL_E_FORMAT, "build: %s: %s", file, err)
                      : esp_fail(&env, ESPCTL_E_FORMAT, "build: %s", err);
        } else if (!(b = calloc(1, sizeof *b))) {
            esp_vec_free(&merged);
            rc = esp_fail(&env, ESPCTL_E_NOMEM, "build: out of memory");
        } else {
            b->data = merged.data;
            b->segment = (struct espctl_segment){0, merged.len, merged.data};
            json_t *t = json_pack("{s:s,s:s,s:s,s:s,s:s}", "kind", "esp32", "chip", chip->name, "flash_mode",
                                  res.flash_mode, "flash_freq", res.flash_freq, "flash_size", res.flash_size);
            b->target_json = t ? json_dumps(t, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
            json_decref(t);
            b->build_json = strdup("{\"idf_version\":\"n/a-rust-no_std\"}");
            b->pub = (struct espctl_built_image){.hdr = ESPCTL_ABI_HDR(struct espctl_built_image), .segment_count = 1,
                                                 .segments = &b->segment, .target_json = b->target_json,
                                                 .build_json = b->build_json};
            if (!b->target_json || !b->build_json)
                rc = esp_fail(&env, ESPCTL_E_NOMEM, "build: out of memory");
        }
    }
    free(boot);
    free(table);
    json_decref(root);
    if (rc && b) {
        free(b->data);
        free(b->target_json);
        free(b->build_json);
        free(b);
        b = NULL;
    }
    if (b)
        *image = &b->pub;
    return rc;
}

static void fmt_free_image(void *target_data, struct espctl_built_image *image)
{
    (void)target_data;
    if (!image)
        return;
    struct built *b = (struct built *)image; /* pub is the first member */
    free(b->data);
    free(b->target_json);
    free(b->build_json);
    free(b);
}

static int fmt_describe(void *target_data, uint64_t address, const uint8_t *data, uint64_t size, char **json)
{
    struct esp_env env = {target_data};
    char err[512];
    int rc = esp_describe(address, data, (size_t)size, json, err, sizeof err);
    if (rc == 1)
        return esp_fail(&env, ESPCTL_E_NOT_SUPPORTED, "describe: the bytes at 0x%llx are not an ESP image",
                        (unsigned long long)address);
    if (rc)
        return esp_fail(&env, ESPCTL_E_FORMAT, "describe: %s", err);
    return 0;
}

static void fmt_free_text(void *target_data, char *text)
{
    (void)target_data;
    free(text);
}

const struct espctl_image_format esp_image_format = {
    .hdr = ESPCTL_ABI_HDR(struct espctl_image_format),
    .build = fmt_build,
    .free_image = fmt_free_image,
    .describe = fmt_describe,
    .free_text = fmt_free_text,
};
