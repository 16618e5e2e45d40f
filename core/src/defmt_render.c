/* Rendering decoded defmt arguments as text, the way defmt-decoder displays them. */
#include "defmt_internal.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- text buffer ---- */

void dm_text_put(struct dm_text *t, const char *s, size_t n)
{
    if (t->failed)
        return;
    if (t->len + n > DM_TEXT_LIMIT) {
        t->failed = 1;
        return;
    }
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 128;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *g = realloc(t->buf, cap);
        if (!g) {
            t->failed = 1;
            return;
        }
        t->buf = g;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = 0;
}

void dm_text_puts(struct dm_text *t, const char *s)
{
    dm_text_put(t, s, strlen(s));
}

void dm_text_printf(struct dm_text *t, const char *fmt, ...)
{
    char buf[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof buf)
        t->failed = 1;
    else
        dm_text_put(t, buf, (size_t)n);
}

void dm_text_reset(struct dm_text *t)
{
    t->len = 0;
    t->failed = 0;
    if (t->buf)
        t->buf[0] = 0;
}

void dm_text_free(struct dm_text *t)
{
    free(t->buf);
    memset(t, 0, sizeof *t);
}

static void put_zeros(struct dm_text *t, size_t n)
{
    static const char zeros[] = "0000000000000000";
    while (n > 0 && !t->failed) {
        size_t k = n < 16 ? n : 16;
        dm_text_put(t, zeros, k);
        n -= k;
    }
}

/* ---- integers ---- */

/* Digits of x in `base` (2, 8, 10, 16) into buf (at least 129 bytes); returns the length. */
static size_t u128_digits(dm_u128 x, unsigned base, int upper, char *buf)
{
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char tmp[129];
    size_t n = 0;
    do {
        tmp[n++] = set[(unsigned)(x % base)];
        x /= base;
    } while (x);
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = 0;
    return n;
}

/* `prefix` and digits, zero-padded after the prefix to `width` characters in all. */
static void put_padded(struct dm_text *t, const char *prefix, const char *digits, size_t n, size_t width)
{
    size_t plen = strlen(prefix);
    dm_text_puts(t, prefix);
    if (plen + n < width)
        put_zeros(t, width - plen - n);
    dm_text_put(t, digits, n);
}

static void put_radix(struct dm_text *t, dm_u128 x, const struct dm_hint *h)
{
    unsigned base = h->kind == DH_HEX ? 16 : h->kind == DH_OCT ? 8 : 2;
    const char *prefix = !h->alternate ? "" : base == 16 ? "0x" : base == 8 ? "0o" : "0b";
    char digits[130];
    size_t n = u128_digits(x, base, h->uppercase, digits);
    put_padded(t, prefix, digits, n, h->zero_pad);
}

static void put_time(struct dm_text *t, dm_u128 x, unsigned precision)
{
    dm_u128 scale = precision == DP_MICROS ? 1000000u : precision == DP_MILLIS ? 1000u : 1u;
    dm_u128 total = x / scale, frac = x % scale;
    unsigned secs = (unsigned)(total % 60), mins = (unsigned)(total / 60 % 60);
    unsigned hours = (unsigned)(total / 3600 % 24);
    dm_u128 days = total / 86400;
    if (days) {
        char digits[130];
        u128_digits(days, 10, 0, digits);
        dm_text_puts(t, digits);
        dm_text_puts(t, ":");
    }
    dm_text_printf(t, "%02u:%02u:%02u", hours, mins, secs);
    if (precision)
        dm_text_printf(t, ".%0*u", (int)precision, (unsigned)frac);
}

