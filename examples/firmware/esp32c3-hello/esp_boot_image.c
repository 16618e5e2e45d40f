/* esp-boot-image: wraps the RAM sections of a bootloader ELF into an ESP image (the format the
 * ROM loads a second-stage bootloader in) with the esp32 plugin's own image writer.
 *
 *   esp-boot-image --chip CHIP ELF OUT
 *
 * The image carries the chip's default flash parameters (dio, default size and frequency);
 * `espctl build` patches them to the bundle's settings anyway. Output goes to a temp file that
 * is renamed. Exit codes: 0 written, 1 I/O or image failure, 2 usage or invalid input. */
#include "esp_chip.h"
#include "esp_elf.h"
#include "esp_image.h"
#include "esp_vec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "esp-boot-image: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    uint8_t *data = NULL;
    size_t have = 0, cap = 0;
    for (;;) {
        if (have == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *grown = realloc(data, cap);
            if (!grown) {
                fprintf(stderr, "esp-boot-image: out of memory reading %s\n", path);
                free(data);
                fclose(f);
                return NULL;
            }
            data = grown;
        }
        size_t n = fread(data + have, 1, cap - have, f);
        have += n;
        if (n == 0)
            break;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        fprintf(stderr, "esp-boot-image: %s: read error\n", path);
        free(data);
        return NULL;
    }
    *len = have;
    return data;
}

static int write_file_atomically(const char *path, const uint8_t *data, size_t len)
{
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp) {
        fprintf(stderr, "esp-boot-image: %s: path too long\n", path);
        return -1;
    }
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        fprintf(stderr, "esp-boot-image: %s: %s\n", tmp, strerror(errno));
        return -1;
    }
    int ok = fwrite(data, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        fprintf(stderr, "esp-boot-image: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* The ELF's loadable sections as image segments; a bootloader runs before the flash is mapped,
 * so a section in a flash-mapped range is an error. Returns the count, or -1. */
static int ram_segments(const struct esp_chip_info *chip, const struct esp_elf *elf, const char *path,
                        struct esp_image_seg *segs)
{
    if (elf->chunk_count == 0 || elf->chunk_count > ESP_IMAGE_MAX_SEGMENTS) {
        fprintf(stderr, "esp-boot-image: %s: %u loadable sections (need 1..%d)\n", path,
                elf->chunk_count, ESP_IMAGE_MAX_SEGMENTS);
        return -1;
    }
    for (uint32_t i = 0; i < elf->chunk_count; i++) {
        const struct esp_elf_chunk *c = &elf->chunks[i];
        if (esp_chip_addr_is_flash(chip, c->addr)) {
            fprintf(stderr, "esp-boot-image: %s: section '%s' at 0x%08x is flash-mapped; a bootloader "
                            "must run from RAM\n", path, c->name, c->addr);
            return -1;
        }
        segs[i] = (struct esp_image_seg){c->addr, c->size, c->data};
    }
    return (int)elf->chunk_count;
}

static int build_image(const struct esp_chip_info *chip, const uint8_t *elf_bytes, size_t elf_len,
                       const char *elf_path, struct esp_vec *image)
{
    char err[256];
    struct esp_elf elf = {0};
    if (esp_elf_parse(elf_bytes, elf_len, &elf, err, sizeof err)) {
        fprintf(stderr, "esp-boot-image: %s: %s\n", elf_path, err);
        return 2;
    }
    int rc = 2;
    struct esp_image_seg segs[ESP_IMAGE_MAX_SEGMENTS];
    int count;
    if (elf.machine != chip->elf_machine) {
        fprintf(stderr, "esp-boot-image: %s: e_machine %u is not %s's (%u)\n", elf_path, elf.machine,
                chip->pretty, chip->elf_machine);
    } else if ((count = ram_segments(chip, &elf, elf_path, segs)) > 0) {
        struct esp_image_params params = {
            .chip = chip,
            .flash_mode = (uint8_t)esp_flash_mode_code("dio"),
            .size_code = (uint8_t)esp_flash_size_code_for_bytes(chip->default_flash_size),
            .freq_code = (uint8_t)esp_chip_freq_code(chip, chip->default_flash_freq),
            .entry = elf.entry,
        };
        rc = esp_image_write_plain(&params, segs, (uint32_t)count, image, err, sizeof err) ? 1 : 0;
        if (rc)
            fprintf(stderr, "esp-boot-image: %s\n", err);
    }
    esp_elf_free(&elf);
    return rc;
}

/* The writer's output must parse as a valid image: checked before anything is written. */
static int check_image(const struct esp_vec *image)
{
    char err[256];
    struct esp_image_info info;
    if (esp_image_parse(image->data, image->len, &info, err, sizeof err)) {
        fprintf(stderr, "esp-boot-image: the written image does not parse: %s\n", err);
        return -1;
    }
    if (!esp_image_valid(&info)) {
        fprintf(stderr, "esp-boot-image: the written image has a bad checksum or hash\n");
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 5 || strcmp(argv[1], "--chip") != 0) {
        fprintf(stderr, "usage: esp-boot-image --chip CHIP ELF OUT\n");
        return 2;
    }
    const struct esp_chip_info *chip = esp_chip_by_name(argv[2]);
    if (!chip) {
        fprintf(stderr, "esp-boot-image: --chip: unknown chip '%s'\n", argv[2]);
        return 2;
    }
    if (esp_flash_size_code_for_bytes(chip->default_flash_size) < 0 ||
        esp_chip_freq_code(chip, chip->default_flash_freq) < 0) {
        fprintf(stderr, "esp-boot-image: %s: no default flash parameters\n", chip->pretty);
        return 2;
    }
    size_t elf_len = 0;
    uint8_t *elf_bytes = read_file(argv[3], &elf_len);
    if (!elf_bytes)
        return 1;
    struct esp_vec image = {0};
    int rc = build_image(chip, elf_bytes, elf_len, argv[3], &image);
    if (rc == 0 && image.failed) {
        fprintf(stderr, "esp-boot-image: out of memory\n");
        rc = 1;
    }
    if (rc == 0 && (check_image(&image) || write_file_atomically(argv[4], image.data, image.len)))
        rc = 1;
    esp_vec_free(&image);
    free(elf_bytes);
    return rc;
}
