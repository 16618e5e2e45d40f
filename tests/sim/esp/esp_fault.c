#include "esp_fault.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void esp_fault_none(struct esp_faults *f)
{
    memset(f, 0, sizeof *f);
    f->rx.biterr_at = f->rx.drop_at = FAULT_NEVER;
    f->tx.biterr_at = f->tx.drop_at = FAULT_NEVER;
    f->stall_after = FAULT_NEVER;
    f->rng = 1;
}

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 0);
    if (errno || end == s || *end || *s == '-')
        return -1;
    *v = x;
    return 0;
}

static int parse_rate(const char *s, double *v)
{
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (errno || end == s || *end || !(x >= 0.0 && x <= 1.0))
        return -1;
    *v = x;
    return 0;
}

static int parse_stall(struct esp_faults *f, const char *s)
{
    const char *colon = strchr(s, ':');
    if (!colon)
        return -1;
    char count[32];
    size_t n = (size_t)(colon - s);
    if (n == 0 || n >= sizeof count)
        return -1;
    memcpy(count, s, n);
    count[n] = 0;
    if (parse_u64(count, &f->stall_after))
        return -1;
    if (!strcmp(colon + 1, "forever")) {
        f->stall_ms = -1;
        return 0;
    }
    uint64_t ms;
    if (parse_u64(colon + 1, &ms) || ms > 3600000)
        return -1;
    f->stall_ms = (int64_t)ms;
    return 0;
}

static int parse_item(struct esp_faults *f, const char *key, const char *val)
{
    struct esp_fault_dir *dir = NULL;
    if (!strncmp(key, "rx-", 3))
        dir = &f->rx;
    else if (!strncmp(key, "tx-", 3))
        dir = &f->tx;
    if (dir) {
        const char *what = key + 3;
        if (!val)
            return -1;
        if (!strcmp(what, "biterr"))
            return parse_rate(val, &dir->biterr_rate);
        if (!strcmp(what, "drop"))
            return parse_rate(val, &dir->drop_rate);
        if (!strcmp(what, "biterr-at"))
            return parse_u64(val, &dir->biterr_at);
        if (!strcmp(what, "drop-at"))
            return parse_u64(val, &dir->drop_at);
        return -1;
    }
    if (!strcmp(key, "stall-after"))
        return val ? parse_stall(f, val) : -1;
    if (!strcmp(key, "nak-data"))
        return val && !parse_u64(val, &f->nak_data_at) && f->nak_data_at ? 0 : -1;
    if (!strcmp(key, "seed"))
        return val ? parse_u64(val, &f->rng) : -1;
    if (!strcmp(key, "bad-md5") && !val) {
        f->bad_md5 = 1;
        return 0;
    }
    return -1;
}

int esp_fault_parse(struct esp_faults *f, const char *spec, char *err, size_t errlen)
{
    esp_fault_none(f);
    char *copy = strdup(spec);
    if (!copy) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0;
    char *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        if (eq)
            *eq = 0;
        if (parse_item(f, item, eq ? eq + 1 : NULL)) {
            snprintf(err, errlen, "bad fault item '%s%s%s'", item, eq ? "=" : "", eq ? eq + 1 : "");
            rc = -1;
            break;
        }
    }
    free(copy);
    if (!f->rng)
        f->rng = 1;
    return rc;
}

/* xorshift64: reproducible fault positions for a given seed. */
static uint64_t next_random(struct esp_faults *f)
{
    uint64_t x = f->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    f->rng = x;
    return x;
}

static double unit_random(struct esp_faults *f)
{
    return (double)(next_random(f) >> 11) / (double)(1ull << 53);
}

void esp_fault_apply(struct esp_faults *f, struct esp_fault_dir *dir, struct esp_buf *buf)
{
    size_t kept = 0;
    for (size_t i = 0; i < buf->len; i++) {
        uint8_t byte = buf->data[i];
        uint64_t pos = dir->position++;
        if (pos == dir->drop_at || (dir->drop_rate > 0 && unit_random(f) < dir->drop_rate)) {
            dir->bytes_dropped++;
            continue;
        }
        if (pos == dir->biterr_at) {
            byte ^= 0x01;
            dir->bits_flipped++;
        } else if (dir->biterr_rate > 0 && unit_random(f) < dir->biterr_rate) {
            byte ^= (uint8_t)(1u << (next_random(f) % 8));
            dir->bits_flipped++;
        }
        buf->data[kept++] = byte;
    }
    buf->len = kept;
}
