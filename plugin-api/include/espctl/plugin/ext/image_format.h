/*
 * espctl/plugin/ext/image_format.h — extension "espctl.image-format/1" of a flash target.
 *
 * A flash target whose chips need a firmware image format of their own (ESP-IDF app
 * images for the esp32 target) offers this through get_extension(). The core uses it
 * to build a bundle from an ELF (`espctl build --rust-elf ELF --target CHIP`) and to
 * describe images in `espctl bundle inspect`.
 *
 * Threading: [thread-safe]; results belong to the caller and are released with
 * free_image / free_text.
 */
#ifndef ESPCTL_PLUGIN_EXT_IMAGE_FORMAT_H
#define ESPCTL_PLUGIN_EXT_IMAGE_FORMAT_H

#include "espctl/common.h"
#include "espctl/plugin/target.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ESPCTL_EXT_IMAGE_FORMAT "espctl.image-format/1"

/** Result of build(): flash segments plus the manifest's target object. */
struct espctl_built_image {
    struct espctl_abi_hdr hdr;
    uint32_t segment_count;
    uint32_t reserved;
    /** Segments in address order; data owned by the image until free_image. */
    const struct espctl_segment *segments;
    /** The manifest "target" object as JSON text ({"kind":"esp32","chip":...}). */
    const char *target_json;
    /** Toolchain/build facts for the manifest's build block as JSON text, or NULL. */
    const char *build_json;
};

struct espctl_image_format {
    struct espctl_abi_hdr hdr;
    /**
     * Turn an ELF into flash segments for `chip`.
     * options_json: a JSON object of build options (e.g. {"flash_mode":"dio",
     * "flash_freq":"80m","flash_size":"4MB","bootloader":"/path","partition_table":
     * "/path"}); unknown keys are an error (ESPCTL_E_INVAL naming the key).
     * Errors name the rule and the ELF field/offset (ESPCTL_E_FORMAT for bad input).
     */
    int (*build)(void *target_data, const char *chip, const uint8_t *elf, uint64_t elf_size,
                 const char *options_json, struct espctl_built_image **image);
    void (*free_image)(void *target_data, struct espctl_built_image *image);

    /**
     * Describe a firmware image (e.g. a merged flash image at `address`) as JSON text
     * ({"chip":...,"entry":...,"segments":[...]}) for `bundle inspect`. Returns
     * ESPCTL_E_NOT_SUPPORTED when the bytes are not an image of this format.
     */
    int (*describe)(void *target_data, uint64_t address, const uint8_t *data, uint64_t size,
                    char **json);
    void (*free_text)(void *target_data, char *text);
};

#ifdef __cplusplus
}
#endif

#endif /* ESPCTL_PLUGIN_EXT_IMAGE_FORMAT_H */
