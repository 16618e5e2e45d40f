/* Helpers shared by the bundle tests: files, in-memory tar.gz, running espctl. */
#ifndef BUNDLE_TEST_SUPPORT_H
#define BUNDLE_TEST_SUPPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Exit 77 (ctest: skipped) with a message when the test ELFs were not built. */
void require_test_elfs(void);

/* "<TEST_ELF_DIR>/<name>" etc. in a static rotating buffer. */
const char *elf_path(const char *name);
/* A fresh empty directory under TEST_TMP_DIR (removed first if present). */
const char *fresh_dir(const char *name);

uint8_t *read_all(const char *path, size_t *size);
void write_all_file(const char *path, const void *data, size_t size);
/* Number of entries in a directory (without . and ..). */
int dir_entries(const char *dir);

/* Save a manifest for the schema test (TEST_MANIFEST_DIR/<label>.json). */
void save_manifest(const char *label, const void *data, size_t size);

/* A tar member for tgz_build. type: 0 regular, 'l' symlink, 'h' hardlink,
 * 'c' char device, 'd' directory; link is the target for l/h. size_override
 * (when non-zero) is written as the header size with `size` bytes of zero data. */
struct tar_item {
    const char *name;
    const void *data;
    size_t size;
    int type;
    const char *link;
};

/* Build a tar.gz in memory (libarchive, gzip filter); caller frees *out. */
void tgz_build(const struct tar_item *items, size_t n, uint8_t **out, size_t *out_size);
/* Unpack a tar.gz into items (names and data malloc'd); free with tgz_items_free. */
size_t tgz_unpack(const uint8_t *data, size_t size, struct tar_item **items);
void tgz_items_free(struct tar_item *items, size_t n);

/* Run argv (argv[0] a path) with stdout/stderr captured into files; returns the
 * exit status (or 128+signal). Kills the child after `timeout_s` seconds. */
int run_capture(char *const argv[], const char *out_path, const char *err_path, int timeout_s);

/* Non-zero when the file at path contains `needle`. */
int file_contains(const char *path, const char *needle);

#endif

/* espctl_bundle_create for `elf` (a name in TEST_ELF_DIR or a path) → out_path with
 * chip STM32G431RB, signed with key_path when non-NULL. Returns the library code. */
int make_bundle(const char *elf, const char *out_path, const char *key_path);
/* A fresh Ed25519 key pair in `dir` (key.pem, key.pem.pub); returns the private path. */
const char *make_key(const char *dir);
