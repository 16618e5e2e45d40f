/* A small, bounded reader for GDB memory-map XML: elements, attributes, one property. */
#include "gdb_memmap.h"

#include <string.h>

struct cursor {
    const struct gdb_env *env;
    const char *s;
    size_t len, pos;
};

static int bad(const struct cursor *c, const char *field, const char *why)
{
    return gdb_fail(c->env, ESPCTL_E_PROTOCOL, "memory map: %s at offset %zu: %s", field, c->pos,
                    why);
}

static int starts(const struct cursor *c, const char *word)
{
    size_t n = strlen(word);
    return c->len - c->pos >= n && memcmp(c->s + c->pos, word, n) == 0;
}

static int is_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n'; }

static void skip_space(struct cursor *c)
{
    while (c->pos < c->len && is_space(c->s[c->pos]))
        c->pos++;
}

/* Parse a decimal or 0x-prefixed hex number that fills [p, p+n) exactly. */
static int parse_number(const char *p, size_t n, uint64_t *value)
{
    uint64_t v = 0;
    int base = 10;
    if (n > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        base = 16;
        p += 2;
        n -= 2;
    }
    if (n == 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int d;
        char ch = p[i];
        if (ch >= '0' && ch <= '9')
            d = ch - '0';
        else if (base == 16 && ch >= 'a' && ch <= 'f')
            d = ch - 'a' + 10;
        else if (base == 16 && ch >= 'A' && ch <= 'F')
            d = ch - 'A' + 10;
        else
            return -1;
        if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            return -1;
        v = v * (uint64_t)base + (uint64_t)d;
    }
    *value = v;
    return 0;
}

/* One name="value" attribute; name and value point into the document. */
static int attribute(struct cursor *c, const char **name, size_t *name_len, const char **value,
                     size_t *value_len)
{
    size_t start = c->pos;
    while (c->pos < c->len && (c->s[c->pos] == '-' || c->s[c->pos] == '_' ||
                               (c->s[c->pos] >= 'a' && c->s[c->pos] <= 'z') ||
                               (c->s[c->pos] >= 'A' && c->s[c->pos] <= 'Z')))
        c->pos++;
    if (c->pos == start)
        return bad(c, "attribute", "expected a name");
    *name = c->s + start;
    *name_len = c->pos - start;
    skip_space(c);
    if (c->pos >= c->len || c->s[c->pos] != '=')
        return bad(c, "attribute", "expected '='");
    c->pos++;
    skip_space(c);
    if (c->pos >= c->len || (c->s[c->pos] != '"' && c->s[c->pos] != '\''))
        return bad(c, "attribute", "expected a quoted value");
    char quote = c->s[c->pos++];
    const char *end = memchr(c->s + c->pos, quote, c->len - c->pos);
    if (!end)
        return bad(c, "attribute", "unterminated value");
    *value = c->s + c->pos;
    *value_len = (size_t)(end - *value);
    c->pos += *value_len + 1;
    return 0;
}

static int name_is(const char *name, size_t len, const char *want)
{
    return strlen(want) == len && memcmp(name, want, len) == 0;
}

static int region_type(const char *v, size_t n, int32_t *type)
{
    if (name_is(v, n, "ram"))
        *type = GDB_REGION_RAM;
    else if (name_is(v, n, "rom"))
        *type = GDB_REGION_ROM;
    else if (name_is(v, n, "flash"))
        *type = GDB_REGION_FLASH;
    else
        return -1;
    return 0;
}

