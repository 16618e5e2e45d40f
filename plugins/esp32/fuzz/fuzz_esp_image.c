/* ESP image reader: header/segment parser, partition-table parsers (binary and CSV), the
 * merged-image description and the ELF reader. Malformed input must fail cleanly. */
#include "esp_build.h"
#include "esp_elf.h"
#include "esp_image.h"
#include "esp_parttable.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512];
    struct esp_image_info info;
    if (esp_image_parse(data, size, &info, err, sizeof err) == 0) {
        if (info.length > size || info.segment_count > ESP_IMAGE_MAX_SEGMENTS)
            abort();
        for (unsigned i = 0; i < info.segment_count; i++)
            if ((uint64_t)info.segs[i].file_offset + info.segs[i].size > size)
                abort();
    }
    static struct esp_pt pt;
    esp_pt_parse_bin(data, size, &pt, err, sizeof err);
    esp_pt_parse_csv((const char *)data, size, 4u << 20, &pt, err, sizeof err);
    char *json = NULL;
    for (int i = 0; i < 2; i++) {
        if (esp_describe(i ? 0x10000 : 0, data, size, &json, err, sizeof err) == 0 && !json)
            abort();
        free(json);
        json = NULL;
    }
    struct esp_elf elf;
    if (esp_elf_parse(data, size, &elf, err, sizeof err) == 0) {
        for (uint32_t i = 0; i < elf.chunk_count; i++)
            if (elf.chunks[i].data < data || elf.chunks[i].data + elf.chunks[i].size > data + size)
                abort();
        esp_elf_free(&elf);
    }
    return 0;
}