static void put_iso8601(struct dm_text *t, dm_u128 x, unsigned precision)
{
    dm_u128 scale = precision == DP_MILLIS ? 1000u : 1u;
    dm_u128 secs = x / scale;
    struct tm tm;
    time_t tt = (time_t)secs;
    if (secs > 253402300799u || !gmtime_r(&tt, &tm)) { /* beyond 9999-12-31: plain number */
        char digits[130];
        u128_digits(x, 10, 0, digits);
        dm_text_puts(t, digits);
        return;
    }
    dm_text_printf(t, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                   tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (precision == DP_MILLIS)
        dm_text_printf(t, ".%03u", (unsigned)(x % scale));
    dm_text_puts(t, "Z");
}

static void put_u128(struct dm_text *t, dm_u128 x, const struct dm_hint *h)
{
    char digits[130];
    size_t n;
    switch (h ? h->kind : DH_ABSENT) {
    case DH_PLAIN:
        n = u128_digits(x, 10, 0, digits);
        put_padded(t, "", digits, n, h->zero_pad);
        return;
    case DH_HEX: case DH_OCT: case DH_BIN:
        put_radix(t, x, h);
        return;
    case DH_SECONDS: {
        dm_u128 scale = h->precision == DP_MICROS ? 1000000u : 1000u;
        u128_digits(x / scale, 10, 0, digits);
        dm_text_puts(t, digits);
        dm_text_printf(t, ".%0*u", (int)h->precision, (unsigned)(x % scale));
        return;
    }
    case DH_TIME:
        put_time(t, x, h->precision);
        return;
    default:
        u128_digits(x, 10, 0, digits);
        dm_text_puts(t, digits);
    }
}

static unsigned type_bits(uint8_t type)
{
    switch (type) {
    case DT_I8: return 8;
    case DT_I16: return 16;
    case DT_I32: case DT_ISIZE: return 32;
    case DT_I64: return 64;
    default: return 128;
    }
}

static void put_i128(struct dm_text *t, dm_u128 bits, uint8_t type, const struct dm_hint *h)
{
    int negative = (bits >> 127) & 1;
    dm_u128 magnitude = negative ? ~bits + 1 : bits;
    char digits[130];
    size_t n;
    switch (h ? h->kind : DH_ABSENT) {
    case DH_PLAIN:
        n = u128_digits(magnitude, 10, 0, digits);
        put_padded(t, negative ? "-" : "", digits, n, h->zero_pad);
        return;
    case DH_HEX: {
        /* Two's complement at the argument's own width. */
        unsigned w = type_bits(type);
        dm_u128 v = w == 128 ? bits : bits & ((((dm_u128)1) << w) - 1);
        put_radix(t, v, h);
        return;
    }
    case DH_OCT: case DH_BIN:
        put_radix(t, bits, h);
        return;
    default:
        n = u128_digits(magnitude, 10, 0, digits);
        if (negative)
            dm_text_puts(t, "-");
        dm_text_put(t, digits, n);
    }
}

/* ---- floats: shortest round-trip digits, laid out as Rust's ryu crate does ---- */

static void put_float(struct dm_text *t, dm_u128 raw, int single)
{
    double v;
    float f = 0;
    if (single) {
        uint32_t b = (uint32_t)raw;
        memcpy(&f, &b, sizeof f);
        v = f;
    } else {
        uint64_t b = (uint64_t)raw;
        memcpy(&v, &b, sizeof v);
    }
    if (isnan(v)) {
        dm_text_puts(t, "NaN");
        return;
    }
    if (signbit(v))
        dm_text_puts(t, "-");
    v = fabs(v);
    if (isinf(v)) {
        dm_text_puts(t, "inf");
        return;
    }
    if (v == 0) {
        dm_text_puts(t, "0.0");
        return;
    }
    char buf[64];
    int max = single ? 9 : 17;
    for (int prec = 1; prec <= max; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec - 1, v);
        if (single ? strtof(buf, NULL) == fabsf(f) : strtod(buf, NULL) == v)
            break;
    }
    char digits[24];
    size_t len = 0;
    char *e = strchr(buf, 'e');
    for (char *c = buf; c < e && len < sizeof digits - 1; c++)
        if (*c >= '0' && *c <= '9')
            digits[len++] = *c;
    while (len > 1 && digits[len - 1] == '0')
        len--;
    digits[len] = 0;
    long exp10 = strtol(e + 1, NULL, 10);
    long k = exp10 - (long)(len - 1), kk = (long)len + k;
    long high = single ? 13 : 16, low = single ? -6 : -5;
    if (k >= 0 && kk <= high) {
        dm_text_put(t, digits, len);
        put_zeros(t, (size_t)k);
        dm_text_puts(t, ".0");
    } else if (kk > 0 && kk <= high) {
        dm_text_put(t, digits, (size_t)kk);
        dm_text_puts(t, ".");
        dm_text_put(t, digits + kk, len - (size_t)kk);
    } else if (kk > low && kk <= 0) {
        dm_text_puts(t, "0.");
        put_zeros(t, (size_t)-kk);
        dm_text_put(t, digits, len);
    } else {
        dm_text_put(t, digits, 1);
        if (len > 1) {
            dm_text_puts(t, ".");
            dm_text_put(t, digits + 1, len - 1);
        }
        dm_text_printf(t, "e%ld", kk - 1);
    }
}

