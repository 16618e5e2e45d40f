/* Minimal ELF32 little-endian reader: the loadable bytes of an ESP firmware ELF. */
#ifndef ESP32_ELF_H
#define ESP32_ELF_H

#include <stddef.h>
#include <stdint.h>

struct esp_elf_chunk {
    uint32_t addr;
    uint32_t size;
    const uint8_t *data; /* points into the ELF buffer */
    const char *name;    /* section name (points into the ELF), "" when unknown */
};

struct esp_elf {
    uint16_t machine;
    uint32_t entry;
    uint32_t chunk_count;
    struct esp_elf_chunk *chunks; /* allocated; in file order */
};

/**
 * Parses `elf` (borrowed; chunks point into it). The loadable chunks are the allocated
 * PROGBITS sections with an address (as espflash takes them); an ELF without section
 * headers falls back to PT_LOAD program headers (p_vaddr, p_filesz).
 * Returns 0, or -1 with a message naming the field and offset in err.
 */
int esp_elf_parse(const uint8_t *elf, size_t size, struct esp_elf *out, char *err, size_t errlen);
void esp_elf_free(struct esp_elf *elf);

#endif
