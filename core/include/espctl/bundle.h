/*
 * espctl/bundle.h — the flash bundle part of the front-end ABI.
 *
 * A flash bundle (`*.tar.gz`) carries manifest.json, files/firmware.{elf,bin,hex},
 * sbom.json and, when signed, manifest.json.sig (Ed25519 over the exact bytes of
 * manifest.json). The format is specified in docs/bundle-format.md.
 *
 * Conventions are those of espctl.h: opaque handles, int returns (0 or a negative
 * espctl_error with detail in espctl_last_error()), option/info structs that start
 * with struct espctl_abi_hdr (initialise with ESPCTL_ABI_HDR), borrowed UTF-8
 * strings that live as long as the object they came from. `ctx` may be NULL in
 * every call that takes one: then no events are emitted and nothing is read from
 * the configuration.
 */
#ifndef ESPCTL_BUNDLE_H
#define ESPCTL_BUNDLE_H

#include "espctl/espctl.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Member names inside a bundle. */
#define ESPCTL_BUNDLE_MANIFEST "manifest.json"
#define ESPCTL_BUNDLE_SIGNATURE "manifest.json.sig"
#define ESPCTL_BUNDLE_SBOM "sbom.json"
#define ESPCTL_BUNDLE_ELF "files/firmware.elf"
#define ESPCTL_BUNDLE_BIN "files/firmware.bin"
#define ESPCTL_BUNDLE_HEX "files/firmware.hex"

/** Limits enforced when creating and reading bundles (bytes). */
#define ESPCTL_BUNDLE_MAX_ELF (16u * 1024u * 1024u)
#define ESPCTL_BUNDLE_MAX_BIN (32u * 1024u * 1024u)
#define ESPCTL_BUNDLE_MAX_HEX (96u * 1024u * 1024u)
#define ESPCTL_BUNDLE_MAX_MANIFEST (1024u * 1024u)
#define ESPCTL_BUNDLE_MAX_SBOM (1024u * 1024u)
#define ESPCTL_BUNDLE_MAX_SIGNATURE 4096u
#define ESPCTL_BUNDLE_MAX_BUILD_META (64u * 1024u)
#define ESPCTL_BUNDLE_MAX_TOTAL (128u * 1024u * 1024u)

/* ---- creating ------------------------------------------------------------- */

/** What espctl_bundle_create builds (path C: a client-built Cortex-M ELF). */
struct espctl_bundle_create_options {
    struct espctl_abi_hdr hdr;
    /** The ELF to package (required). */
    const char *elf_path;
    /** Chip name from the chip table, e.g. "STM32G431RB" (required). */
    const char *chip;
    /** Output file; NULL → "<elf basename without .elf>-flash-bundle.tar.gz" next to the ELF. */
    const char *out_path;
    /** File whose text becomes build_meta (≤ 64 KiB, UTF-8), or NULL. */
    const char *build_meta_path;
    /** build.project; NULL → the ELF basename without extension. */
    const char *project;
    /** Ed25519 private key (PEM); NULL → config "keys.signing_key"; none → unsigned. */
    const char *sign_key_path;
    /** JSON file with an array of {"name","version"[,"purl"]} for sbom.json, or NULL. */
    const char *dependencies_path;
    /* Appended for ESP chips (the esp32 plugin's image format); ignored for Cortex-M. */
    /** Second-stage bootloader image; NULL → config "esp32.bootloader". */
    const char *bootloader_path;
    /** Partition table, CSV or binary; NULL → the single-app default layout. */
    const char *partition_table_path;
    /** "qio", "qout", "dio" or "dout"; NULL → "dio". */
    const char *flash_mode;
    /** SPI flash frequency such as "80m"; NULL → the chip's default. */
    const char *flash_freq;
    /** Flash size such as "4MB"; NULL → the chip's default. */
    const char *flash_size;
};

/** What espctl_bundle_create did. */
struct espctl_bundle_create_result {
    struct espctl_abi_hdr hdr;
    /** Path of the bundle written. */
    char path[ESPCTL_PATH_SIZE];
    /** Non-zero when a manifest.json.sig was added. */
    int32_t is_signed;
    /** Size of firmware.bin and its load address. */
    uint64_t image_size;
    uint64_t image_address;
    /** Size of the bundle file. */
    uint64_t bundle_size;
};

