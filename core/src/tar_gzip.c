/* Chunked, multi-threaded gzip writer with deterministic output (zlib). */
#include "tar_io.h"

#include "internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define GZ_CHUNK (1u << 20)
#define GZ_DICT 32768u
#define GZ_MAX_THREADS 4u

struct gz_slot {
    uint8_t *in;
    size_t in_len;
    uint8_t dict[GZ_DICT];
    size_t dict_len;
    uint8_t *out;
    size_t out_len;
    size_t out_cap;
    uLong crc;
    int last;
    int level;
    int rc;
    int busy;
    int threaded;
    pthread_t thread;
};

struct core_gz {
    int fd;
    int level;
    unsigned slots_n;
    unsigned head; /* slot being filled */
    int rc;
    uLong crc;
    uint64_t isize;
    struct gz_slot slots[GZ_MAX_THREADS];
};

static int write_all(int fd, const void *data, size_t size)
{
    const uint8_t *p = data;
    while (size) {
        ssize_t n = write(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return core_error(ESPCTL_E_IO, "writing the bundle: %s",
                              n < 0 ? strerror(errno) : "short write");
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

static void compress_slot(struct gz_slot *s)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    s->rc = 0;
    s->crc = crc32(0L, s->in, (uInt)s->in_len);
    if (deflateInit2(&z, s->level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        s->rc = ESPCTL_E_NOMEM;
        return;
    }
    if (s->dict_len)
        deflateSetDictionary(&z, s->dict, (uInt)s->dict_len);
    z.next_in = s->in;
    z.avail_in = (uInt)s->in_len;
    z.next_out = s->out;
    z.avail_out = (uInt)s->out_cap;
    int zr = deflate(&z, s->last ? Z_FINISH : Z_SYNC_FLUSH);
    if ((s->last && zr != Z_STREAM_END) || (!s->last && (zr != Z_OK || z.avail_in != 0)))
        s->rc = ESPCTL_E_OTHER;
    s->out_len = s->out_cap - z.avail_out;
    deflateEnd(&z);
}

static void *compress_thread(void *arg)
{
    compress_slot(arg);
    return NULL;
}

/* Wait for slot `i` and append its output, in stream order. */
static int drain(struct core_gz *gz, unsigned i)
{
    struct gz_slot *s = &gz->slots[i];
    if (!s->busy)
        return 0;
    if (s->threaded)
        pthread_join(s->thread, NULL);
    s->busy = 0;
    s->threaded = 0;
    if (s->rc)
        return core_error(s->rc, "gzip: deflate failed");
    gz->crc = crc32_combine(gz->crc, s->crc, (z_off_t)s->in_len);
    gz->isize += s->in_len;
    return write_all(gz->fd, s->out, s->out_len);
}

static int submit(struct core_gz *gz, int last)
{
    struct gz_slot *s = &gz->slots[gz->head];
    s->last = last;
    s->level = gz->level;
    /* The previous chunk's tail primes the dictionary (with one slot it was saved
     * below when that chunk was done). */
    if (gz->slots_n > 1) {
        const struct gz_slot *prev = &gz->slots[(gz->head + gz->slots_n - 1) % gz->slots_n];
        s->dict_len = prev->in_len > GZ_DICT ? GZ_DICT : prev->in_len;
        memcpy(s->dict, prev->in + prev->in_len - s->dict_len, s->dict_len);
    }
    s->busy = 1;
    s->threaded = gz->slots_n > 1 && pthread_create(&s->thread, NULL, compress_thread, s) == 0;
    if (!s->threaded)
        compress_slot(s);
    if (gz->slots_n == 1) {
        int rc = drain(gz, 0);
        s->dict_len = s->in_len > GZ_DICT ? GZ_DICT : s->in_len;
        memcpy(s->dict, s->in + s->in_len - s->dict_len, s->dict_len);
        s->in_len = 0;
        return rc;
    }
    gz->head = (gz->head + 1) % gz->slots_n;
    int rc = drain(gz, gz->head);
    gz->slots[gz->head].in_len = 0;
    return rc;
}

int core_gz_open(struct core_gz **out, int fd, int level, unsigned threads)
{
    static const uint8_t header[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    *out = NULL;
    if (threads < 1)
        threads = 1;
    if (threads > GZ_MAX_THREADS)
        threads = GZ_MAX_THREADS;
    struct core_gz *gz = calloc(1, sizeof *gz);
    if (!gz)
        return core_error(ESPCTL_E_NOMEM, "gzip: out of memory");
    gz->fd = fd;
    gz->level = level;
    gz->slots_n = threads;
    gz->crc = crc32(0L, Z_NULL, 0);
    for (unsigned i = 0; i < threads; i++) {
        struct gz_slot *s = &gz->slots[i];
        s->out_cap = deflateBound(NULL, GZ_CHUNK) + 64;
        s->in = malloc(GZ_CHUNK);
        s->out = malloc(s->out_cap);
        if (!s->in || !s->out) {
            core_gz_abort(gz);
            return core_error(ESPCTL_E_NOMEM, "gzip: out of memory");
        }
    }
    int rc = write_all(fd, header, sizeof header);
    if (rc) {
        core_gz_abort(gz);
        return rc;
    }
    *out = gz;
    return 0;
}

void core_gz_set_level(struct core_gz *gz, int level)
{
    gz->level = level;
}

int core_gz_write(struct core_gz *gz, const void *data, size_t size)
{
    const uint8_t *p = data;
    while (size && !gz->rc) {
        struct gz_slot *s = &gz->slots[gz->head];
        size_t n = GZ_CHUNK - s->in_len;
        if (n > size)
            n = size;
        memcpy(s->in + s->in_len, p, n);
        s->in_len += n;
        p += n;
        size -= n;
        if (s->in_len == GZ_CHUNK)
            gz->rc = submit(gz, 0);
    }
    return gz->rc;
}

int core_gz_close(struct core_gz *gz)
{
    int rc = gz->rc;
    if (!rc)
        rc = submit(gz, 1);
    for (unsigned k = 0; k < gz->slots_n; k++) {
        int r = drain(gz, (gz->head + k) % gz->slots_n);
        if (!rc)
            rc = r;
    }
    if (!rc) {
        uint8_t trailer[8];
        for (int i = 0; i < 4; i++) {
            trailer[i] = (uint8_t)(gz->crc >> (8 * i));
            trailer[4 + i] = (uint8_t)(gz->isize >> (8 * i));
        }
        rc = write_all(gz->fd, trailer, sizeof trailer);
    }
    core_gz_abort(gz);
    return rc;
}

void core_gz_abort(struct core_gz *gz)
{
    if (!gz)
        return;
    for (unsigned i = 0; i < gz->slots_n; i++) {
        struct gz_slot *s = &gz->slots[i];
        if (s->busy && s->threaded)
            pthread_join(s->thread, NULL);
        free(s->in);
        free(s->out);
    }
    free(gz);
}
