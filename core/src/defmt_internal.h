/*
 * core/src/defmt_internal.h — the parts of the defmt decoder (never installed):
 * format-string parser (defmt_format.c), string table from the ELF
 * (defmt_table.c), frame decoder (defmt_decode.c), value rendering
 * (defmt_render.c), framing and the public API (defmt_stream.c).
 */
#ifndef ESPCTL_CORE_DEFMT_INTERNAL_H
#define ESPCTL_CORE_DEFMT_INTERNAL_H

#include "espctl/defmt.h"

#include <stddef.h>
#include <stdint.h>

__extension__ typedef unsigned __int128 dm_u128;

/* Argument types of a format parameter (`{=TYPE}`). */
enum dm_type {
    DT_FORMAT = 1, /* `?` or no type: u16 index of a nested format, then its args */
    DT_FORMAT_SLICE,
    DT_FORMAT_ARRAY,
    DT_FORMAT_SEQUENCE,
    DT_U8, DT_U16, DT_U32, DT_U64, DT_U128, DT_USIZE,
    DT_I8, DT_I16, DT_I32, DT_I64, DT_I128, DT_ISIZE,
    DT_F32, DT_F64,
    DT_BOOL, DT_CHAR, DT_STR, DT_ISTR,
    DT_U8_SLICE, DT_U8_ARRAY,
    DT_BITFIELD,
    DT_DEBUG, DT_DISPLAY
};

/* Display hints (`{:HINT}`). DH_ABSENT: no `:` at all (a parent's hint applies). */
enum dm_hint_kind {
    DH_ABSENT = 0,
    DH_PLAIN, /* `:` with only a zero-pad width, e.g. `{=u8:03}` */
    DH_HEX, DH_OCT, DH_BIN,
    DH_ASCII, DH_DEBUG,
    DH_SECONDS, /* `us`, `ms`: seconds with decimals */
    DH_TIME,    /* `tus`, `tms`, `ts`: [D:]HH:MM:SS[.frac] */
    DH_ISO8601, /* `iso8601ms`, `iso8601s` */
    DH_CBOR, DH_BITFLAGS, DH_UNKNOWN
};

enum dm_precision { DP_SECONDS = 0, DP_MILLIS = 3, DP_MICROS = 6 };

struct dm_hint {
    uint8_t kind;
    uint8_t alternate;
    uint8_t uppercase;
    uint8_t precision;
    uint32_t zero_pad;
};

struct dm_param {
    uint32_t index;
    uint8_t type;
    uint8_t bit_start, bit_end; /* DT_BITFIELD: bits [start, end) */
    uint32_t length;            /* DT_U8_ARRAY / DT_FORMAT_ARRAY */
    struct dm_hint hint;
};

struct dm_frag {
    int is_param;
    uint32_t lit_off, lit_len; /* into dm_format.literals */
    struct dm_param param;
};

/* A parsed format string. */
struct dm_format {
    const char *source;  /* the string as in the table (borrowed from the entry) */
    char *literals;      /* literal text with `{{`/`}}` unescaped */
    struct dm_frag *frags;
    uint32_t frag_count;
    struct dm_param *wire; /* one per argument index, in index order (= wire order) */
    uint32_t wire_count;
    char *error;           /* why parsing failed, or NULL */
};

enum dm_tag {
    TAG_PRIM = 1, TAG_DERIVED, TAG_BITFLAGS, TAG_WRITE, TAG_STR, TAG_PRINTLN,
    TAG_TRACE, TAG_DEBUG, TAG_INFO, TAG_WARN, TAG_ERROR
};

struct dm_entry {
    uint32_t index;
    uint8_t tag;
    char *data;
    struct dm_format format;
    /* When `data` contains '|': an enum; one parsed format per variant. */
    struct dm_format *variants;
    char *variant_text; /* copy of data cut at every '|' (the variants borrow it) */
    uint32_t variant_count;
    uint32_t bar_count;
};

struct dm_table {
    struct dm_entry *entries; /* sorted by index */
    uint32_t count;
    int has_timestamp;
    char *timestamp_data;
    struct dm_format timestamp;
    uint32_t version;
    int32_t encoding;
};

/* ---- defmt_format.c ---- */
/** Parse `source` (borrowed; must outlive `format`). Returns 0, or ESPCTL_E_NOMEM;
 * a malformed string is not an error of the call: format->error says why. */
int dm_format_parse(struct dm_format *format, const char *source);
void dm_format_free(struct dm_format *format);

/* ---- defmt_table.c ---- */
int dm_table_load(struct dm_table *table, const uint8_t *elf, size_t size, const char *label);
void dm_table_free(struct dm_table *table);
/** Entry with this index, or NULL. */
const struct dm_entry *dm_table_find(const struct dm_table *table, uint32_t index);
/** ESPCTL_LOG_* level of a log tag, ESPCTL_DEFMT_LEVEL_NONE for println, -2 otherwise. */
int32_t dm_tag_level(uint8_t tag);

/* ---- text buffer (defmt_render.c) ---- */
struct dm_text {
    char *buf;
    size_t len, cap;
    int failed; /* out of memory or over the limit */
};
#define DM_TEXT_LIMIT (16u * 1024u)
void dm_text_put(struct dm_text *t, const char *s, size_t n);
void dm_text_puts(struct dm_text *t, const char *s);
void dm_text_printf(struct dm_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void dm_text_reset(struct dm_text *t);
void dm_text_free(struct dm_text *t);

/* ---- decoded values (defmt_decode.c, rendered by defmt_render.c) ---- */
enum dm_kind { VK_UINT = 1, VK_INT, VK_F32, VK_F64, VK_BOOL, VK_CHAR, VK_BYTES, VK_STR,
               VK_FORMAT, VK_SLICE, VK_SEQUENCE };

struct dm_value {
    uint8_t kind;
    uint8_t type; /* dm_type the value was read as */
    dm_u128 bits; /* integers (two's complement for signed), bool, char, float bits */
    const uint8_t *ptr;
    uint32_t len;
    const struct dm_format *format; /* VK_FORMAT */
    uint32_t first, count;          /* children in the arena */
};

struct dm_arena {
    struct dm_value *values;
    uint32_t count, cap;
};
#define DM_MAX_VALUES 8192u
#define DM_MAX_DEPTH 24u

enum dm_status { DM_OK = 0, DM_EOF = 1, DM_MALFORMED = 2, DM_NOMEM = 3 };

struct dm_frame_result {
    int status;
    int32_t level;
    uint32_t index;
    size_t consumed;
    struct dm_text timestamp;
    struct dm_text message;
    char why[256];
};

/** Decode one frame's bytes (already unframed) and render it into `result`. */
void dm_decode_frame(const struct dm_table *table, struct dm_arena *arena, const uint8_t *data,
                     size_t size, struct dm_frame_result *result);
void dm_arena_free(struct dm_arena *arena);

/* ---- defmt_render.c ---- */
/** Render `format` whose arguments are arena values [first, first + wire_count). */
int dm_render(const struct dm_arena *arena, const struct dm_format *format, uint32_t first,
              const struct dm_hint *parent_hint, struct dm_text *out, unsigned depth);

/* ---- defmt_rzcobs.c ---- */
/** Decode one rzCOBS frame (without its 0x00 delimiter) into `out` (capacity at
 * at least 7 * size + 8). Returns the decoded length, or -1 when malformed. */
long dm_rzcobs_decode(const uint8_t *frame, size_t size, uint8_t *out, size_t out_cap);

#endif /* ESPCTL_CORE_DEFMT_INTERNAL_H */
