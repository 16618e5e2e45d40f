/*
 * core/src/tar_io.h — reproducible tar.gz writing and defensive reading (libarchive).
 */
#ifndef ESPCTL_CORE_TAR_IO_H
#define ESPCTL_CORE_TAR_IO_H

#include <stddef.h>
#include <stdint.h>

/* ---- gzip (tar_gzip.c) ------------------------------------------------------ */

/**
 * A gzip stream written to a file descriptor: header without name and with mtime 0,
 * XFL 0, OS 3 (Unix). The input is cut into 1 MiB chunks deflated independently
 * on up to `threads` threads (each primed with the previous 32 KiB, joined by sync
 * flushes, one gzip member, CRC combined), so the output does not depend on timing.
 */
struct core_gz;
int core_gz_open(struct core_gz **gz, int fd, int level, unsigned threads);
int core_gz_write(struct core_gz *gz, const void *data, size_t size);
/** Deflate level for chunks submitted from now on (output stays deterministic). */
void core_gz_set_level(struct core_gz *gz, int level);
/** Flush, write the trailer and free (also on failure); returns the first error. */
int core_gz_close(struct core_gz *gz);
/** Free without finishing (after a failure). */
void core_gz_abort(struct core_gz *gz);

/* ---- tar writing (tar_write.c) ----------------------------------------------- */

/**
 * ustar entries with mode 0644, uid/gid 0, empty uname/gname, the given mtime;
 * the caller adds members in sorted order. Data is SHA-256 hashed on the way.
 */
struct core_tar_writer;
int core_tar_open(struct core_tar_writer **w, int fd, int64_t mtime, int level, unsigned threads);
int core_tar_begin(struct core_tar_writer *w, const char *name, uint64_t size);
/** Deflate level for the data that follows (see core_gz_set_level). */
void core_tar_set_level(struct core_tar_writer *w, int level);
/** core_sink_fn-compatible: append data to the current member. */
int core_tar_data(void *w, const void *data, size_t size);
/** End the current member; its SHA-256 goes to digest (32 bytes). */
int core_tar_end(struct core_tar_writer *w, unsigned char digest[32]);
/** Whole member in one call. */
int core_tar_add(struct core_tar_writer *w, const char *name, const void *data, size_t size,
                 unsigned char digest[32]);
/** Finish archive and gzip stream, free. Returns the first error. */
int core_tar_close(struct core_tar_writer *w);
void core_tar_abort(struct core_tar_writer *w);

/* ---- tar reading (tar_read.c) ------------------------------------------------ */

struct core_tar_member {
    char *name;
    uint8_t *data;
    size_t size;
};

struct core_tar_members {
    struct core_tar_member *items;
    size_t count;
};

/**
 * Read every member of a tar.gz (from `path`, or from data/size when path is NULL)
 * with the safety rules of docs/bundle-format.md: only regular files with names the
 * manifest allows, no "..", no absolute paths, no links or devices, no duplicates,
 * each member under its cap, the total under `max_total`. ESPCTL_E_FORMAT naming the
 * member and the rule on violation.
 */
int core_tar_read(struct core_tar_members *out, const char *path, const void *data, size_t size,
                  uint64_t max_total);
void core_tar_members_release(struct core_tar_members *m);

/** Size cap of a known member (0 for unknown names). */
uint64_t core_tar_member_cap(const char *name);

#endif /* ESPCTL_CORE_TAR_IO_H */
