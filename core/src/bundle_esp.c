/* The ESP path of espctl_bundle_create: the esp32 flash target's "espctl.image-format/1"
 * extension turns the ELF into the merged flash image and the manifest's target object. */
#include "bundle_internal.h"

#include "core_ctx.h"
#include "internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* The loaded esp32 flash target's image-format extension, or NULL. */
static const struct espctl_image_format *esp_format(const espctl_ctx *ctx, void **target_data)
{
    for (uint32_t i = 0; ctx && i < ctx->flash_targets.count; i++) {
        const struct core_component *c = ctx->flash_targets.items[i];
        if (!c->name || strcmp(c->name, "esp32") != 0)
            continue;
        const struct espctl_flash_target *t = &c->vtable.flash_target;
        const struct espctl_image_format *fmt =
            t->get_extension ? t->get_extension(t->target_data, ESPCTL_EXT_IMAGE_FORMAT) : NULL;
        if (!fmt || fmt->hdr.abi_major != ESPCTL_PLUGIN_ABI_MAJOR ||
            fmt->hdr.struct_size < offsetof(struct espctl_image_format, free_text) + sizeof fmt->free_text ||
            !fmt->build || !fmt->free_image || !fmt->describe || !fmt->free_text)
            return NULL;
        *target_data = t->target_data;
        return fmt;
    }
    return NULL;
}

static int add_option(json_t *o, const char *key, const char *value)
{
    return value ? json_object_set_new(o, key, json_string(value)) : 0;
}

int bundle_esp_build(espctl_ctx *ctx, const char *chip, const uint8_t *elf, size_t size,
                     const struct espctl_bundle_create_options *o, struct bundle_esp_image *out)
{
    memset(out, 0, sizeof *out);
    void *target_data = NULL;
    const struct espctl_image_format *fmt = esp_format(ctx, &target_data);
    if (!fmt)
        return core_error(ESPCTL_E_NOT_FOUND, "target \"%s\": rule esp32-target: no loaded plugin builds ESP images "
                          "(is the esp32 plugin installed?)", chip);
    json_t *opts = json_object();
    int bad = !opts || add_option(opts, "bootloader", o->bootloader_path) ||
              add_option(opts, "partition_table", o->partition_table_path) ||
              add_option(opts, "flash_mode", o->flash_mode) || add_option(opts, "flash_freq", o->flash_freq) ||
              add_option(opts, "flash_size", o->flash_size);
    char *text = bad ? NULL : json_dumps(opts, JSON_COMPACT);
    json_decref(opts);
    if (!text)
        return core_error(ESPCTL_E_INVAL, "target \"%s\": image options are not valid UTF-8", chip);
    struct espctl_built_image *img = NULL;
    int rc = fmt->build(target_data, chip, elf, size, text, &img);
    free(text);
    if (rc) {
        /* the plugin set the detail; name the ELF when the ELF is what it rejects */
        const char *detail = espctl_last_error();
        if (strstr(detail, "ELF") && o->elf_path) {
            char *copy = strdup(detail);
            if (copy)
                core_error(rc, "%s: %s", o->elf_path, copy);
            free(copy);
        }
        return rc;
    }
    if (!img || img->segment_count != 1 || !img->segments || !img->target_json) {
        if (img)
            fmt->free_image(target_data, img);
        return core_error(ESPCTL_E_OTHER, "target \"%s\": the esp32 image format returned no single image", chip);
    }
    out->fmt = fmt;
    out->target_data = target_data;
    out->image = img;
    return 0;
}

void bundle_esp_release(struct bundle_esp_image *e)
{
    if (e->image)
        e->fmt->free_image(e->target_data, e->image);
    memset(e, 0, sizeof *e);
}

int espctl_bundle_describe_segment(espctl_ctx *ctx, const espctl_bundle *bundle, uint32_t index, char **json)
{
    if (!bundle || !json)
        return core_error(ESPCTL_E_INVAL, "espctl_bundle_describe_segment: NULL argument");
    *json = NULL;
    struct espctl_bundle_info info = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_info)};
    int rc = espctl_bundle_get_info(bundle, &info);
    if (rc)
        return rc;
    if (!info.target_kind || strcmp(info.target_kind, "esp32") != 0)
        return core_error(ESPCTL_E_NOT_SUPPORTED, "describe: only ESP images are described (target '%s')",
                          info.target_kind ? info.target_kind : "?");
    struct espctl_bundle_segment seg = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_segment)};
    const void *data = NULL;
    uint64_t size = 0;
    if ((rc = espctl_bundle_get_segment(bundle, index, &seg)) ||
        (rc = espctl_bundle_member_data(bundle, seg.file, &data, &size)))
        return rc;
    void *target_data = NULL;
    const struct espctl_image_format *fmt = esp_format(ctx, &target_data);
    if (!fmt)
        return core_error(ESPCTL_E_NOT_SUPPORTED, "describe: no loaded plugin describes ESP images");
    char *text = NULL;
    rc = fmt->describe(target_data, seg.offset, data, size < seg.size ? size : seg.size, &text);
    if (rc)
        return rc;
    *json = text ? strdup(text) : NULL;
    fmt->free_text(target_data, text);
    return *json ? 0 : core_error(ESPCTL_E_NOMEM, "describe: out of memory");
}

void espctl_bundle_text_free(char *text)
{
    free(text);
}
