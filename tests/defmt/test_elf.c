/* Test ELF writer (see test_elf.h). */
#include "test_elf.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

void test_elf_init(struct test_elf *e)
{
    memset(e, 0, sizeof *e);
}

void test_elf_free(struct test_elf *e)
{
    for (size_t i = 0; i < e->count; i++)
        free(e->symbols[i].name);
    e->count = 0;
}

void test_elf_symbol(struct test_elf *e, const char *name, uint32_t value, uint32_t size,
                     uint16_t section)
{
    if (e->count == sizeof e->symbols / sizeof e->symbols[0])
        abort();
    struct test_elf_symbol *s = &e->symbols[e->count++];
    s->name = strdup(name);
    if (!s->name)
        abort();
    s->value = value;
    s->size = size;
    s->section = section;
}

void test_elf_defmt(struct test_elf *e, uint32_t index, const char *tag, const char *data)
{
    json_t *o = json_object();
    json_object_set_new(o, "package", json_string("fw"));
    json_object_set_new(o, "tag", json_string(tag));
    json_object_set_new(o, "data", json_string(data));
    char disamb[32];
    snprintf(disamb, sizeof disamb, "%u", 1000u + index);
    json_object_set_new(o, "disambiguator", json_string(disamb));
    json_object_set_new(o, "crate_name", json_string("fw"));
    char *name = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!name)
        abort();
    test_elf_symbol(e, name, index, 1, TE_DEFMT);
    free(name);
}

void test_elf_defmt_meta(struct test_elf *e, const char *version, const char *encoding)
{
    char buf[128];
    if (version) {
        snprintf(buf, sizeof buf, "_defmt_version_ = %s", version);
        test_elf_symbol(e, buf, 0, 1, TE_DEFMT);
    }
    if (encoding) {
        snprintf(buf, sizeof buf, "_defmt_encoding_ = %s", encoding);
        test_elf_symbol(e, buf, 0, 1, TE_DEFMT);
    }
}

struct buf {
    uint8_t *p;
    size_t len, cap;
};

static void put(struct buf *b, const void *d, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    memcpy(b->p + b->len, d, n);
    b->len += n;
}

static void put32(struct buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(b, x, 4);
}

static void put16(struct buf *b, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
    put(b, x, 2);
}

static void align4(struct buf *b)
{
    static const uint8_t z[4];
    put(b, z, (4 - b->len % 4) % 4);
}

struct shdr {
    uint32_t name, type, flags, addr, offset, size, link, info, align, entsize;
};

uint8_t *test_elf_build(const struct test_elf *e, size_t *size, struct test_elf_layout *layout)
{
    struct buf f = {0}, strtab = {0}, symtab = {0};
    static const char shstr[] = "\0.text\0.data\0.defmt\0.symtab\0.strtab\0.shstrtab";
    /* offsets of the names in shstr */
    const uint32_t n_text = 1, n_data = 7, n_defmt = 13, n_symtab = 20, n_strtab = 28, n_shstrtab = 36;

    uint32_t defmt_size = 1;
    put(&strtab, "", 1);
    static const uint8_t null_sym[16];
    put(&symtab, null_sym, 16);
    for (size_t i = 0; i < e->count; i++) {
        const struct test_elf_symbol *s = &e->symbols[i];
        put32(&symtab, (uint32_t)strtab.len);
        put(&strtab, s->name, strlen(s->name) + 1);
        put32(&symtab, s->value);
        put32(&symtab, s->size);
        uint8_t info_other[2] = {0x11, 0};
        put(&symtab, info_other, 2);
        put16(&symtab, s->section);
        if (s->section == TE_DEFMT && s->value + 1 > defmt_size)
            defmt_size = s->value + 1;
    }

    uint8_t ehdr[52] = {0x7f, 'E', 'L', 'F', 1, 1, 1};
    put(&f, ehdr, sizeof ehdr);
    static const uint8_t text[16] = {0x70, 0x47};
    uint32_t off_text = (uint32_t)f.len;
    put(&f, text, sizeof text);
    uint8_t data[64] = {0};
    memcpy(data, "SEGGER RTT", 10);
    uint32_t off_data = (uint32_t)f.len;
    put(&f, data, sizeof data);
    uint32_t off_defmt = (uint32_t)f.len;
    for (uint32_t i = 0; i < defmt_size; i++)
        put(&f, "", 1);
    align4(&f);
    uint32_t off_symtab = (uint32_t)f.len;
    put(&f, symtab.p, symtab.len);
    uint32_t off_strtab = (uint32_t)f.len;
    put(&f, strtab.p, strtab.len);
    uint32_t off_shstrtab = (uint32_t)f.len;
    put(&f, shstr, sizeof shstr);
    align4(&f);
    uint32_t shoff = (uint32_t)f.len;

    struct shdr sh[7] = {
        {0},
        {n_text, 1, 6, 0x08000000, off_text, sizeof text, 0, 0, 4, 0},
        {n_data, 1, 3, 0x20000000, off_data, sizeof data, 0, 0, 4, 0},
        {n_defmt, 1, 0, 0, off_defmt, defmt_size, 0, 0, 1, 0},
        {n_symtab, 2, 0, 0, off_symtab, (uint32_t)symtab.len, TE_STRTAB, 1, 4, 16},
        {n_strtab, 3, 0, 0, off_strtab, (uint32_t)strtab.len, 0, 0, 1, 0},
        {n_shstrtab, 3, 0, 0, off_shstrtab, sizeof shstr, 0, 0, 1, 0},
    };
    for (int i = 0; i < 7; i++) {
        const struct shdr *x = &sh[i];
        uint32_t w[10] = {x->name, x->type, x->flags, x->addr, x->offset,
                          x->size, x->link, x->info, x->align, x->entsize};
        for (int k = 0; k < 10; k++)
            put32(&f, w[k]);
    }
    /* ELF header fields */
    uint8_t *h = f.p;
    h[16] = 2;                         /* e_type ET_EXEC */
    h[18] = 40;                        /* e_machine EM_ARM */
    h[20] = 1;                         /* e_version */
    for (int k = 0; k < 4; k++)        /* e_shoff */
        h[32 + k] = (uint8_t)(shoff >> (8 * k));
    h[40] = 52;                        /* e_ehsize */
    h[46] = 40;                        /* e_shentsize */
    h[48] = 7;                         /* e_shnum */
    h[50] = TE_SHSTRTAB;               /* e_shstrndx */
    free(strtab.p);
    free(symtab.p);
    if (layout) {
        layout->shoff = shoff;
        layout->symtab = off_symtab;
        layout->strtab = off_strtab;
        layout->defmt = off_defmt;
    }
    *size = f.len;
    return f.p;
}
