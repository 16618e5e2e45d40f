/* defmt format strings: `literal {INDEX=TYPE:HINT} literal`, parsed once per table entry. */
#include "defmt_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARG_INDEX 1023u

struct type_name {
    const char *name;
    uint8_t type;
};

static const struct type_name type_names[] = {
    {"u8", DT_U8}, {"u16", DT_U16}, {"u32", DT_U32}, {"u64", DT_U64}, {"u128", DT_U128},
    {"usize", DT_USIZE}, {"i8", DT_I8}, {"i16", DT_I16}, {"i32", DT_I32}, {"i64", DT_I64},
    {"i128", DT_I128}, {"isize", DT_ISIZE}, {"f32", DT_F32}, {"f64", DT_F64}, {"bool", DT_BOOL},
    {"str", DT_STR}, {"istr", DT_ISTR}, {"__internal_Debug", DT_DEBUG},
    {"__internal_Display", DT_DISPLAY}, {"__internal_FormatSequence", DT_FORMAT_SEQUENCE},
    {"[u8]", DT_U8_SLICE}, {"?", DT_FORMAT}, {"[?]", DT_FORMAT_SLICE}, {"char", DT_CHAR},
};

struct hint_name {
    const char *name;
    uint8_t kind, uppercase, precision;
};

static const struct hint_name hint_names[] = {
    {"us", DH_SECONDS, 0, DP_MICROS}, {"ms", DH_SECONDS, 0, DP_MILLIS},
    {"tus", DH_TIME, 0, DP_MICROS}, {"tms", DH_TIME, 0, DP_MILLIS}, {"ts", DH_TIME, 0, DP_SECONDS},
    {"a", DH_ASCII, 0, 0}, {"b", DH_BIN, 0, 0}, {"o", DH_OCT, 0, 0}, {"x", DH_HEX, 0, 0},
    {"X", DH_HEX, 1, 0}, {"iso8601ms", DH_ISO8601, 0, DP_MILLIS},
    {"iso8601s", DH_ISO8601, 0, DP_SECONDS}, {"cbor", DH_CBOR, 0, 0}, {"?", DH_DEBUG, 0, 0},
};

struct parser {
    struct dm_format *f;
    size_t lit_cap, frag_cap;
    size_t lit_len;
    int nomem;
};

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parser *p, const char *fmt, ...)
{
    if (p->f->error)
        return -1;
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    p->f->error = strdup(buf);
    if (!p->f->error)
        p->nomem = 1;
    return -1;
}

static int grow(struct parser *p, void **ptr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 8;
    while (n < need)
        n *= 2;
    void *g = realloc(*ptr, n * elem);
    if (!g) {
        p->nomem = 1;
        return -1;
    }
    *ptr = g;
    *cap = n;
    return 0;
}

static int push_frag(struct parser *p, const struct dm_frag *frag)
{
    struct dm_format *f = p->f;
    if (grow(p, (void **)&f->frags, &p->frag_cap, f->frag_count + 1u, sizeof *f->frags))
        return -1;
    f->frags[f->frag_count++] = *frag;
    return 0;
}

/* A literal run: single braces are errors, doubled ones stand for themselves. */
static int push_literal(struct parser *p, const char *s, size_t n, size_t at)
{
    if (n == 0)
        return 0;
    struct dm_format *f = p->f;
    if (grow(p, (void **)&f->literals, &p->lit_cap, p->lit_len + n + 1, 1))
        return -1;
    uint32_t start = (uint32_t)p->lit_len;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '{' || c == '}') {
            if (i + 1 >= n || s[i + 1] != c)
                return fail(p, "unmatched `%c` at offset %zu", c, at + i);
            i++;
        }
        f->literals[p->lit_len++] = c;
    }
    f->literals[p->lit_len] = 0;
    struct dm_frag frag = {0, start, (uint32_t)(p->lit_len - start), {0, 0, 0, 0, 0, {0, 0, 0, 0, 0}}};
    return push_frag(p, &frag);
}

