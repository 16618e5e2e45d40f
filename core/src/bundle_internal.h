/*
 * core/src/bundle_internal.h — what the bundle modules share (never installed).
 */
#ifndef ESPCTL_CORE_BUNDLE_INTERNAL_H
#define ESPCTL_CORE_BUNDLE_INTERNAL_H

#include "espctl/bundle.h"
#include "manifest.h"
#include "tar_io.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct espctl_bundle {
    struct core_tar_members members;
    char (*member_sha)[CORE_SHA256_HEX];
    struct core_manifest manifest;
    const struct core_tar_member *manifest_member;
    const struct core_tar_member *signature_member;
};

/** Member by name or NULL. */
const struct core_tar_member *bundle_member(const espctl_bundle *b, const char *name);

/* bundle_file.c */

/** Read a whole file of at most `cap` bytes; `rule` names the limit in messages. */
int bundle_read_file(const char *path, size_t cap, const char *rule, uint8_t **data, size_t *size);

/** A temporary file next to `path`, created 0600; *tmp_path is malloc'd. */
int bundle_temp_create(const char *path, int *fd, char **tmp_path);
/** fchmod to `mode`, fsync, close and rename onto `path`; on failure unlinks. */
int bundle_temp_commit(int fd, char *tmp_path, const char *path, mode_t mode);
/** Close and unlink; frees tmp_path. */
void bundle_temp_discard(int fd, char *tmp_path);
/** Write `data` to `path` through a temporary file (mode after rename). */
int bundle_write_file_atomic(const char *path, const void *data, size_t size, mode_t mode);

/** mkdir -p with `mode` for every created component. */
int bundle_mkdir_p(const char *dir, mode_t mode);

/** mtime for archive entries and created_at: SOURCE_DATE_EPOCH (validated) or
 * `fallback`. ESPCTL_E_CONFIG when the variable is set but not a number. */
int bundle_source_date(int64_t fallback, int64_t *out, int *from_env);

/** Worker threads for compression (online CPUs, 1..4). */
unsigned bundle_threads(void);

/** gzip levels used for bundles: 6 (gzip's default) for everything except the HEX
 * text, a redundant spelling of firmware.bin, which gets 4 (docs/decisions). */
#define BUNDLE_GZIP_LEVEL 6
#define BUNDLE_GZIP_LEVEL_HEX 4

/* bundle_esp.c */

struct espctl_image_format;
struct espctl_built_image;

/** An ESP image built by the esp32 plugin's image format (one segment: the merged image). */
struct bundle_esp_image {
    const struct espctl_image_format *fmt;
    void *target_data;
    struct espctl_built_image *image;
};

/** Build the ESP image of `elf` for `chip` through the loaded esp32 flash target's
 * "espctl.image-format/1" extension, with the ESP fields of `o` as its options. */
int bundle_esp_build(espctl_ctx *ctx, const char *chip, const uint8_t *elf, size_t size,
                     const struct espctl_bundle_create_options *o, struct bundle_esp_image *out);
void bundle_esp_release(struct bundle_esp_image *e);

/* bundle_sbom.c */

/** sbom.json text; deps_json is NULL or the text of an array of {name, version[, purl]}. */
int bundle_sbom_build(const char *deps_path, const char *project, char **out, size_t *size);

/* bundle_pack.c */

/** Write `b`'s members except the signature, plus `signature` when non-NULL, to
 * `out_path` (temp + rename), sorted, with the reproducibility rules. */
int bundle_repack(const espctl_bundle *b, const char *signature, size_t signature_size,
                  const char *out_path);

#endif /* ESPCTL_CORE_BUNDLE_INTERNAL_H */
