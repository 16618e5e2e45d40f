/* ELF32 little-endian section headers and symbol table, bounds-checked. */
#include "elf_sections.h"

#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EHDR_SIZE 52u
#define SHDR_SIZE 40u
#define SYM_SIZE 16u
#define SHN_XINDEX 0xffffu

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static int check_ident(const uint8_t *d, size_t size, const char *name)
{
    static const uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};
    if (size < 4 || memcmp(d, magic, 4) != 0)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: e_ident[EI_MAG0..3] at offset 0 is not 7f 45 4c 46 (not an ELF file)",
                          name);
    if (size < 5 || d[4] != 1)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: e_ident[EI_CLASS] at offset 4 is %d, need 1 (ELFCLASS32)", name,
                          size < 5 ? -1 : d[4]);
    if (size < 6 || d[5] != 1)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: e_ident[EI_DATA] at offset 5 is %d, need 1 (little-endian)", name,
                          size < 6 ? -1 : d[5]);
    if (size < EHDR_SIZE)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: ELF header at offset 0 needs %u bytes, file has %zu", name, EHDR_SIZE,
                          size);
    return 0;
}

int core_elf_sections_open(struct core_elf_file *file, const uint8_t *d, size_t size,
                           const char *name)
{
    memset(file, 0, sizeof *file);
    int rc = check_ident(d, size, name);
    if (rc)
        return rc;
    uint32_t shoff = rd32(d + 32);
    uint16_t shentsize = rd16(d + 46);
    uint32_t shnum = rd16(d + 48);
    uint32_t shstrndx = rd16(d + 50);
    if (shoff == 0)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: e_shoff at offset 32 is 0 (no section header table)", name);
    if (shentsize != SHDR_SIZE)
        return core_error(ESPCTL_E_FORMAT, "%s: e_shentsize at offset 46 is %u, need %u", name,
                          shentsize, SHDR_SIZE);
    if ((uint64_t)shoff + SHDR_SIZE > size)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: e_shoff at offset 32 (0x%x) points beyond the file (%zu bytes)", name,
                          shoff, size);
    /* Extended numbering: the real counts live in section header 0. */
    if (shnum == 0)
        shnum = rd32(d + shoff + 20);
    if (shstrndx == SHN_XINDEX)
        shstrndx = rd32(d + shoff + 24);
    if (shnum == 0)
        return core_error(ESPCTL_E_FORMAT, "%s: e_shnum at offset 48 is 0 (no sections)", name);
    if ((uint64_t)shoff + (uint64_t)shnum * SHDR_SIZE > size)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: section header table (e_shoff at offset 32 = 0x%x, %u entries) "
                          "extends beyond the file (%zu bytes)",
                          name, shoff, shnum, size);
    if (shstrndx == 0 || shstrndx >= shnum)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: e_shstrndx at offset 50 is %u, need 1..%u (section name table)", name,
                          shstrndx, shnum - 1);
    file->data = d;
    file->size = size;
    file->name = name;
    file->shoff = shoff;
    file->shnum = shnum;
    file->shstrndx = shstrndx;

    /* The section-name table must be a string table inside the file. */
    const uint8_t *h = d + shoff + (size_t)shstrndx * SHDR_SIZE;
    uint32_t at = shoff + shstrndx * SHDR_SIZE;
    if (rd32(h + 4) != CORE_SHT_STRTAB)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: section %u (e_shstrndx) header at offset %u: sh_type is %u, need 3 "
                          "(SHT_STRTAB)", name, shstrndx, at, rd32(h + 4));
    if ((uint64_t)rd32(h + 16) + rd32(h + 20) > size)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: section %u (e_shstrndx) header at offset %u: sh_offset 0x%x + sh_size "
                          "0x%x lies beyond the file (%zu bytes)",
                          name, shstrndx, at, rd32(h + 16), rd32(h + 20), size);
    return 0;
}

/* A NUL-terminated string at `off` inside table [base, base+size), or NULL. */
static const char *table_string(const uint8_t *base, uint32_t size, uint32_t off)
{
    if (off >= size)
        return NULL;
    if (!memchr(base + off, 0, size - off))
        return NULL;
    return (const char *)base + off;
}

int core_elf_section_get(const struct core_elf_file *f, uint32_t index, struct core_elf_section *s)
{
    memset(s, 0, sizeof *s);
    if (index >= f->shnum)
        return core_error(ESPCTL_E_FORMAT, "%s: section index %u out of range (e_shnum %u)",
                          f->name, index, f->shnum);
    uint32_t at = f->shoff + index * SHDR_SIZE;
    const uint8_t *h = f->data + at;
    s->index = index;
    s->header_offset = at;
    s->type = rd32(h + 4);
    s->flags = rd32(h + 8);
    s->addr = rd32(h + 12);
    s->offset = rd32(h + 16);
    s->size = rd32(h + 20);
    s->link = rd32(h + 24);
    s->info = rd32(h + 28);
    s->entsize = rd32(h + 36);

    const uint8_t *sh = f->data + f->shoff + (size_t)f->shstrndx * SHDR_SIZE;
    const uint8_t *names = f->data + rd32(sh + 16);
    s->name = table_string(names, rd32(sh + 20), rd32(h));
    if (!s->name)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: section %u header at offset %u: sh_name %u is not a string inside the "
                          "section name table (%u bytes)",
                          f->name, index, at, rd32(h), rd32(sh + 20));
    if (s->type == CORE_SHT_NOBITS || index == 0)
        return 0;
    if ((uint64_t)s->offset + s->size > f->size)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: section %u (%s) header at offset %u: sh_offset 0x%x + sh_size 0x%x lies "
                          "beyond the file (%zu bytes)",
                          f->name, index, s->name, at, s->offset, s->size, f->size);
    s->data = f->data + s->offset;
    return 0;
}

