/* The defmt string table: version, encoding and the JSON-named `.defmt` symbols of an ELF. */
#include "defmt_internal.h"
#include "elf_sections.h"
#include "internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define VERSION_PREFIX "_defmt_version_ = "
#define ENCODING_PREFIX "_defmt_encoding_ = "
#define SUPPORTED_VERSIONS "3, 4"

struct tag_name {
    const char *name;
    uint8_t tag;
};

static const struct tag_name tag_names[] = {
    {"defmt_prim", TAG_PRIM}, {"defmt_derived", TAG_DERIVED}, {"defmt_bitflags", TAG_BITFLAGS},
    {"defmt_write", TAG_WRITE}, {"defmt_str", TAG_STR}, {"defmt_println", TAG_PRINTLN},
    {"defmt_trace", TAG_TRACE}, {"defmt_debug", TAG_DEBUG}, {"defmt_info", TAG_INFO},
    {"defmt_warn", TAG_WARN}, {"defmt_error", TAG_ERROR},
};

int32_t dm_tag_level(uint8_t tag)
{
    switch (tag) {
    case TAG_TRACE: return ESPCTL_LOG_TRACE;
    case TAG_DEBUG: return ESPCTL_LOG_DEBUG;
    case TAG_INFO: return ESPCTL_LOG_INFO;
    case TAG_WARN: return ESPCTL_LOG_WARN;
    case TAG_ERROR: return ESPCTL_LOG_ERROR;
    case TAG_PRINTLN: return ESPCTL_DEFMT_LEVEL_NONE;
    default: return -2;
    }
}

/* "_defmt_version_ = 4", possibly kept in double quotes by LLD: the value, else NULL. */
static const char *metadata_value(const char *name, const char *prefix, size_t *len)
{
    size_t plen = strlen(prefix);
    int quoted = name[0] == '"';
    if (strncmp(name + quoted, prefix, plen) != 0)
        return NULL;
    const char *v = name + quoted + plen;
    size_t n = strlen(v);
    if (quoted && n > 0 && v[n - 1] == '"')
        n--;
    *len = n;
    return v;
}

static int cmp_entry(const void *a, const void *b)
{
    const struct dm_entry *x = a, *y = b;
    return x->index < y->index ? -1 : x->index > y->index;
}

static void free_entry(struct dm_entry *e)
{
    dm_format_free(&e->format);
    for (uint32_t v = 0; v < e->variant_count; v++)
        dm_format_free(&e->variants[v]);
    free(e->variants);
    free(e->variant_text);
    free(e->data);
}

void dm_table_free(struct dm_table *t)
{
    for (uint32_t i = 0; i < t->count; i++)
        free_entry(&t->entries[i]);
    free(t->entries);
    dm_format_free(&t->timestamp);
    free(t->timestamp_data);
    memset(t, 0, sizeof *t);
}

const struct dm_entry *dm_table_find(const struct dm_table *t, uint32_t index)
{
    size_t lo = 0, hi = t->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->entries[mid].index == index)
            return &t->entries[mid];
        if (t->entries[mid].index < index)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Parse the whole string and, for an enum ("A|B({=u8})"), each variant. */
static int parse_entry_formats(struct dm_entry *e)
{
    if (dm_format_parse(&e->format, e->data))
        return ESPCTL_E_NOMEM;
    uint32_t bars = 0;
    for (const char *c = e->data; *c; c++)
        bars += *c == '|';
    if (bars == 0)
        return 0;
    e->bar_count = bars;
    e->variants = calloc(bars + 1u, sizeof *e->variants);
    e->variant_text = strdup(e->data);
    if (!e->variants || !e->variant_text)
        return ESPCTL_E_NOMEM;
    char *start = e->variant_text;
    for (uint32_t v = 0; v <= bars; v++) {
        char *bar = strchr(start, '|');
        if (bar)
            *bar = 0;
        e->variant_count = v + 1;
        if (dm_format_parse(&e->variants[v], start))
            return ESPCTL_E_NOMEM;
        start = bar ? bar + 1 : start + strlen(start);
    }
    return 0;
}