/* ---- bytes and strings ---- */

static void put_bytes(struct dm_text *t, const uint8_t *p, size_t n, const struct dm_hint *h)
{
    uint8_t kind = h ? h->kind : DH_ABSENT;
    if (kind == DH_ASCII) {
        dm_text_puts(t, "b\"");
        for (size_t i = 0; i < n && !t->failed; i++) {
            uint8_t c = p[i];
            if (c == '\t')
                dm_text_puts(t, "\\t");
            else if (c == '\n')
                dm_text_puts(t, "\\n");
            else if (c == '\r')
                dm_text_puts(t, "\\r");
            else if (c == '"')
                dm_text_puts(t, "\\\"");
            else if (c == '\\')
                dm_text_puts(t, "\\\\");
            else if (c >= 0x20 && c < 0x7f)
                dm_text_put(t, (const char *)&c, 1);
            else
                dm_text_printf(t, "\\x%02x", c);
        }
        dm_text_puts(t, "\"");
        return;
    }
    int radix = kind == DH_HEX || kind == DH_OCT || kind == DH_BIN;
    dm_text_puts(t, "[");
    for (size_t i = 0; i < n && !t->failed; i++) {
        if (i)
            dm_text_puts(t, ", ");
        if (radix)
            put_radix(t, p[i], h);
        else
            dm_text_printf(t, "%u", p[i]);
    }
    dm_text_puts(t, "]");
}

/* Rust's `{:?}` for str: quoted, with \t \r \n \\ \" \0 and \u{..} for other controls. */
static void put_str(struct dm_text *t, const uint8_t *p, size_t n, const struct dm_hint *h)
{
    if (!h || h->kind != DH_DEBUG) {
        dm_text_put(t, (const char *)p, n);
        return;
    }
    dm_text_puts(t, "\"");
    for (size_t i = 0; i < n && !t->failed; i++) {
        uint8_t c = p[i];
        switch (c) {
        case '\t': dm_text_puts(t, "\\t"); break;
        case '\r': dm_text_puts(t, "\\r"); break;
        case '\n': dm_text_puts(t, "\\n"); break;
        case '\\': dm_text_puts(t, "\\\\"); break;
        case '"': dm_text_puts(t, "\\\""); break;
        case 0: dm_text_puts(t, "\\0"); break;
        default:
            if (c < 0x20 || c == 0x7f)
                dm_text_printf(t, "\\u{%x}", c);
            else
                dm_text_put(t, (const char *)&c, 1);
        }
    }
    dm_text_puts(t, "\"");
}