int core_elf_section_find(const struct core_elf_file *f, const char *section_name,
                          struct core_elf_section *s)
{
    for (uint32_t i = 1; i < f->shnum; i++) {
        int rc = core_elf_section_get(f, i, s);
        if (rc)
            return rc;
        if (strcmp(s->name, section_name) == 0)
            return 0;
    }
    memset(s, 0, sizeof *s);
    return ESPCTL_E_NOT_FOUND;
}

int core_elf_symtab_open(const struct core_elf_file *f, struct core_elf_symtab *t)
{
    memset(t, 0, sizeof *t);
    struct core_elf_section s;
    uint32_t i;
    for (i = 1; i < f->shnum; i++) {
        int rc = core_elf_section_get(f, i, &s);
        if (rc)
            return rc;
        if (s.type == CORE_SHT_SYMTAB)
            break;
    }
    if (i == f->shnum)
        return ESPCTL_E_NOT_FOUND;
    if (s.entsize != SYM_SIZE)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: section %u (%s) header at offset %u: sh_entsize is %u, need %u", f->name,
                          i, s.name, s.header_offset, s.entsize, SYM_SIZE);
    if (s.size % SYM_SIZE != 0)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: section %u (%s) header at offset %u: sh_size %u is not a multiple of %u",
                          f->name, i, s.name, s.header_offset, s.size, SYM_SIZE);
    if (s.link == 0 || s.link >= f->shnum)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: section %u (%s) header at offset %u: sh_link %u is not a section "
                          "(e_shnum %u)", f->name, i, s.name, s.header_offset, s.link, f->shnum);
    struct core_elf_section str;
    int rc = core_elf_section_get(f, s.link, &str);
    if (rc)
        return rc;
    if (str.type != CORE_SHT_STRTAB)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: section %u (%s, sh_link of %s) header at offset %u: sh_type is %u, need 3 "
                          "(SHT_STRTAB)", f->name, str.index, str.name, s.name, str.header_offset,
                          str.type);
    t->file = f;
    t->section = i;
    t->entries = s.data;
    t->count = s.size / SYM_SIZE;
    t->offset = s.offset;
    t->strings = (const char *)str.data;
    t->strings_size = str.size;
    return 0;
}

int core_elf_symbol_get(const struct core_elf_symtab *t, uint32_t index, struct core_elf_symbol *sym)
{
    memset(sym, 0, sizeof *sym);
    if (index >= t->count)
        return core_error(ESPCTL_E_FORMAT, "%s: symbol index %u out of range (%u symbols)",
                          t->file->name, index, t->count);
    const uint8_t *e = t->entries + (size_t)index * SYM_SIZE;
    uint32_t name = rd32(e);
    sym->name = table_string((const uint8_t *)t->strings, t->strings_size, name);
    if (!sym->name)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: symbol %u at offset %u: st_name %u is not a string inside the string "
                          "table (%u bytes)",
                          t->file->name, index, t->offset + index * SYM_SIZE, name, t->strings_size);
    sym->value = rd32(e + 4);
    sym->size = rd32(e + 8);
    sym->info = e[12];
    sym->shndx = rd16(e + 14);
    return 0;
}

int core_elf_read_file(const char *path, size_t max_size, uint8_t **data, size_t *size)
{
    *data = NULL;
    *size = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return core_error(errno == ENOENT ? ESPCTL_E_NOT_FOUND
                          : errno == EACCES ? ESPCTL_E_ACCESS
                                            : ESPCTL_E_IO,
                          "%s: %s", path, strerror(errno));
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            if (cap > max_size) {
                free(buf);
                fclose(fp);
                return core_error(ESPCTL_E_FORMAT, "%s: file is larger than %zu bytes", path,
                                  max_size);
            }
            size_t grown_cap = cap ? cap * 2 : 65536;
            uint8_t *grown = realloc(buf, grown_cap);
            if (!grown) {
                free(buf);
                fclose(fp);
                return core_error(ESPCTL_E_NOMEM, "%s: out of memory", path);
            }
            buf = grown;
            cap = grown_cap;
        }
        size_t n = fread(buf + len, 1, cap - len, fp);
        if (n == 0)
            break;
        len += n;
    }
    int failed = ferror(fp);
    fclose(fp);
    if (failed) {
        free(buf);
        return core_error(ESPCTL_E_IO, "%s: read error", path);
    }
    if (len > max_size) {
        free(buf);
        return core_error(ESPCTL_E_FORMAT, "%s: file is larger than %zu bytes", path, max_size);
    }
    *data = buf;
    *size = len;
    return 0;
}