/* The body of a non-empty <memory> element up to </memory>: its blocksize property. */
static int memory_body(struct cursor *c, struct gdb_region *r)
{
    for (;;) {
        const char *lt = memchr(c->s + c->pos, '<', c->len - c->pos);
        if (!lt) {
            c->pos = c->len;
            return bad(c, "memory", "no </memory>");
        }
        c->pos = (size_t)(lt - c->s);
        if (starts(c, "</memory>")) {
            c->pos += 9;
            return 0;
        }
        if (!starts(c, "<property")) {
            c->pos++;
            continue;
        }
        c->pos += 9;
        skip_space(c);
        const char *name, *value;
        size_t name_len, value_len;
        int rc = attribute(c, &name, &name_len, &value, &value_len);
        if (rc)
            return rc;
        skip_space(c);
        if (c->pos >= c->len || c->s[c->pos] != '>')
            return bad(c, "property", "expected '>'");
        c->pos++;
        const char *close = memchr(c->s + c->pos, '<', c->len - c->pos);
        if (!close)
            return bad(c, "property", "no </property>");
        size_t text_len = (size_t)(close - (c->s + c->pos));
        if (name_is(value, value_len, "blocksize")) {
            const char *t = c->s + c->pos;
            while (text_len && is_space(*t)) {
                t++;
                text_len--;
            }
            while (text_len && is_space(t[text_len - 1]))
                text_len--;
            uint64_t bs;
            if (parse_number(t, text_len, &bs) || bs == 0 || bs > UINT32_MAX)
                return bad(c, "blocksize", "not a number in 1..0xffffffff");
            r->blocksize = (uint32_t)bs;
        }
        c->pos = (size_t)(close - c->s);
        if (!starts(c, "</property>"))
            return bad(c, "property", "expected </property>");
        c->pos += 11;
    }
}

static int memory_element(struct cursor *c, struct gdb_memmap *map)
{
    size_t element_at = c->pos;
    if (map->count == GDB_MAX_REGIONS)
        return bad(c, "memory", "more than 32 regions");
    struct gdb_region r = {0};
    int have_start = 0, have_length = 0, have_type = 0;
    for (;;) {
        skip_space(c);
        if (c->pos >= c->len)
            return bad(c, "memory", "unterminated element");
        if (c->s[c->pos] == '>' || starts(c, "/>"))
            break;
        const char *name, *value;
        size_t name_len, value_len;
        int rc = attribute(c, &name, &name_len, &value, &value_len);
        if (rc)
            return rc;
        uint64_t number;
        if (name_is(name, name_len, "type")) {
            if (region_type(value, value_len, &r.type))
                return bad(c, "type", "not ram, rom or flash");
            have_type = 1;
        } else if (name_is(name, name_len, "start") || name_is(name, name_len, "length")) {
            int is_start = name[0] == 's';
            if (parse_number(value, value_len, &number))
                return bad(c, is_start ? "start" : "length", "not a number");
            if (is_start) {
                r.start = number;
                have_start = 1;
            } else {
                r.length = number;
                have_length = 1;
            }
        }
    }
    int empty = starts(c, "/>");
    c->pos += empty ? 2 : 1;
    if (!empty) {
        int rc = memory_body(c, &r);
        if (rc)
            return rc;
    }
    size_t end_at = c->pos;
    c->pos = element_at;
    if (!have_type || !have_start || !have_length)
        return bad(c, "memory", "needs type, start and length");
    if (r.length == 0 || r.start + r.length < r.start)
        return bad(c, "length", "empty or wraps past the end of the address space");
    if (r.type == GDB_REGION_FLASH && r.blocksize == 0)
        return bad(c, "blocksize", "flash region without a blocksize property");
    c->pos = end_at;
    map->regions[map->count++] = r;
    return 0;
}

int gdb_memmap_parse(const struct gdb_env *env, const char *xml, size_t len, struct gdb_memmap *map)
{
    struct cursor c = {.env = env, .s = xml, .len = len, .pos = 0};
    memset(map, 0, sizeof *map);
    if (len > GDB_MAX_MEMMAP_XML)
        return bad(&c, "document", "larger than 64 KiB");
    int saw_root = 0;
    while (c.pos < c.len) {
        const char *lt = memchr(c.s + c.pos, '<', c.len - c.pos);
        if (!lt)
            break;
        c.pos = (size_t)(lt - c.s);
        if (starts(&c, "<memory-map")) {
            saw_root = 1;
            c.pos += 11;
            continue;
        }
        if (starts(&c, "<memory") && c.pos + 7 < c.len &&
            (is_space(c.s[c.pos + 7]) || c.s[c.pos + 7] == '/' || c.s[c.pos + 7] == '>')) {
            if (!saw_root)
                return bad(&c, "memory", "outside <memory-map>");
            c.pos += 7;
            int rc = memory_element(&c, map);
            if (rc)
                return rc;
            continue;
        }
        c.pos++;
    }
    if (!saw_root)
        return bad(&c, "document", "no <memory-map> element");
    return 0;
}