/**
 * Build a bundle from an ELF. Pre-flight of the ELF (magic, 32-bit, little-endian,
 * EM_ARM, ≤ 16 MiB, headers inside the file, no overlapping loadable ranges) and of
 * every other input happens before anything is written; failures return
 * ESPCTL_E_FORMAT (the ELF; detail names rule, field and offset) / ESPCTL_E_INVAL
 * (build meta over 64 KiB or not text, bad ESP image options, unwritable output directory) /
 * ESPCTL_E_NOT_FOUND (missing input, unknown chip: detail lists close matches) /
 * ESPCTL_E_CONFIG (malformed SOURCE_DATE_EPOCH); ESPCTL_E_IO for failures while writing. The bundle is written to a temporary file in the destination
 * directory and renamed; on failure no output file remains. Emits stage events
 * "read-elf", "convert", "hash", "sign", "write". With SOURCE_DATE_EPOCH set, the
 * output is byte-identical for identical inputs. `result` may be NULL.
 */
ESPCTL_API int espctl_bundle_create(espctl_ctx *ctx, const struct espctl_bundle_create_options *opts,
                                    struct espctl_bundle_create_result *result);

/* ---- reading -------------------------------------------------------------- */

typedef struct espctl_bundle espctl_bundle;

/** Options of espctl_bundle_open; NULL means defaults. */
struct espctl_bundle_open_options {
    struct espctl_abi_hdr hdr;
    /** Cap on the total uncompressed size; 0 → ESPCTL_BUNDLE_MAX_TOTAL. */
    uint64_t max_total_size;
};

/**
 * Read a bundle into memory and check it: every member is a regular file with a
 * known name (no "..", absolute paths, links, devices, duplicates), under its size
 * cap, the total under the total cap; manifest.json parses as manifest v1; every
 * member listed in the manifest is present with the listed size and SHA-256.
 * Failures: ESPCTL_E_FORMAT (structure; detail names the member and the rule),
 * ESPCTL_E_INTEGRITY (hash or size mismatch; detail names the member), ESPCTL_E_IO.
 */
ESPCTL_API int espctl_bundle_open(espctl_ctx *ctx, const char *path,
                                  const struct espctl_bundle_open_options *opts,
                                  espctl_bundle **bundle);
/** Same as espctl_bundle_open for a bundle held in memory (copied). */
ESPCTL_API int espctl_bundle_open_memory(espctl_ctx *ctx, const void *data, size_t size,
                                         const struct espctl_bundle_open_options *opts,
                                         espctl_bundle **bundle);
/** Release a bundle. NULL is a no-op. */
ESPCTL_API void espctl_bundle_free(espctl_bundle *bundle);

/** The manifest's main fields. Strings borrowed from the bundle; NULL when absent. */
struct espctl_bundle_info {
    struct espctl_abi_hdr hdr;
    int32_t schema_version;
    /** target.kind: "cortexm" or "esp32". */
    const char *target_kind;
    const char *chip;
    /** cortexm only. */
    const char *probe_rs_chip;
    const char *project;
    const char *ref;
    const char *job_id;
    const char *created_at;
    const char *build_provenance;
    const char *build_meta;
    uint32_t segment_count;
    uint32_t member_count;
    /** Non-zero when the bundle carries manifest.json.sig (not yet verified). */
    int32_t has_signature;
    /** Exact bytes of manifest.json (not NUL-terminated) and their length. */
    const char *manifest_json;
    uint64_t manifest_size;
};

/** Fill *info (the caller sets info->hdr). */
ESPCTL_API int espctl_bundle_get_info(const espctl_bundle *bundle, struct espctl_bundle_info *info);

/** One flash segment of the manifest. */
struct espctl_bundle_segment {
    struct espctl_abi_hdr hdr;
    uint64_t offset;
    uint64_t size;
    /** Member path, e.g. "files/firmware.bin". */
    const char *file;
    /** 64 lower-case hex digits. */
    const char *sha256;
};

ESPCTL_API int espctl_bundle_get_segment(const espctl_bundle *bundle, uint32_t index,
                                         struct espctl_bundle_segment *segment);

/** One member of the archive, in archive order. */
struct espctl_bundle_member {
    struct espctl_abi_hdr hdr;
    const char *name;
    uint64_t size;
    /** SHA-256 of the member (computed on open), 64 hex digits. */
    const char *sha256;
};

ESPCTL_API int espctl_bundle_get_member(const espctl_bundle *bundle, uint32_t index,
                                        struct espctl_bundle_member *member);

/** Borrow a member's bytes by name; ESPCTL_E_NOT_FOUND when absent. */
ESPCTL_API int espctl_bundle_member_data(const espctl_bundle *bundle, const char *name,
                                         const void **data, uint64_t *size);

