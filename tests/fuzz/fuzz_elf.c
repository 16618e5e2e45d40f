/* libFuzzer harness: the ELF reader, the objcopy-binary writer and the HEX writer. */
#include "elf.h"
#include "ihex.h"

#include <stdlib.h>

static int count_sink(void *user, const void *data, size_t size)
{
    (void)data;
    *(uint64_t *)user += size;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct core_elf_image image;
    if (core_elf_parse(&image, data, size, "fuzz.elf", 1u << 22) != 0)
        return 0;
    uint64_t bin = 0, hex = 0;
    if (core_elf_write_bin(&image, count_sink, &bin) != 0 || bin != image.span)
        abort();
    if (core_ihex_write(&image, count_sink, &hex) != 0 || hex != core_ihex_size(&image))
        abort();
    core_elf_release(&image);
    return 0;
}
