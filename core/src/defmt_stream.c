/* The public defmt decoder: framing (rzcobs or raw) over a byte stream fed in pieces. */
#include "defmt_internal.h"
#include "elf_sections.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest frame held while waiting for its end; longer ones are reported and dropped. */
#define PENDING_LIMIT (64u * 1024u)

struct espctl_defmt {
    struct dm_table table;
    struct dm_arena arena;
    struct dm_frame_result result;
    uint8_t *pending;
    size_t pending_len, pending_cap;
    uint8_t *decoded;
    size_t decoded_cap;
    /* rzcobs: an over-long frame is being skipped up to its delimiter. */
    int discarding;
};

static int make_decoder(espctl_defmt **out, const uint8_t *elf, size_t size, const char *label)
{
    espctl_defmt *d = calloc(1, sizeof *d);
    if (!d)
        return core_error(ESPCTL_E_NOMEM, "%s: out of memory", label);
    int rc = dm_table_load(&d->table, elf, size, label);
    if (rc) {
        free(d);
        return rc;
    }
    *out = d;
    return 0;
}

ESPCTL_API int espctl_defmt_open_bytes(espctl_defmt **decoder, const uint8_t *elf, size_t elf_size,
                                       const char *label)
{
    if (!decoder || (!elf && elf_size))
        return core_error(ESPCTL_E_INVAL, "espctl_defmt_open_bytes: NULL argument");
    *decoder = NULL;
    return make_decoder(decoder, elf ? elf : (const uint8_t *)"", elf_size, label ? label : "ELF");
}

ESPCTL_API int espctl_defmt_open(espctl_defmt **decoder, const char *path)
{
    if (!decoder || !path)
        return core_error(ESPCTL_E_INVAL, "espctl_defmt_open: NULL argument");
    *decoder = NULL;
    uint8_t *data;
    size_t size;
    int rc = core_elf_read_file(path, CORE_ELF_SYMBOLS_MAX_FILE, &data, &size);
    if (rc)
        return rc;
    rc = make_decoder(decoder, data, size, path);
    free(data);
    return rc;
}

ESPCTL_API uint32_t espctl_defmt_version(const espctl_defmt *d)
{
    return d ? d->table.version : 0;
}

ESPCTL_API int32_t espctl_defmt_encoding(const espctl_defmt *d)
{
    return d ? d->table.encoding : 0;
}

ESPCTL_API uint32_t espctl_defmt_table_size(const espctl_defmt *d)
{
    return d ? d->table.count : 0;
}

ESPCTL_API size_t espctl_defmt_pending(const espctl_defmt *d)
{
    return d ? d->pending_len : 0;
}

ESPCTL_API void espctl_defmt_free(espctl_defmt *d)
{
    if (!d)
        return;
    dm_table_free(&d->table);
    dm_arena_free(&d->arena);
    dm_text_free(&d->result.timestamp);
    dm_text_free(&d->result.message);
    free(d->pending);
    free(d->decoded);
    free(d);
}

static void emit_error(const uint8_t *raw, size_t raw_size, uint32_t flags, const char *why,
                       espctl_defmt_frame_fn cb, void *user)
{
    struct espctl_defmt_frame fr = {ESPCTL_ABI_HDR(struct espctl_defmt_frame), ESPCTL_E_FORMAT,
                                    ESPCTL_DEFMT_LEVEL_NONE, 0, flags, "", why, raw, raw_size};
    cb(user, &fr);
}

/* Decode `data` (one unframed frame) and report it with `raw` as its wire bytes. Returns the
 * decoder status so the raw framing can tell "needs more bytes" apart. */
static int report(espctl_defmt *d, const uint8_t *data, size_t size, const uint8_t *raw, size_t raw_size,
                  int eof_is_final, espctl_defmt_frame_fn cb, void *user)
{
    struct dm_frame_result *res = &d->result;
    dm_decode_frame(&d->table, &d->arena, data, size, res);
    if (res->status == DM_EOF && !eof_is_final)
        return DM_EOF;
    if (res->status == DM_OK) {
        size_t extra = 0;
        for (size_t i = res->consumed; i < size; i++)
            extra += data[i] != 0;
        if (extra && eof_is_final) {
            snprintf(res->why, sizeof res->why,
                     "%zu unexpected non-zero bytes after the arguments (frame offset %zu)", extra,
                     res->consumed);
            res->status = DM_MALFORMED;
        }
    }
    if (res->status == DM_NOMEM)
        snprintf(res->why, sizeof res->why, "out of memory decoding the frame");
    if (res->status != DM_OK) {
        char why[300];
        snprintf(why, sizeof why, "undecodable defmt frame: %s", res->why);
        emit_error(raw, raw_size, 0, why, cb, user);
        return res->status;
    }
    struct espctl_defmt_frame fr = {ESPCTL_ABI_HDR(struct espctl_defmt_frame), 0, res->level, res->index,
                                    d->table.has_timestamp ? ESPCTL_DEFMT_FRAME_TIMESTAMP : 0u,
                                    d->table.has_timestamp && res->timestamp.buf ? res->timestamp.buf : "",
                                    res->message.buf ? res->message.buf : "", raw,
                                    eof_is_final ? raw_size : res->consumed};
    cb(user, &fr);
    return DM_OK;
}

