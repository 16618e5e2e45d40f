/* Intel HEX text from the load-address runs of an ELF image. */
#include "ihex.h"

#include "espctl/common.h"

#include <stdlib.h>

#define IHEX_RECORD_DATA 16u
#define IHEX_LINE_MAX (1 + 2 + 4 + 2 + 2 * IHEX_RECORD_DATA + 2 + 2)

struct ihex_out {
    core_sink_fn sink; /* NULL: only count */
    void *user;
    uint64_t total;
    size_t fill;
    char *buf;
};

#define IHEX_BUF_SIZE 65536u

static int out_flush(struct ihex_out *o)
{
    int rc = 0;
    if (o->sink && o->fill)
        rc = o->sink(o->user, o->buf, o->fill);
    o->fill = 0;
    return rc;
}

static int record(struct ihex_out *o, uint8_t type, uint16_t addr, const uint8_t *data, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t line = 1 + 2 * (4 + len + 1) + 2;
    o->total += line;
    if (!o->sink)
        return 0;
    if (o->fill + IHEX_LINE_MAX > IHEX_BUF_SIZE) {
        int rc = out_flush(o);
        if (rc)
            return rc;
    }
    char *p = o->buf + o->fill;
    uint8_t head[4] = {(uint8_t)len, (uint8_t)(addr >> 8), (uint8_t)addr, type};
    uint8_t sum = 0;
    *p++ = ':';
    for (size_t i = 0; i < 4 + len; i++) {
        uint8_t b = i < 4 ? head[i] : data[i - 4];
        sum = (uint8_t)(sum + b);
        *p++ = hex[b >> 4];
        *p++ = hex[b & 15];
    }
    sum = (uint8_t)(0x100 - sum);
    *p++ = hex[sum >> 4];
    *p++ = hex[sum & 15];
    *p++ = '\r';
    *p++ = '\n';
    o->fill += line;
    return 0;
}

static int generate(const struct core_elf_image *image, struct ihex_out *o)
{
    uint32_t upper = 0;
    int rc;
    for (size_t i = 0; i < image->run_count; i++) {
        const struct core_elf_run *r = &image->runs[i];
        uint64_t where = r->lma;
        const uint8_t *p = r->data;
        uint64_t left = r->size;
        while (left) {
            if ((where >> 16) != upper) {
                upper = (uint32_t)(where >> 16);
                uint8_t ela[2] = {(uint8_t)(upper >> 8), (uint8_t)upper};
                if ((rc = record(o, 0x04, 0, ela, 2)))
                    return rc;
            }
            uint64_t now = left < IHEX_RECORD_DATA ? left : IHEX_RECORD_DATA;
            uint64_t to_boundary = 0x10000 - (where & 0xffff);
            if (now > to_boundary)
                now = to_boundary;
            if ((rc = record(o, 0x00, (uint16_t)(where & 0xffff), p, (size_t)now)))
                return rc;
            where += now;
            p += now;
            left -= now;
        }
    }
    if (image->entry != 0) {
        uint8_t start[4] = {(uint8_t)(image->entry >> 24), (uint8_t)(image->entry >> 16),
                            (uint8_t)(image->entry >> 8), (uint8_t)image->entry};
        if ((rc = record(o, 0x05, 0, start, 4)))
            return rc;
    }
    if ((rc = record(o, 0x01, 0, NULL, 0)))
        return rc;
    return out_flush(o);
}

uint64_t core_ihex_size(const struct core_elf_image *image)
{
    struct ihex_out o = {0};
    generate(image, &o);
    return o.total;
}

int core_ihex_write(const struct core_elf_image *image, core_sink_fn sink, void *user)
{
    struct ihex_out o = {.sink = sink, .user = user, .buf = malloc(IHEX_BUF_SIZE)};
    if (!o.buf)
        return ESPCTL_E_NOMEM;
    int rc = generate(image, &o);
    free(o.buf);
    return rc;
}