static void put_char(struct dm_text *t, uint32_t cp)
{
    char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (char)(0xc0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (char)(0xe0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        b[0] = (char)(0xf0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        b[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    dm_text_put(t, b, n);
}

/* ---- parameters ---- */

static void put_bitfield(struct dm_text *t, dm_u128 x, const struct dm_param *p, const struct dm_hint *h)
{
    unsigned left = 128u - p->bit_end, right = left + p->bit_start;
    dm_u128 field = (x << left) >> right;
    if (h && h->kind == DH_ASCII) {
        uint8_t be[16];
        for (unsigned i = 0; i < 16; i++)
            be[i] = (uint8_t)(field >> (8 * (15 - i)));
        put_bytes(t, be + right / 8, 16 - right / 8, h);
    } else {
        put_u128(t, field, h);
    }
}

/* `[?]` of u8 elements with the `a` hint renders as a byte string. */
static int slice_as_ascii(const struct dm_arena *a, const struct dm_value *v, struct dm_text *t,
                          const struct dm_hint *h)
{
    int any_u8 = 0;
    for (uint32_t k = 0; k < v->count; k++)
        any_u8 |= strcmp(a->values[v->first + k].format->source, "{=u8}") == 0;
    if (!any_u8 || v->count > DM_TEXT_LIMIT)
        return 0;
    uint8_t bytes[256];
    if (v->count > sizeof bytes)
        return 0;
    for (uint32_t k = 0; k < v->count; k++) {
        const struct dm_value *e = &a->values[v->first + k];
        if (e->count != 1 || a->values[e->first].kind != VK_UINT || a->values[e->first].bits > 0xff)
            return 0;
        bytes[k] = (uint8_t)a->values[e->first].bits;
    }
    put_bytes(t, bytes, v->count, h);
    return 1;
}

static int put_value(const struct dm_arena *a, const struct dm_param *p, const struct dm_value *v,
                     const struct dm_hint *h, const struct dm_hint *parent, struct dm_text *t,
                     unsigned depth)
{
    switch (v->kind) {
    case VK_BOOL:
        dm_text_puts(t, v->bits ? "true" : "false");
        return 0;
    case VK_F32: case VK_F64:
        put_float(t, v->bits, v->kind == VK_F32);
        return 0;
    case VK_UINT:
        if (p->type == DT_BITFIELD)
            put_bitfield(t, v->bits, p, h);
        else if (h && h->kind == DH_ISO8601)
            put_iso8601(t, v->bits, h->precision);
        else
            put_u128(t, v->bits, h && h->kind == DH_DEBUG ? parent : h);
        return 0;
    case VK_INT:
        put_i128(t, v->bits, v->type, h);
        return 0;
    case VK_CHAR:
        put_char(t, (uint32_t)v->bits);
        return 0;
    case VK_STR:
        put_str(t, v->ptr, v->len, h);
        return 0;
    case VK_BYTES:
        put_bytes(t, v->ptr, v->len, h);
        return 0;
    case VK_FORMAT:
        return dm_render(a, v->format, v->first, parent && parent->kind == DH_ASCII ? parent : h, t,
                         depth + 1);
    case VK_SEQUENCE:
        for (uint32_t k = 0; k < v->count; k++) {
            const struct dm_value *e = &a->values[v->first + k];
            if (dm_render(a, e->format, e->first, h, t, depth + 1))
                return -1;
        }
        return 0;
    case VK_SLICE:
        if (h && h->kind == DH_ASCII && slice_as_ascii(a, v, t, h))
            return 0;
        dm_text_puts(t, "[");
        for (uint32_t k = 0; k < v->count && !t->failed; k++) {
            const struct dm_value *e = &a->values[v->first + k];
            if (k)
                dm_text_puts(t, ", ");
            if (dm_render(a, e->format, e->first, h, t, depth + 1))
                return -1;
        }
        dm_text_puts(t, "]");
        return 0;
    default:
        return -1;
    }
}

int dm_render(const struct dm_arena *a, const struct dm_format *f, uint32_t first,
              const struct dm_hint *parent, struct dm_text *t, unsigned depth)
{
    if (depth > DM_MAX_DEPTH + 2 || f->error)
        return -1;
    for (uint32_t i = 0; i < f->frag_count && !t->failed; i++) {
        const struct dm_frag *fr = &f->frags[i];
        if (!fr->is_param) {
            dm_text_put(t, f->literals + fr->lit_off, fr->lit_len);
            continue;
        }
        const struct dm_param *p = &fr->param;
        const struct dm_hint *h = p->hint.kind != DH_ABSENT ? &p->hint : parent;
        if (put_value(a, p, &a->values[first + p->index], h, parent, t, depth))
            return -1;
    }
    return t->failed ? -1 : 0;
}