/* Digits at s[0..n); returns how many were read, value in *out (saturating). */
static size_t read_number(const char *s, size_t n, uint64_t *out)
{
    size_t i = 0;
    uint64_t v = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        if (v < 100000000000ull)
            v = v * 10 + (uint64_t)(s[i] - '0');
        i++;
    }
    *out = v;
    return i;
}

static int parse_array_length(struct parser *p, const char *s, size_t n, uint32_t *len)
{
    size_t i = 0;
    while (i < n && s[i] == ' ')
        i++;
    uint64_t v;
    size_t digits = read_number(s + i, n - i, &v);
    if (digits == 0 || i + digits + 1 != n || s[n - 1] != ']' || v > 0xffffffffu)
        return fail(p, "invalid array length in type `%.*s`", (int)n, s);
    *len = (uint32_t)v;
    return 0;
}

static int parse_type(struct parser *p, const char *s, size_t n, struct dm_param *param)
{
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++) {
        if (strlen(type_names[i].name) == n && memcmp(type_names[i].name, s, n) == 0) {
            param->type = type_names[i].type;
            return 0;
        }
    }
    if (n > 4 && memcmp(s, "[u8;", 4) == 0) {
        param->type = DT_U8_ARRAY;
        return parse_array_length(p, s + 4, n - 4, &param->length);
    }
    if (n > 3 && memcmp(s, "[?;", 3) == 0) {
        param->type = DT_FORMAT_ARRAY;
        return parse_array_length(p, s + 3, n - 3, &param->length);
    }
    uint64_t start, end;
    size_t a = read_number(s, n, &start);
    if (a > 0 && a + 2 < n && s[a] == '.' && s[a + 1] == '.') {
        size_t b = read_number(s + a + 2, n - a - 2, &end);
        if (b > 0 && a + 2 + b == n && end > start && start < 128 && end <= 128) {
            param->type = DT_BITFIELD;
            param->bit_start = (uint8_t)start;
            param->bit_end = (uint8_t)end;
            return 0;
        }
    }
    return fail(p, "invalid type specifier `%.*s`", (int)n, s);
}

static void parse_hint(const char *s, size_t n, struct dm_hint *h)
{
    memset(h, 0, sizeof *h);
    size_t i = 0;
    if (i < n && s[i] == '#') {
        h->alternate = 1;
        i++;
    }
    if (i < n && s[i] == '0') {
        uint64_t pad;
        size_t digits = read_number(s + i + 1, n - i - 1, &pad);
        if (digits == 0) {
            h->kind = DH_UNKNOWN;
            return;
        }
        h->zero_pad = pad > 4096 ? 4096 : (uint32_t)pad;
        i += 1 + digits;
    }
    const char *rest = s + i;
    size_t rest_len = n - i;
    static const char bitflags[] = "__internal_bitflags_";
    if (rest_len >= sizeof bitflags - 1 && memcmp(rest, bitflags, sizeof bitflags - 1) == 0) {
        h->kind = DH_BITFLAGS;
        return;
    }
    if (rest_len == 0) {
        h->kind = DH_PLAIN;
        return;
    }
    for (size_t k = 0; k < sizeof hint_names / sizeof hint_names[0]; k++) {
        if (strlen(hint_names[k].name) == rest_len && memcmp(hint_names[k].name, rest, rest_len) == 0) {
            h->kind = hint_names[k].kind;
            h->uppercase = hint_names[k].uppercase;
            h->precision = hint_names[k].precision;
            return;
        }
    }
    h->kind = DH_UNKNOWN;
}