/** Write member `name` to `dest_path` (temp file + rename, mode 0644). */
ESPCTL_API int espctl_bundle_extract(const espctl_bundle *bundle, const char *name,
                                     const char *dest_path);

/* ---- signatures and trust -------------------------------------------------- */

/** What espctl_bundle_verify found. */
struct espctl_bundle_verify_result {
    struct espctl_abi_hdr hdr;
    /** Key id of the signer (first 16 bytes of SHA-256 of the raw public key, hex). */
    char key_id[33];
    /** Trusted key file that matched, "" when none. */
    char trusted_key[ESPCTL_PATH_SIZE];
};

/**
 * Check the signature of an opened bundle and whether its key is trusted.
 * `trusted_dir` NULL → config "keys.trusted_dir", else (only when ctx is non-NULL)
 * $XDG_CONFIG_HOME/espctl/trusted-keys (~/.config/espctl/trusted-keys). Returns 0 when the signature is
 * valid and made by a key in the trusted directory (a *.pem public key file);
 * ESPCTL_E_UNSIGNED when there is no manifest.json.sig; ESPCTL_E_INTEGRITY when the
 * signature member is malformed or does not match manifest.json (detail names the
 * member); ESPCTL_E_UNTRUSTED when valid but the key is not trusted (or no trusted
 * directory is configured). Member hashes were checked by espctl_bundle_open.
 * `result` may be NULL.
 */
ESPCTL_API int espctl_bundle_verify(espctl_ctx *ctx, const espctl_bundle *bundle,
                                    const char *trusted_dir,
                                    struct espctl_bundle_verify_result *result);

/**
 * Sign the bundle at `path` with the Ed25519 private key `key_path` (PEM) and
 * write the result to `out_path` (NULL → replace `path`), through a temporary file
 * and rename. The bundle is opened with integrity checks first; an existing
 * signature is replaced. Archive metadata follows the reproducibility rules.
 */
ESPCTL_API int espctl_bundle_sign(espctl_ctx *ctx, const char *path, const char *key_path,
                                  const char *out_path);

/**
 * Generate an Ed25519 key pair: the private key (PKCS#8 PEM) at `private_path`,
 * mode 0600, and the public key (SubjectPublicKeyInfo PEM) at `public_path`
 * (NULL → private_path + ".pub"). Both through temp file + rename; refuses to
 * overwrite an existing file (ESPCTL_E_INVAL). `key_id` (may be NULL) receives
 * the key id, 33 bytes.
 */
ESPCTL_API int espctl_keys_generate(const char *private_path, const char *public_path,
                                    char key_id[33]);

/**
 * Install the Ed25519 public key in `pubkey_path` (PEM; a private key is refused)
 * as "<key id>.pem" in `trusted_dir` (NULL → as for espctl_bundle_verify; the
 * directory is created mode 0700 when missing, its parent must exist). `installed` (may be NULL) receives the path written.
 */
ESPCTL_API int espctl_keys_trust(espctl_ctx *ctx, const char *pubkey_path, const char *trusted_dir,
                                 char installed[ESPCTL_PATH_SIZE]);

/* ---- chips ------------------------------------------------------------------ */

/** One entry of the Cortex-M chip table. */
struct espctl_chip_info {
    struct espctl_abi_hdr hdr;
    const char *name;
    const char *probe_rs_chip;
    const char *family;
    uint32_t flash_size;
    uint32_t ram_size;
};

/** Number of chips `build --target` knows. */
ESPCTL_API uint32_t espctl_chip_count(void);
ESPCTL_API int espctl_chip_get(uint32_t index, struct espctl_chip_info *info);

/* ---- firmware image description (appended) ---------------------------------- */

/**
 * Describe the image in flash segment `index` of an ESP bundle as JSON text (chip,
 * entry, flash parameters, checksum/hash validity, segments; for a merged image also
 * the bootloader and partition table), through the esp32 plugin's image format.
 * ESPCTL_E_NOT_SUPPORTED for other target kinds or when no loaded plugin describes
 * it; ESPCTL_E_FORMAT for a malformed image. Free *json with espctl_bundle_text_free.
 */
ESPCTL_API int espctl_bundle_describe_segment(espctl_ctx *ctx, const espctl_bundle *bundle, uint32_t index,
                                             char **json);
/** Free text returned by espctl_bundle_describe_segment. NULL is a no-op. */
ESPCTL_API void espctl_bundle_text_free(char *text);

#ifdef __cplusplus
}
#endif

#endif /* ESPCTL_BUNDLE_H */
