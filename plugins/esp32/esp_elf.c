#include "esp_elf.h"

#include "esp_bytes.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EHDR_SIZE 52
#define SHT_PROGBITS 1
#define SHF_ALLOC 0x2
#define PT_LOAD 1

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static int in_file(size_t size, uint64_t off, uint64_t len)
{
    return off <= size && len <= size - off;
}

static int add_chunk(struct esp_elf *out, uint32_t addr, const uint8_t *data, uint32_t size,
                     const char *name)
{
    struct esp_elf_chunk *grown = realloc(out->chunks, (out->chunk_count + 1) * sizeof *grown);
    if (!grown)
        return -1;
    out->chunks = grown;
    out->chunks[out->chunk_count++] = (struct esp_elf_chunk){addr, size, data, name};
    return 0;
}

/* Name at `index` in the section-name string table, or "" when it is not a terminated string. */
static const char *section_name(const uint8_t *elf, size_t size, const uint8_t *strtab, uint32_t index)
{
    if (!strtab)
        return "";
    uint32_t off = esp_le32(strtab + 16), len = esp_le32(strtab + 20);
    if (!in_file(size, off, len) || index >= len || !memchr(elf + off + index, 0, len - index))
        return "";
    return (const char *)elf + off + index;
}

static int read_sections(const uint8_t *elf, size_t size, struct esp_elf *out, char *err,
                         size_t errlen)
{
    uint32_t shoff = esp_le32(elf + 32);
    uint16_t shentsize = esp_le16(elf + 46), shnum = esp_le16(elf + 48);
    if (shentsize < 40)
        return fail(err, errlen, "ELF e_shentsize %u at offset 46 is smaller than 40", shentsize);
    if (!in_file(size, shoff, (uint64_t)shnum * shentsize))
        return fail(err, errlen, "ELF section table (e_shoff 0x%x, %u entries) at offset 32 runs past the end of the file (%zu bytes)",
                    shoff, shnum, size);
    uint16_t shstrndx = esp_le16(elf + 50);
    const uint8_t *names = shstrndx < shnum ? elf + shoff + (size_t)shstrndx * shentsize : NULL;
    for (uint32_t i = 0; i < shnum; i++) {
        const uint8_t *sh = elf + shoff + (size_t)i * shentsize;
        uint32_t type = esp_le32(sh + 4), flags = esp_le32(sh + 8), addr = esp_le32(sh + 12);
        uint32_t off = esp_le32(sh + 16), len = esp_le32(sh + 20);
        if (type != SHT_PROGBITS || !(flags & SHF_ALLOC) || addr == 0 || len == 0 || off == 0)
            continue;
        if (!in_file(size, off, len))
            return fail(err, errlen, "ELF section %u (header at offset 0x%zx): data 0x%x+0x%x runs past the end of the file",
                        i, (size_t)(sh - elf), off, len);
        if ((uint64_t)addr + len > UINT32_MAX + 1ull)
            return fail(err, errlen, "ELF section %u: address 0x%x + size 0x%x wraps", i, addr, len);
        if (add_chunk(out, addr, elf + off, len, section_name(elf, size, names, esp_le32(sh))))
            return fail(err, errlen, "out of memory");
    }
    return 0;
}

static int read_program_headers(const uint8_t *elf, size_t size, struct esp_elf *out, char *err,
                                size_t errlen)
{
    uint32_t phoff = esp_le32(elf + 28);
    uint16_t phentsize = esp_le16(elf + 42), phnum = esp_le16(elf + 44);
    if (phnum == 0)
        return 0;
    if (phentsize < 32)
        return fail(err, errlen, "ELF e_phentsize %u at offset 42 is smaller than 32", phentsize);
    if (!in_file(size, phoff, (uint64_t)phnum * phentsize))
        return fail(err, errlen, "ELF program headers (e_phoff 0x%x, %u entries) at offset 28 run past the end of the file",
                    phoff, phnum);
    for (uint32_t i = 0; i < phnum; i++) {
        const uint8_t *ph = elf + phoff + (size_t)i * phentsize;
        uint32_t type = esp_le32(ph), off = esp_le32(ph + 4), vaddr = esp_le32(ph + 8);
        uint32_t filesz = esp_le32(ph + 16);
        if (type != PT_LOAD || filesz == 0)
            continue;
        if (!in_file(size, off, filesz))
            return fail(err, errlen, "ELF program header %u (at offset 0x%zx): data 0x%x+0x%x runs past the end of the file",
                        i, (size_t)(ph - elf), off, filesz);
        if ((uint64_t)vaddr + filesz > UINT32_MAX + 1ull)
            return fail(err, errlen, "ELF program header %u: address 0x%x + size 0x%x wraps", i, vaddr, filesz);
        if (add_chunk(out, vaddr, elf + off, filesz, ""))
            return fail(err, errlen, "out of memory");
    }
    return 0;
}

int esp_elf_parse(const uint8_t *elf, size_t size, struct esp_elf *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!elf || size < EHDR_SIZE)
        return fail(err, errlen, "ELF: file is %zu bytes, shorter than the 52-byte ELF32 header", size);
    if (memcmp(elf, "\x7f" "ELF", 4))
        return fail(err, errlen, "ELF: bad magic at offset 0 (not an ELF file)");
    if (elf[4] != 1)
        return fail(err, errlen, "ELF: EI_CLASS %u at offset 4 is not ELFCLASS32 (ESP chips are 32-bit)", elf[4]);
    if (elf[5] != 1)
        return fail(err, errlen, "ELF: EI_DATA %u at offset 5 is not little-endian", elf[5]);
    out->machine = esp_le16(elf + 18);
    out->entry = esp_le32(elf + 24);
    int rc = esp_le16(elf + 48) ? read_sections(elf, size, out, err, errlen)
                                : read_program_headers(elf, size, out, err, errlen);
    if (rc == 0 && out->chunk_count == 0)
        rc = fail(err, errlen, "ELF: no loadable bytes (no allocated PROGBITS section, no PT_LOAD with file data)");
    if (rc)
        esp_elf_free(out);
    return rc;
}

void esp_elf_free(struct esp_elf *elf)
{
    free(elf->chunks);
    elf->chunks = NULL;
    elf->chunk_count = 0;
}