/* The inside of `{...}` at source offset `at`. */
static int parse_param(struct parser *p, const char *s, size_t n, size_t at, uint32_t *next_index,
                       struct dm_param *param)
{
    memset(param, 0, sizeof *param);
    param->type = DT_FORMAT;
    uint64_t index;
    size_t digits = read_number(s, n, &index);
    if (digits) {
        if (index > MAX_ARG_INDEX)
            return fail(p, "argument index %llu at offset %zu is too large", (unsigned long long)index,
                        at);
        param->index = (uint32_t)index;
    } else {
        param->index = (*next_index)++;
        if (param->index > MAX_ARG_INDEX)
            return fail(p, "too many arguments (offset %zu)", at);
    }
    size_t i = digits;
    if (i < n && s[i] == '=') {
        i++;
        const char *colon = memchr(s + i, ':', n - i);
        size_t type_end = colon ? (size_t)(colon - s) : n;
        if (parse_type(p, s + i, type_end - i, param))
            return -1;
        i = type_end;
    }
    if (i < n && s[i] == ':') {
        parse_hint(s + i + 1, n - i - 1, &param->hint);
        if (param->hint.kind == DH_ABSENT)
            param->hint.kind = DH_PLAIN;
    } else if (i < n) {
        return fail(p, "unexpected `%.*s` in parameter at offset %zu", (int)(n - i), s + i, at);
    }
    return 0;
}

/* One wire parameter per argument index: dense, types agree, bitfields merged. */
static int build_wire(struct parser *p)
{
    struct dm_format *f = p->f;
    uint32_t count = 0;
    for (uint32_t i = 0; i < f->frag_count; i++)
        if (f->frags[i].is_param && f->frags[i].param.index + 1 > count)
            count = f->frags[i].param.index + 1;
    if (count == 0)
        return 0;
    f->wire = calloc(count, sizeof *f->wire);
    uint8_t *seen = calloc(count, 1);
    if (!f->wire || !seen) {
        free(seen);
        p->nomem = 1;
        return -1;
    }
    f->wire_count = count;
    int rc = 0;
    for (uint32_t i = 0; i < f->frag_count && rc == 0; i++) {
        if (!f->frags[i].is_param)
            continue;
        const struct dm_param *q = &f->frags[i].param;
        struct dm_param *w = &f->wire[q->index];
        if (!seen[q->index]) {
            *w = *q;
            seen[q->index] = 1;
            continue;
        }
        if (w->type != q->type || (q->type != DT_BITFIELD && w->length != q->length)) {
            rc = fail(p, "conflicting types for argument %u", q->index);
        } else if (q->type == DT_BITFIELD) {
            if (q->bit_start < w->bit_start)
                w->bit_start = q->bit_start;
            if (q->bit_end > w->bit_end)
                w->bit_end = q->bit_end;
        }
    }
    for (uint32_t i = 0; i < count && rc == 0; i++)
        if (!seen[i])
            rc = fail(p, "argument %u is not used in this format string", i);
    free(seen);
    return rc;
}

int dm_format_parse(struct dm_format *f, const char *src)
{
    memset(f, 0, sizeof *f);
    f->source = src;
    struct parser p = {f, 0, 0, 0, 0};
    size_t n = strlen(src), end = 0, i = 0;
    uint32_t next_index = 0;
    while (i < n && !f->error) {
        if (src[i] != '{') {
            i++;
            continue;
        }
        if (i + 1 < n && src[i + 1] == '{') {
            i += 2;
            continue;
        }
        if (push_literal(&p, src + end, i - end, end))
            break;
        const char *close = memchr(src + i + 1, '}', n - i - 1);
        if (!close) {
            fail(&p, "missing `}` for `{` at offset %zu", i);
            break;
        }
        size_t len = (size_t)(close - (src + i + 1));
        struct dm_frag frag = {1, 0, 0, {0, 0, 0, 0, 0, {0, 0, 0, 0, 0}}};
        if (parse_param(&p, src + i + 1, len, i, &next_index, &frag.param) || push_frag(&p, &frag))
            break;
        i = end = i + 1 + len + 1;
    }
    if (!f->error && !p.nomem)
        push_literal(&p, src + end, n - end, end);
    if (!f->error && !p.nomem)
        build_wire(&p);
    if (!f->literals && !p.nomem) {
        f->literals = calloc(1, 1);
        if (!f->literals)
            p.nomem = 1;
    }
    if (p.nomem) {
        dm_format_free(f);
        return ESPCTL_E_NOMEM;
    }
    return 0;
}

void dm_format_free(struct dm_format *f)
{
    free(f->literals);
    free(f->frags);
    free(f->wire);
    free(f->error);
    memset(f, 0, sizeof *f);
}