static int add_entry(struct dm_table *t, size_t *cap, uint32_t index, uint8_t tag, const char *data)
{
    if (t->count == *cap) {
        size_t n = *cap ? *cap * 2 : 64;
        struct dm_entry *g = realloc(t->entries, n * sizeof *g);
        if (!g)
            return ESPCTL_E_NOMEM;
        t->entries = g;
        *cap = n;
    }
    struct dm_entry *e = &t->entries[t->count];
    memset(e, 0, sizeof *e);
    e->index = index;
    e->tag = tag;
    e->data = strdup(data);
    if (!e->data)
        return ESPCTL_E_NOMEM;
    t->count++;
    return parse_entry_formats(e);
}

struct scan {
    const char *label;
    const char *version;
    size_t version_len;
    const char *encoding;
    size_t encoding_len;
    uint32_t version_symbol;
};

static int scan_metadata(const struct core_elf_symtab *st, struct scan *s)
{
    for (uint32_t i = 1; i < st->count; i++) {
        struct core_elf_symbol sym;
        int rc = core_elf_symbol_get(st, i, &sym);
        if (rc)
            return rc;
        size_t len;
        const char *v = metadata_value(sym.name, VERSION_PREFIX, &len);
        if (v) {
            if (s->version && (len != s->version_len || memcmp(v, s->version, len) != 0))
                return core_error(ESPCTL_E_FORMAT,
                                  "%s: multiple defmt versions in use: symbol %u says \"%.*s\", "
                                  "symbol %u says \"%.*s\" (only one is supported)",
                                  s->label, s->version_symbol, (int)s->version_len, s->version, i,
                                  (int)len, v);
            s->version = v;
            s->version_len = len;
            s->version_symbol = i;
            continue;
        }
        v = metadata_value(sym.name, ENCODING_PREFIX, &len);
        if (v) {
            s->encoding = v;
            s->encoding_len = len;
        }
    }
    return 0;
}

static int is_defmt_section(const struct core_elf_file *f, uint16_t shndx)
{
    struct core_elf_section sec;
    if (shndx == CORE_SHN_UNDEF || shndx >= CORE_SHN_LORESERVE || shndx >= f->shnum)
        return 0;
    if (core_elf_section_get(f, shndx, &sec))
        return 0;
    return strcmp(sec.name, ".defmt") == 0 || strncmp(sec.name, ".defmt.", 7) == 0;
}

static int add_symbol(struct dm_table *t, size_t *cap, const struct core_elf_symtab *st, uint32_t i,
                      const struct core_elf_symbol *sym, const char *label)
{
    json_error_t jerr;
    json_t *root = json_loads(sym->name, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: .defmt symbol %u (symbol table offset %u) is not JSON: %s (column %d): "
                          "%.80s",
                          label, i, st->offset + i * 16u, jerr.text, jerr.column, sym->name);
    const char *tag = json_string_value(json_object_get(root, "tag"));
    const char *data = json_string_value(json_object_get(root, "data"));
    int rc = 0;
    if (!json_is_object(root) || !tag || !data) {
        rc = core_error(ESPCTL_E_FORMAT,
                        "%s: .defmt symbol %u (symbol table offset %u) lacks a string \"tag\" or "
                        "\"data\": %.80s",
                        label, i, st->offset + i * 16u, sym->name);
    } else if (strcmp(tag, "defmt_timestamp") == 0) {
        if (t->has_timestamp)
            rc = core_error(ESPCTL_E_FORMAT,
                            "%s: multiple timestamp formats (second one is .defmt symbol %u)", label,
                            i);
        else if (!(t->timestamp_data = strdup(data)))
            rc = ESPCTL_E_NOMEM;
        else if (dm_format_parse(&t->timestamp, t->timestamp_data))
            rc = ESPCTL_E_NOMEM;
        else
            t->has_timestamp = 1;
    } else {
        for (size_t k = 0; k < sizeof tag_names / sizeof tag_names[0]; k++) {
            if (strcmp(tag, tag_names[k].name) == 0) {
                rc = add_entry(t, cap, sym->value, tag_names[k].tag, data);
                break;
            }
        }
    }
    json_decref(root);
    return rc;
}

