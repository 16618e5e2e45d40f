/*
 * core/src/ihex.h — streaming Intel HEX writer for an ELF image.
 *
 * Records carry up to 16 data bytes and never cross a 64 KiB boundary; a type 04
 * (extended linear address) record precedes data whenever the upper 16 address
 * bits change, a type 05 (start linear address) record carries the entry point,
 * and type 01 ends the file. Lines end in CR LF, as objcopy writes them. Gaps
 * between sections get no records.
 */
#ifndef ESPCTL_CORE_IHEX_H
#define ESPCTL_CORE_IHEX_H

#include "elf.h"

/** Exact number of bytes core_ihex_write will produce. */
uint64_t core_ihex_size(const struct core_elf_image *image);

/** Produce the HEX text, handing it to `sink` in pieces of at most 64 KiB. */
int core_ihex_write(const struct core_elf_image *image, core_sink_fn sink, void *user);

#endif /* ESPCTL_CORE_IHEX_H */
