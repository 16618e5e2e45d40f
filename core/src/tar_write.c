/* Reproducible ustar writing through libarchive into the chunked gzip writer. */
#include "tar_io.h"

#include "internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <stdlib.h>

struct core_tar_writer {
    struct archive *a;
    struct archive_entry *entry;
    struct core_gz *gz;
    EVP_MD_CTX *md;
    int64_t mtime;
    int rc; /* first failure inside a libarchive callback */
};

static la_ssize_t on_write(struct archive *a, void *user, const void *buf, size_t size)
{
    (void)a;
    struct core_tar_writer *w = user;
    if (w->rc)
        return -1;
    w->rc = core_gz_write(w->gz, buf, size);
    return w->rc ? -1 : (la_ssize_t)size;
}

static int archive_fail(struct core_tar_writer *w, const char *what)
{
    if (w->rc)
        return w->rc;
    return core_error(ESPCTL_E_IO, "writing the bundle (%s): %s", what, archive_error_string(w->a));
}

int core_tar_open(struct core_tar_writer **out, int fd, int64_t mtime, int level, unsigned threads)
{
    *out = NULL;
    struct core_tar_writer *w = calloc(1, sizeof *w);
    if (!w)
        return core_error(ESPCTL_E_NOMEM, "out of memory");
    w->mtime = mtime;
    w->md = EVP_MD_CTX_new();
    w->a = archive_write_new();
    w->entry = archive_entry_new();
    if (!w->md || !w->a || !w->entry) {
        core_tar_abort(w);
        return core_error(ESPCTL_E_NOMEM, "out of memory");
    }
    int rc = core_gz_open(&w->gz, fd, level, threads);
    if (rc) {
        core_tar_abort(w);
        return rc;
    }
    if (archive_write_set_format_ustar(w->a) != ARCHIVE_OK ||
        archive_write_add_filter_none(w->a) != ARCHIVE_OK ||
        archive_write_open2(w->a, w, NULL, on_write, NULL, NULL) != ARCHIVE_OK) {
        rc = archive_fail(w, "open");
        core_tar_abort(w);
        return rc;
    }
    *out = w;
    return 0;
}

int core_tar_begin(struct core_tar_writer *w, const char *name, uint64_t size)
{
    struct archive_entry *e = w->entry;
    archive_entry_clear(e);
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, (la_int64_t)size);
    archive_entry_set_uid(e, 0);
    archive_entry_set_gid(e, 0);
    archive_entry_set_mtime(e, (time_t)w->mtime, 0);
    if (archive_write_header(w->a, e) != ARCHIVE_OK)
        return archive_fail(w, name);
    if (EVP_DigestInit_ex(w->md, EVP_sha256(), NULL) != 1)
        return core_error(ESPCTL_E_OTHER, "SHA-256 init failed");
    return 0;
}

void core_tar_set_level(struct core_tar_writer *w, int level)
{
    core_gz_set_level(w->gz, level);
}

int core_tar_data(void *user, const void *data, size_t size)
{
    struct core_tar_writer *w = user;
    EVP_DigestUpdate(w->md, data, size);
    const char *p = data;
    while (size) {
        la_ssize_t n = archive_write_data(w->a, p, size);
        if (n <= 0)
            return archive_fail(w, "data");
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

int core_tar_end(struct core_tar_writer *w, unsigned char digest[32])
{
    unsigned int len = 0;
    if (archive_write_finish_entry(w->a) != ARCHIVE_OK)
        return archive_fail(w, "finish entry");
    if (EVP_DigestFinal_ex(w->md, digest, &len) != 1 || len != 32)
        return core_error(ESPCTL_E_OTHER, "SHA-256 final failed");
    return 0;
}

int core_tar_add(struct core_tar_writer *w, const char *name, const void *data, size_t size,
                 unsigned char digest[32])
{
    int rc = core_tar_begin(w, name, size);
    if (!rc)
        rc = core_tar_data(w, data, size);
    if (!rc)
        rc = core_tar_end(w, digest);
    return rc;
}

int core_tar_close(struct core_tar_writer *w)
{
    int rc = 0;
    if (archive_write_close(w->a) != ARCHIVE_OK)
        rc = archive_fail(w, "close");
    struct core_gz *gz = w->gz;
    w->gz = NULL;
    int grc = core_gz_close(gz);
    if (!rc)
        rc = grc;
    core_tar_abort(w);
    return rc;
}

void core_tar_abort(struct core_tar_writer *w)
{
    if (!w)
        return;
    if (!w->rc)
        w->rc = ESPCTL_E_CANCELLED; /* freeing an open archive flushes: drop that */
    if (w->a)
        archive_write_free(w->a);
    core_gz_abort(w->gz);
    archive_entry_free(w->entry);
    EVP_MD_CTX_free(w->md);
    free(w);
}
