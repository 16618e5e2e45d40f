/* bench/common: the 128 KiB test image every flash bench writes into the simulated STM32 at
 * 0x08000000, the chip's flash timing and the files that carry the image to a tool. */
#ifndef BENCH_IMAGE_H
#define BENCH_IMAGE_H

#include <stdint.h>

#define BENCH_IMAGE_SIZE (128u * 1024u)
#define BENCH_PAGE_SIZE 2048u
/** The simulated STM32G431's page erase and double-word program times (SIM_G4_*_NS). */
#define BENCH_PAGE_ERASE_S 0.022
#define BENCH_DOUBLE_WORD_S 0.000082
/** Pages and double words the image covers. */
#define BENCH_IMAGE_PAGES ((BENCH_IMAGE_SIZE + BENCH_PAGE_SIZE - 1) / BENCH_PAGE_SIZE)
#define BENCH_IMAGE_DOUBLE_WORDS ((BENCH_IMAGE_SIZE + 7) / 8)

/** The physical limit: every page of the image erased and every double word programmed. */
double bench_flash_limit(void);

/**
 * Write BENCH_IMAGE_SIZE pseudo-random bytes (xorshift32 from @p seed) to @p path.
 * @return 0, or -1 with errno set.
 */
int bench_write_image(const char *path, uint32_t seed);

/** Write the assembler source @p src that places the file @p bin in .text. @return 0 or -1. */
int bench_write_incbin(const char *src, const char *bin);

/**
 * Link @p src with @p cc into the bare ELF @p elf whose .text starts at 0x08000000, output in
 * @p log. @return the compiler's exit status, or -1 if it could not be run.
 */
int bench_link_elf(const char *cc, const char *src, const char *elf, const char *log);

#endif
