/* defmt frame decoding: index, timestamp arguments, message arguments (wire format 3/4). */
#include "defmt_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reader {
    const struct dm_table *table;
    struct dm_arena *arena;
    const uint8_t *data;
    size_t size, pos;
    int status;
    char *why;
    size_t why_size;
};

static int fail(struct reader *r, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct reader *r, int status, const char *fmt, ...)
{
    if (r->status)
        return -1;
    r->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->why, r->why_size, fmt, ap);
    va_end(ap);
    return -1;
}

static const uint8_t *take(struct reader *r, size_t n, const char *what)
{
    if (r->size - r->pos < n) {
        fail(r, DM_EOF, "frame ends inside %s at offset %zu (needs %zu bytes, %zu left)", what, r->pos,
             n, r->size - r->pos);
        return NULL;
    }
    const uint8_t *p = r->data + r->pos;
    r->pos += n;
    return p;
}

static int read_le(struct reader *r, unsigned bytes, dm_u128 *out, const char *what)
{
    const uint8_t *p = take(r, bytes, what);
    if (!p)
        return -1;
    dm_u128 v = 0;
    for (unsigned i = bytes; i-- > 0;)
        v = (v << 8) | p[i];
    *out = v;
    return 0;
}

static int read_u16(struct reader *r, uint32_t *out, const char *what)
{
    dm_u128 v;
    if (read_le(r, 2, &v, what))
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static int read_u32(struct reader *r, uint32_t *out, const char *what)
{
    dm_u128 v;
    if (read_le(r, 4, &v, what))
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static int reserve(struct reader *r, uint32_t n, uint32_t *first)
{
    struct dm_arena *a = r->arena;
    if (n > DM_MAX_VALUES - a->count)
        return fail(r, DM_MALFORMED, "frame holds more than %u values", DM_MAX_VALUES);
    if (a->count + n > a->cap) {
        uint32_t cap = a->cap ? a->cap : 64;
        while (cap < a->count + n)
            cap *= 2;
        struct dm_value *g = realloc(a->values, (size_t)cap * sizeof *g);
        if (!g)
            return fail(r, DM_NOMEM, "out of memory");
        a->values = g;
        a->cap = cap;
    }
    *first = a->count;
    memset(a->values + a->count, 0, (size_t)n * sizeof *a->values);
    a->count += n;
    return 0;
}

static int valid_utf8(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        size_t len;
        uint32_t cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            len = 2;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (n - i < len)
            return 0;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += len;
    }
    return 1;
}

/* A table entry usable as a nested format or interned string (no level tag). */
static const struct dm_entry *nested_entry(struct reader *r, uint32_t index, const char *what,
                                           size_t at)
{
    const struct dm_entry *e = dm_table_find(r->table, index);
    if (!e || dm_tag_level(e->tag) != -2) {
        fail(r, DM_MALFORMED, "%s index %u at frame offset %zu is %s", what, index, at,
             e ? "a log statement, not a format" : "not in the string table");
        return NULL;
    }
    return e;
}

static int decode_format(struct reader *r, const struct dm_format *f, uint32_t *first, unsigned depth);

/* Pick the enum variant named by the discriminant that follows. */
static const struct dm_format *pick_variant(struct reader *r, const struct dm_entry *e)
{
    if (e->bar_count == 0)
        return &e->format;
    unsigned bytes = e->bar_count <= 0xffu ? 1 : e->bar_count <= 0xffffu ? 2 : 4;
    size_t at = r->pos;
    dm_u128 d;
    if (read_le(r, bytes, &d, "enum discriminant"))
        return NULL;
    if (d >= e->variant_count) {
        fail(r, DM_MALFORMED, "enum discriminant %u at frame offset %zu out of range (%u variants of "
             "\"%.60s\")", (unsigned)d, at, e->variant_count, e->data);
        return NULL;
    }
    return &e->variants[(size_t)d];
}

/* `{=?}`: a u16 format index, an enum discriminant when the format is an enum, the args. */
static int decode_nested(struct reader *r, struct dm_value *v, const struct dm_entry *known,
                         unsigned depth)
{
    const struct dm_entry *e = known;
    if (!e) {
        size_t at = r->pos;
        uint32_t index;
        if (read_u16(r, &index, "nested format index"))
            return -1;
        if (!(e = nested_entry(r, index, "nested format", at)))
            return -1;
    }
    const struct dm_format *f = pick_variant(r, e);
    if (!f)
        return -1;
    v->kind = VK_FORMAT;
    v->format = f;
    v->count = f->wire_count;
    return decode_format(r, f, &v->first, depth + 1);
}

static int decode_elements(struct reader *r, struct dm_value *v, uint32_t count, unsigned depth)
{
    size_t at = r->pos;
    uint32_t index;
    if (read_u16(r, &index, "slice element format index"))
        return -1;
    const struct dm_entry *e = nested_entry(r, index, "slice element format", at);
    if (!e)
        return -1;
    /* Elements with arguments or an enum tag read bytes: a count beyond the frame means
     * the frame is incomplete (or corrupt); it bounds the loop below. */
    if (count > r->size - r->pos && (e->bar_count || e->format.wire_count))
        return fail(r, DM_EOF, "slice of %u elements at frame offset %zu exceeds the frame", count, at);
    v->kind = VK_SLICE;
    v->count = count;
    if (reserve(r, count, &v->first))
        return -1;
    for (uint32_t k = 0; k < count; k++) {
        struct dm_value element = {0};
        if (decode_nested(r, &element, e, depth))
            return -1;
        r->arena->values[v->first + k] = element;
    }
    return 0;
}

/* `__internal_FormatSequence`: nested formats until index 0. The elements' own arguments
 * land in the arena while decoding, so the elements are gathered first and stored
 * contiguously at the end. */
static int decode_sequence(struct reader *r, struct dm_value *v, unsigned depth)
{
    struct dm_value *items = NULL;
    uint32_t count = 0, cap = 0;
    int rc = -1;
    for (;;) {
        size_t at = r->pos;
        uint32_t index;
        if (read_u16(r, &index, "format sequence index"))
            break;
        if (index == 0) {
            rc = 0;
            break;
        }
        const struct dm_entry *e = nested_entry(r, index, "format sequence", at);
        if (!e)
            break;
        if (count == cap) {
            if (cap >= DM_MAX_VALUES) {
                fail(r, DM_MALFORMED, "format sequence longer than %u", DM_MAX_VALUES);
                break;
            }
            cap = cap ? cap * 2 : 8;
            struct dm_value *g = realloc(items, (size_t)cap * sizeof *g);
            if (!g) {
                fail(r, DM_NOMEM, "out of memory");
                break;
            }
            items = g;
        }
        memset(&items[count], 0, sizeof items[count]);
        if (decode_nested(r, &items[count], e, depth))
            break;
        count++;
    }
    if (rc == 0) {
        v->kind = VK_SEQUENCE;
        v->count = count;
        rc = reserve(r, count, &v->first);
        if (rc == 0 && count)
            memcpy(r->arena->values + v->first, items, (size_t)count * sizeof *items);
    }
    free(items);
    return rc;
}

static unsigned int_width(uint8_t type)
{
    switch (type) {
    case DT_U8: case DT_I8: return 1;
    case DT_U16: case DT_I16: return 2;
    case DT_U32: case DT_I32: case DT_USIZE: case DT_ISIZE: case DT_F32: case DT_CHAR: return 4;
    case DT_U64: case DT_I64: case DT_F64: return 8;
    case DT_U128: case DT_I128: return 16;
    default: return 0;
    }
}

static int decode_bytes(struct reader *r, struct dm_value *v, uint32_t len, uint8_t kind, const char *what)
{
    const uint8_t *p = take(r, len, what);
    if (!p)
        return -1;
    v->kind = kind;
    v->ptr = p;
    v->len = len;
    if (kind == VK_STR && !valid_utf8(p, len))
        return fail(r, DM_MALFORMED, "%s at frame offset %zu is not valid UTF-8", what, r->pos - len);
    return 0;
}

static int decode_value(struct reader *r, const struct dm_param *p, struct dm_value *v, unsigned depth)
{
    v->type = p->type;
    size_t at = r->pos;
    unsigned width = int_width(p->type);
    uint32_t n;
    switch (p->type) {
    case DT_U8: case DT_U16: case DT_U32: case DT_U64: case DT_U128: case DT_USIZE:
        v->kind = VK_UINT;
        return read_le(r, width, &v->bits, "integer argument");
    case DT_I8: case DT_I16: case DT_I32: case DT_I64: case DT_I128: case DT_ISIZE:
        v->kind = VK_INT;
        if (read_le(r, width, &v->bits, "integer argument"))
            return -1;
        if (width < 16 && (v->bits >> (width * 8 - 1)) & 1)
            v->bits |= ~(dm_u128)0 << (width * 8);
        return 0;
    case DT_F32: case DT_F64:
        v->kind = p->type == DT_F32 ? VK_F32 : VK_F64;
        return read_le(r, width, &v->bits, "float argument");
    case DT_BOOL:
        v->kind = VK_BOOL;
        if (read_le(r, 1, &v->bits, "bool argument"))
            return -1;
        if (v->bits > 1)
            return fail(r, DM_MALFORMED, "bool at frame offset %zu is %u, not 0 or 1", at,
                        (unsigned)v->bits);
        return 0;
    case DT_CHAR:
        v->kind = VK_CHAR;
        if (read_le(r, 4, &v->bits, "char argument"))
            return -1;
        if (v->bits > 0x10ffff || (v->bits >= 0xd800 && v->bits <= 0xdfff))
            return fail(r, DM_MALFORMED, "char at frame offset %zu is 0x%x, not a Unicode scalar",
                        at, (unsigned)v->bits);
        return 0;
    case DT_STR:
        if (read_u32(r, &n, "str length"))
            return -1;
        return decode_bytes(r, v, n, VK_STR, "str argument");
    case DT_U8_SLICE:
        if (read_u32(r, &n, "[u8] length"))
            return -1;
        return decode_bytes(r, v, n, VK_BYTES, "[u8] argument");
    case DT_U8_ARRAY:
        return decode_bytes(r, v, p->length, VK_BYTES, "[u8; N] argument");
    case DT_ISTR: {
        if (read_u16(r, &n, "istr index"))
            return -1;
        const struct dm_entry *e = nested_entry(r, n, "interned string", at);
        if (!e)
            return -1;
        v->kind = VK_STR;
        v->ptr = (const uint8_t *)e->data;
        v->len = (uint32_t)strlen(e->data);
        return 0;
    }
    case DT_DEBUG: case DT_DISPLAY: {
        const uint8_t *end = memchr(r->data + r->pos, 0xff, r->size - r->pos);
        if (!end)
            return fail(r, DM_EOF, "preformatted text at frame offset %zu has no 0xff terminator", at);
        if (decode_bytes(r, v, (uint32_t)(end - (r->data + r->pos)), VK_STR, "preformatted text"))
            return -1;
        r->pos++;
        return 0;
    }
    case DT_BITFIELD: {
        unsigned low = p->bit_start / 8u, high = (p->bit_end - 1u) / 8u;
        unsigned bytes = high - low + 1u;
        bytes = bytes == 3 ? 4 : bytes > 4 && bytes <= 8 ? 8 : bytes > 8 ? 16 : bytes;
        v->kind = VK_UINT;
        if (read_le(r, bytes, &v->bits, "bitfield argument"))
            return -1;
        v->bits <<= low * 8u;
        return 0;
    }
    case DT_FORMAT:
        return decode_nested(r, v, NULL, depth);
    case DT_FORMAT_SLICE:
        if (read_u32(r, &n, "[?] length"))
            return -1;
        return decode_elements(r, v, n, depth);
    case DT_FORMAT_ARRAY:
        return decode_elements(r, v, p->length, depth);
    case DT_FORMAT_SEQUENCE:
        return decode_sequence(r, v, depth);
    default:
        return fail(r, DM_MALFORMED, "unsupported argument type at frame offset %zu", at);
    }
}

static int decode_format(struct reader *r, const struct dm_format *f, uint32_t *first, unsigned depth)
{
    if (depth > DM_MAX_DEPTH)
        return fail(r, DM_MALFORMED, "formats nested deeper than %u at frame offset %zu", DM_MAX_DEPTH,
                    r->pos);
    if (f->error)
        return fail(r, DM_MALFORMED, "format string \"%.60s\" is malformed: %s", f->source, f->error);
    if (reserve(r, f->wire_count, first))
        return -1;
    for (uint32_t i = 0; i < f->wire_count; i++) {
        struct dm_value v = {0};
        if (decode_value(r, &f->wire[i], &v, depth))
            return -1;
        r->arena->values[*first + i] = v;
    }
    return 0;
}

void dm_arena_free(struct dm_arena *a)
{
    free(a->values);
    memset(a, 0, sizeof *a);
}

void dm_decode_frame(const struct dm_table *t, struct dm_arena *arena, const uint8_t *data, size_t size,
                     struct dm_frame_result *res)
{
    res->status = DM_OK;
    res->level = ESPCTL_DEFMT_LEVEL_NONE;
    res->index = 0;
    res->consumed = 0;
    res->why[0] = 0;
    dm_text_reset(&res->timestamp);
    dm_text_reset(&res->message);
    arena->count = 0;
    struct reader r = {t, arena, data, size, 0, DM_OK, res->why, sizeof res->why};

    uint32_t index, ts_first = 0, msg_first = 0;
    if (read_u16(&r, &index, "log statement index"))
        goto out;
    const struct dm_entry *e = dm_table_find(t, index);
    if (!e || dm_tag_level(e->tag) == -2) {
        fail(&r, DM_MALFORMED, "%s %u at frame offset 0", e ? "string index is not a log statement:"
                                                            : "unknown string index", index);
        goto out;
    }
    res->index = index;
    if (t->has_timestamp && decode_format(&r, &t->timestamp, &ts_first, 0))
        goto out;
    if (decode_format(&r, &e->format, &msg_first, 0))
        goto out;
    res->consumed = r.pos;
    if (t->has_timestamp && dm_render(arena, &t->timestamp, ts_first, NULL, &res->timestamp, 0))
        fail(&r, DM_MALFORMED, "timestamp does not render (over %u bytes or malformed)", DM_TEXT_LIMIT);
    else if (dm_render(arena, &e->format, msg_first, NULL, &res->message, 0))
        fail(&r, DM_MALFORMED, "message does not render (over %u bytes or malformed)", DM_TEXT_LIMIT);
    else
        res->level = dm_tag_level(e->tag);
out:
    res->status = r.status;
    if (r.status == DM_OK && (res->timestamp.failed || res->message.failed))
        res->status = DM_NOMEM;
}
