/*
 * core/src/elf_sections.h — section headers and the symbol table of a 32-bit
 * little-endian ELF held in memory (the view linkers and symbol tools use; the
 * load view for flashing is elf.h).
 *
 * Every offset, size and string is checked against the file before use. Failures
 * return ESPCTL_E_FORMAT with detail "NAME: field ... at offset ..." (NAME is the
 * name given to core_elf_sections_open), ESPCTL_E_NOT_FOUND for an absent
 * section or symbol. Nothing is copied: results point into the caller's bytes.
 */
#ifndef ESPCTL_CORE_ELF_SECTIONS_H
#define ESPCTL_CORE_ELF_SECTIONS_H

#include <stddef.h>
#include <stdint.h>

/** Largest ELF read from disk for symbols (debug-info ELFs are large). */
#define CORE_ELF_SYMBOLS_MAX_FILE (256u * 1024u * 1024u)

#define CORE_SHT_SYMTAB 2u
#define CORE_SHT_STRTAB 3u
#define CORE_SHT_NOBITS 8u
#define CORE_SHN_UNDEF 0u
#define CORE_SHN_LORESERVE 0xff00u

struct core_elf_file {
    const uint8_t *data;
    size_t size;
    const char *name;
    uint32_t shoff;
    uint32_t shnum;
    uint32_t shstrndx;
};

struct core_elf_section {
    uint32_t index;
    /** File offset of this section's header. */
    uint32_t header_offset;
    const char *name;
    uint32_t type, flags, addr, offset, size, link, info, entsize;
    /** Contents; NULL for SHT_NOBITS. */
    const uint8_t *data;
};

struct core_elf_symtab {
    const struct core_elf_file *file;
    uint32_t section;
    const uint8_t *entries;
    uint32_t count;
    /** File offset of the first entry. */
    uint32_t offset;
    const char *strings;
    uint32_t strings_size;
};

struct core_elf_symbol {
    const char *name;
    uint32_t value;
    uint32_t size;
    uint8_t info;
    uint16_t shndx;
};

/** Check the ELF header and the section header table (and the section-name table). */
int core_elf_sections_open(struct core_elf_file *file, const uint8_t *data, size_t size,
                           const char *name);
/** Section `index` with its name and contents checked. */
int core_elf_section_get(const struct core_elf_file *file, uint32_t index,
                         struct core_elf_section *section);
/** First section called `section_name`; ESPCTL_E_NOT_FOUND when absent (no detail set). */
int core_elf_section_find(const struct core_elf_file *file, const char *section_name,
                          struct core_elf_section *section);
/** The SHT_SYMTAB section and its string table; ESPCTL_E_NOT_FOUND when the ELF has none. */
int core_elf_symtab_open(const struct core_elf_file *file, struct core_elf_symtab *symtab);
/** Symbol `index` (0 is the null symbol) with its name checked to end inside the table. */
int core_elf_symbol_get(const struct core_elf_symtab *symtab, uint32_t index,
                        struct core_elf_symbol *symbol);
/** Read a whole file (at most `max_size` bytes) into a malloc'd buffer. */
int core_elf_read_file(const char *path, size_t max_size, uint8_t **data, size_t *size);

#endif /* ESPCTL_CORE_ELF_SECTIONS_H */
