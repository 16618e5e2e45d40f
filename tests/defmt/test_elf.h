/* A minimal 32-bit little-endian ARM ELF writer for the defmt tests: sections .text,
 * .data, .defmt, .symtab, .strtab, .shstrtab and any symbols the test declares. */
#ifndef TESTS_DEFMT_TEST_ELF_H
#define TESTS_DEFMT_TEST_ELF_H

#include <stddef.h>
#include <stdint.h>

enum test_elf_section {
    TE_UNDEF = 0, TE_TEXT = 1, TE_DATA = 2, TE_DEFMT = 3, TE_SYMTAB = 4, TE_STRTAB = 5,
    TE_SHSTRTAB = 6, TE_ABS = 0xfff1
};

struct test_elf_symbol {
    char *name;
    uint32_t value, size;
    uint16_t section;
};

struct test_elf {
    struct test_elf_symbol symbols[512];
    size_t count;
};

/** Where the pieces landed in the last built image (file offsets). */
struct test_elf_layout {
    uint32_t shoff;
    uint32_t symtab;
    uint32_t strtab;
    uint32_t defmt;
};

void test_elf_init(struct test_elf *e);
void test_elf_free(struct test_elf *e);
/** Any symbol. */
void test_elf_symbol(struct test_elf *e, const char *name, uint32_t value, uint32_t size,
                     uint16_t section);
/** A `.defmt` entry: the symbol name is the JSON object defmt emits (version 4 fields). */
void test_elf_defmt(struct test_elf *e, uint32_t index, const char *tag, const char *data);
/** The usual metadata: `_defmt_version_ = VERSION` and `_defmt_encoding_ = ENCODING`. */
void test_elf_defmt_meta(struct test_elf *e, const char *version, const char *encoding);
/** Serialise; returns a malloc'd image. */
uint8_t *test_elf_build(const struct test_elf *e, size_t *size, struct test_elf_layout *layout);

#endif