static int rzcobs_frame(espctl_defmt *d, const uint8_t *frame, size_t size, espctl_defmt_frame_fn cb,
                        void *user)
{
    size_t need = size * 7u + 8u;
    if (need > d->decoded_cap) {
        uint8_t *g = realloc(d->decoded, need);
        if (!g)
            return core_error(ESPCTL_E_NOMEM, "defmt: out of memory");
        d->decoded = g;
        d->decoded_cap = need;
    }
    long n = dm_rzcobs_decode(frame, size, d->decoded, d->decoded_cap);
    if (n < 0) {
        emit_error(frame, size, 0, "undecodable defmt frame: malformed rzCOBS framing", cb, user);
        return 0;
    }
    report(d, d->decoded, (size_t)n, frame, size, 1, cb, user);
    return 0;
}

static int append(espctl_defmt *d, const uint8_t *data, size_t size)
{
    if (d->pending_len + size > d->pending_cap) {
        size_t cap = d->pending_cap ? d->pending_cap : 256;
        while (cap < d->pending_len + size)
            cap *= 2;
        uint8_t *g = realloc(d->pending, cap);
        if (!g)
            return core_error(ESPCTL_E_NOMEM, "defmt: out of memory");
        d->pending = g;
        d->pending_cap = cap;
    }
    memcpy(d->pending + d->pending_len, data, size);
    d->pending_len += size;
    return 0;
}

static void overflow(espctl_defmt *d, espctl_defmt_frame_fn cb, void *user)
{
    char why[128];
    snprintf(why, sizeof why, "undecodable defmt frame: longer than %u bytes without an end; dropped",
             PENDING_LIMIT);
    emit_error(d->pending, d->pending_len, 0, why, cb, user);
    d->pending_len = 0;
}

static int feed_rzcobs(espctl_defmt *d, const uint8_t *data, size_t size, espctl_defmt_frame_fn cb,
                       void *user)
{
    size_t i = 0;
    while (i < size) {
        if (d->pending_len == 0 && !d->discarding) {
            while (i < size && data[i] == 0)
                i++;
            if (i == size)
                break;
        }
        const uint8_t *zero = memchr(data + i, 0, size - i);
        size_t end = zero ? (size_t)(zero - data) : size;
        if (d->discarding) {
            d->discarding = zero == NULL;
        } else if (d->pending_len + (end - i) > PENDING_LIMIT) {
            size_t room = PENDING_LIMIT - d->pending_len;
            if (append(d, data + i, room))
                return ESPCTL_E_NOMEM;
            overflow(d, cb, user);
            d->discarding = zero == NULL;
        } else if (!zero) {
            return append(d, data + i, end - i);
        } else if (d->pending_len == 0) {
            if (rzcobs_frame(d, data + i, end - i, cb, user))
                return ESPCTL_E_NOMEM;
        } else {
            if (append(d, data + i, end - i))
                return ESPCTL_E_NOMEM;
            int rc = rzcobs_frame(d, d->pending, d->pending_len, cb, user);
            d->pending_len = 0;
            if (rc)
                return rc;
        }
        i = end;
    }
    return 0;
}

static int feed_raw(espctl_defmt *d, const uint8_t *data, size_t size, espctl_defmt_frame_fn cb, void *user)
{
    if (append(d, data, size))
        return ESPCTL_E_NOMEM;
    size_t start = 0;
    while (start < d->pending_len) {
        const uint8_t *p = d->pending + start;
        size_t left = d->pending_len - start;
        int st = report(d, p, left, p, left, 0, cb, user);
        if (st == DM_EOF)
            break;
        if (st != DM_OK) {
            start = d->pending_len; /* raw framing cannot resynchronise: drop what is held */
            break;
        }
        start += d->result.consumed;
    }
    memmove(d->pending, d->pending + start, d->pending_len - start);
    d->pending_len -= start;
    if (d->pending_len > PENDING_LIMIT)
        overflow(d, cb, user);
    return 0;
}

ESPCTL_API int espctl_defmt_feed(espctl_defmt *d, const uint8_t *data, size_t size,
                                 espctl_defmt_frame_fn cb, void *user)
{
    if (!d || !cb || (!data && size))
        return core_error(ESPCTL_E_INVAL, "espctl_defmt_feed: NULL argument");
    if (size == 0)
        return 0;
    return d->table.encoding == ESPCTL_DEFMT_RAW ? feed_raw(d, data, size, cb, user)
                                                 : feed_rzcobs(d, data, size, cb, user);
}

ESPCTL_API int espctl_defmt_flush(espctl_defmt *d, espctl_defmt_frame_fn cb, void *user)
{
    if (!d || !cb)
        return core_error(ESPCTL_E_INVAL, "espctl_defmt_flush: NULL argument");
    d->discarding = 0;
    if (d->pending_len == 0)
        return 0;
    char why[128];
    snprintf(why, sizeof why, "undecodable defmt frame: stream ended inside a frame (%zu bytes)",
             d->pending_len);
    emit_error(d->pending, d->pending_len, ESPCTL_DEFMT_FRAME_TRUNCATED, why, cb, user);
    d->pending_len = 0;
    return 0;
}
