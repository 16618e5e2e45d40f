/*
 * core/src/manifest.h — manifest.json v1: building and strict parsing.
 * Field-by-field description: docs/bundle-format.md; schema:
 * docs/schema/manifest-v1.schema.json.
 */
#ifndef ESPCTL_CORE_MANIFEST_H
#define ESPCTL_CORE_MANIFEST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define CORE_SHA256_HEX 65 /* 64 digits + NUL */

struct core_manifest_segment {
    uint64_t offset;
    uint64_t size;
    const char *file;
    const char *sha256;
};

struct core_manifest_file {
    const char *path;
    uint64_t size;
    const char *sha256;
};

/** A parsed manifest. Strings point into `root`; NULL when the field is null. */
struct core_manifest {
    json_t *root;
    int schema_version;
    const char *job_id, *project, *ref, *idf_version, *build_target, *created_at;
    const char *kind, *chip, *probe_rs_chip, *elf;           /* target (cortexm) */
    const char *flash_mode, *flash_freq, *flash_size;        /* target (esp32) */
    const char *provenance, *build_meta, *sbom_file, *signature_file;
    struct core_manifest_segment *segments;
    size_t segment_count;
    struct core_manifest_file *files;
    size_t file_count;
};

/** Parse and validate `size` bytes (name used in messages). ESPCTL_E_FORMAT naming
 * the field on any deviation from v1. */
int core_manifest_parse(struct core_manifest *m, const char *data, size_t size);
void core_manifest_release(struct core_manifest *m);

/** What core_manifest_build needs for a cortexm (or, with target_json, esp32) bundle. */
struct core_manifest_input {
    const char *job_id, *project, *ref, *chip, *probe_rs_chip, *created_at, *build_meta;
    uint64_t image_offset;
    const struct core_manifest_file *files; /* bin, elf, hex, sbom — any order */
    size_t file_count;
    /** ESP bundles: the target object as JSON text (from the esp32 plugin's image
     * format) replacing the cortexm one, and build.idf_version; NULL otherwise. */
    const char *target_json;
    const char *idf_version;
};

/** Serialise (sorted keys, 2-space indent, trailing newline); *out is malloc'd. */
int core_manifest_build(const struct core_manifest_input *in, char **out, size_t *size);

/** Non-zero when `path` is one of the member names manifest v1 allows. */
int core_manifest_known_member(const char *path);

/** Lower-case hex of a 32-byte digest into out[65]. */
void core_sha256_hex(const unsigned char digest[32], char out[CORE_SHA256_HEX]);

#endif /* ESPCTL_CORE_MANIFEST_H */
