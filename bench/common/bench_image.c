#include "bench_image.h"

#include <stdio.h>

#include "bench_proc.h"

double bench_flash_limit(void)
{
    const unsigned pages = BENCH_IMAGE_PAGES, dws = BENCH_IMAGE_DOUBLE_WORDS;
    return pages * BENCH_PAGE_ERASE_S + dws * BENCH_DOUBLE_WORD_S;
}

int bench_write_image(const char *path, uint32_t seed)
{
    static unsigned char img[BENCH_IMAGE_SIZE];
    uint32_t x = seed;
    for (size_t i = 0; i < sizeof img; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        img[i] = (unsigned char)x;
    }
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(img, 1, sizeof img, f) != sizeof img) {
        if (f)
            fclose(f);
        return -1;
    }
    return fclose(f);
}

int bench_write_incbin(const char *src, const char *bin)
{
    FILE *f = fopen(src, "w");
    if (!f)
        return -1;
    int bad = fprintf(f, ".section .text\n.incbin \"%s\"\n", bin) < 0;
    return fclose(f) || bad ? -1 : 0;
}

int bench_link_elf(const char *cc, const char *src, const char *elf, const char *log)
{
    const char *argv[] = {cc, "-nostdlib", "-nostartfiles", "-Wl,-Ttext=0x08000000", "-Wl,-e,0x08000000",
                          "-o", elf, src, NULL};
    return bench_run_logged(argv, log);
}
