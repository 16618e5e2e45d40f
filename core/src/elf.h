/*
 * core/src/elf.h — the ELF reader of path C (client-built Cortex-M firmware).
 *
 * Parses a little-endian ELF32 for EM_ARM held in memory and describes the image
 * `objcopy -O binary` would produce: the loadable sections at their load
 * addresses (LMA), in address order. Nothing is copied; runs point into the file.
 */
#ifndef ESPCTL_CORE_ELF_H
#define ESPCTL_CORE_ELF_H

#include <stddef.h>
#include <stdint.h>

/** One loadable section's bytes at its load address. */
struct core_elf_run {
    uint32_t lma;
    uint32_t size;
    const uint8_t *data;
    /** File offset of the section (or program) header it came from. */
    uint32_t header_offset;
};

struct core_elf_image {
    uint32_t entry;
    /** Sorted by lma, non-overlapping, size > 0. */
    struct core_elf_run *runs;
    size_t run_count;
    /** Lowest lma and bytes up to the end of the highest run (0 when empty). */
    uint32_t base;
    uint64_t span;
};

/** Largest ELF accepted (the product contract). */
#define CORE_ELF_MAX_SIZE (16u * 1024u * 1024u)

/**
 * Pre-flight and parse. Checks in order: magic, class (32-bit), data
 * (little-endian), e_machine (EM_ARM), file size ≤ 16 MiB, then structure (header
 * sizes, tables and section contents inside the file, no overlapping loadable
 * ranges, at least one loadable byte, span ≤ `max_span`). On failure returns
 * ESPCTL_E_FORMAT with a detail "NAME: rule ...: field ... at offset ..." where NAME
 * is `name`. `image` holds pointers into `data` (which must outlive it).
 */
int core_elf_parse(struct core_elf_image *image, const uint8_t *data, size_t size,
                   const char *name, uint64_t max_span);
void core_elf_release(struct core_elf_image *image);

/** Feed the objcopy -O binary image (gaps zero-filled) to `sink` in pieces. */
typedef int (*core_sink_fn)(void *user, const void *data, size_t size);
int core_elf_write_bin(const struct core_elf_image *image, core_sink_fn sink, void *user);

#endif /* ESPCTL_CORE_ELF_H */