static int load_entries(struct dm_table *t, const struct core_elf_file *f,
                        const struct core_elf_symtab *st, const char *label)
{
    size_t cap = 0;
    for (uint32_t i = 1; i < st->count; i++) {
        struct core_elf_symbol sym;
        size_t len;
        int rc = core_elf_symbol_get(st, i, &sym);
        if (rc)
            return rc;
        if (sym.name[0] == 0 || sym.name[0] == '$' || !is_defmt_section(f, sym.shndx) ||
            metadata_value(sym.name, VERSION_PREFIX, &len) ||
            metadata_value(sym.name, ENCODING_PREFIX, &len) ||
            strncmp(sym.name, "__DEFMT_MARKER", 14) == 0 || strncmp(sym.name, "_defmt", 6) == 0)
            continue;
        if ((rc = add_symbol(t, &cap, st, i, &sym, label)))
            return rc == ESPCTL_E_NOMEM ? core_error(rc, "%s: out of memory", label) : rc;
    }
    if (t->count)
        qsort(t->entries, t->count, sizeof *t->entries, cmp_entry);
    return 0;
}

static int check_version(struct dm_table *t, const struct scan *s)
{
    if (s->version_len == 1 && (s->version[0] == '3' || s->version[0] == '4')) {
        t->version = (uint32_t)(s->version[0] - '0');
        return 0;
    }
    return core_error(ESPCTL_E_NOT_SUPPORTED,
                      "%s: defmt wire format version \"%.*s\" (symbol %u, `_defmt_version_ = %.*s`) is "
                      "not supported; supported versions: " SUPPORTED_VERSIONS,
                      s->label, (int)(s->version_len > 64 ? 64 : s->version_len), s->version,
                      s->version_symbol, (int)(s->version_len > 64 ? 64 : s->version_len),
                      s->version);
}

static int check_encoding(struct dm_table *t, const struct scan *s)
{
    if (!s->encoding || (s->encoding_len == 6 && memcmp(s->encoding, "rzcobs", 6) == 0)) {
        t->encoding = ESPCTL_DEFMT_RZCOBS;
        return 0;
    }
    if (s->encoding_len == 3 && memcmp(s->encoding, "raw", 3) == 0) {
        t->encoding = ESPCTL_DEFMT_RAW;
        return 0;
    }
    return core_error(ESPCTL_E_NOT_SUPPORTED,
                      "%s: defmt encoding \"%.*s\" is not supported; supported: rzcobs, raw", s->label,
                      (int)(s->encoding_len > 64 ? 64 : s->encoding_len), s->encoding);
}

int dm_table_load(struct dm_table *t, const uint8_t *elf, size_t size, const char *label)
{
    memset(t, 0, sizeof *t);
    struct core_elf_file f;
    int rc = core_elf_sections_open(&f, elf, size, label);
    if (rc)
        return rc;
    struct core_elf_section defmt;
    rc = core_elf_section_find(&f, ".defmt", &defmt);
    if (rc && rc != ESPCTL_E_NOT_FOUND)
        return rc;
    int has_section = rc == 0;
    struct core_elf_symtab st;
    rc = core_elf_symtab_open(&f, &st);
    if (rc == ESPCTL_E_NOT_FOUND)
        return has_section ? core_error(ESPCTL_E_FORMAT,
                                        "%s: `.defmt` section found (header at offset %u) but the ELF "
                                        "has no symbol table (stripped?)",
                                        label, defmt.header_offset)
                           : core_error(ESPCTL_E_NOT_FOUND, "%s: no `.defmt` section (not a defmt "
                                                            "firmware)", label);
    if (rc)
        return rc;
    struct scan s = {label, NULL, 0, NULL, 0, 0};
    if ((rc = scan_metadata(&st, &s)))
        return rc;
    if (!has_section && !s.version)
        return core_error(ESPCTL_E_NOT_FOUND, "%s: no `.defmt` section (not a defmt firmware)", label);
    if (!has_section)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: defmt version symbol found (symbol %u) but no `.defmt` section - check "
                          "the linker configuration", label, s.version_symbol);
    if (!s.version)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: `.defmt` section found (header at offset %u) but no `_defmt_version_` "
                          "symbol - check the linker configuration", label, defmt.header_offset);
    if ((rc = check_version(t, &s)) || (rc = check_encoding(t, &s)))
        return rc;
    rc = load_entries(t, &f, &st, label);
    if (rc)
        dm_table_free(t);
    return rc;
}
