/* Defensive tar.gz reading (libarchive): every rule of the extraction policy. */
#include "tar_io.h"

#include "espctl/bundle.h"
#include "internal.h"
#include "manifest.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>

uint64_t core_tar_member_cap(const char *name)
{
    static const struct {
        const char *name;
        uint64_t cap;
    } caps[] = {
        {ESPCTL_BUNDLE_MANIFEST, ESPCTL_BUNDLE_MAX_MANIFEST},
        {ESPCTL_BUNDLE_SIGNATURE, ESPCTL_BUNDLE_MAX_SIGNATURE},
        {ESPCTL_BUNDLE_SBOM, ESPCTL_BUNDLE_MAX_SBOM},
        {ESPCTL_BUNDLE_ELF, ESPCTL_BUNDLE_MAX_ELF},
        {ESPCTL_BUNDLE_BIN, ESPCTL_BUNDLE_MAX_BIN},
        {ESPCTL_BUNDLE_HEX, ESPCTL_BUNDLE_MAX_HEX},
    };
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        if (strcmp(caps[i].name, name) == 0)
            return caps[i].cap;
    }
    return 0;
}

static int has_dotdot(const char *path)
{
    const char *p = path;
    while (*p) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == 2 && p[0] == '.' && p[1] == '.')
            return 1;
        if (!end)
            break;
        p = end + 1;
    }
    return 0;
}

static const char *type_name(mode_t type)
{
    switch (type) {
    case AE_IFLNK: return "a symbolic link";
    case AE_IFDIR: return "a directory";
    case AE_IFCHR: return "a character device";
    case AE_IFBLK: return "a block device";
    case AE_IFIFO: return "a FIFO";
    case AE_IFSOCK: return "a socket";
    default: return "not a regular file";
    }
}

/* The rules on one header, before any data is read. */
static int check_entry(struct archive_entry *e, const char *name, const struct core_tar_members *seen,
                       uint64_t *total, uint64_t max_total)
{
    if (name[0] == '/')
        return core_error(ESPCTL_E_FORMAT, "member \"%s\": rule no-absolute-path: absolute paths are not allowed",
                          name);
    if (has_dotdot(name))
        return core_error(ESPCTL_E_FORMAT, "member \"%s\": rule no-traversal: \"..\" path components are not allowed",
                          name);
    if (archive_entry_hardlink(e))
        return core_error(ESPCTL_E_FORMAT, "member \"%s\": rule no-links: hard link to \"%s\" is not allowed",
                          name, archive_entry_hardlink(e));
    if (archive_entry_filetype(e) == AE_IFLNK)
        return core_error(ESPCTL_E_FORMAT, "member \"%s\": rule no-links: symbolic link to \"%s\" is not allowed",
                          name, archive_entry_symlink(e) ? archive_entry_symlink(e) : "?");
    if (archive_entry_filetype(e) != AE_IFREG)
        return core_error(ESPCTL_E_FORMAT, "member \"%s\": rule regular-files-only: entry is %s", name,
                          type_name(archive_entry_filetype(e)));
    if (!core_manifest_known_member(name))
        return core_error(ESPCTL_E_FORMAT, "member \"%s\": rule known-members: not a member of a v1 bundle", name);
    for (size_t i = 0; i < seen->count; i++) {
        if (strcmp(seen->items[i].name, name) == 0)
            return core_error(ESPCTL_E_FORMAT, "member \"%s\": rule no-duplicates: appears more than once", name);
    }
    if (!archive_entry_size_is_set(e) || archive_entry_size(e) < 0)
        return core_error(ESPCTL_E_FORMAT, "member \"%s\": rule member-size: header carries no size", name);
    uint64_t size = (uint64_t)archive_entry_size(e), cap = core_tar_member_cap(name);
    if (size > cap)
        return core_error(ESPCTL_E_FORMAT, "member \"%s\": rule member-cap: %llu bytes exceeds its cap of %llu",
                          name, (unsigned long long)size, (unsigned long long)cap);
    *total += size;
    if (*total > max_total)
        return core_error(ESPCTL_E_FORMAT,
                          "member \"%s\": rule total-cap: total uncompressed size reaches %llu bytes, "
                          "over the cap of %llu (decompression bomb?)",
                          name, (unsigned long long)*total, (unsigned long long)max_total);
    return 0;
}

static int read_data(struct archive *a, struct core_tar_member *m)
{
    m->data = malloc(m->size ? m->size : 1);
    if (!m->data)
        return core_error(ESPCTL_E_NOMEM, "member \"%s\": out of memory", m->name);
    size_t got = 0;
    while (got < m->size) {
        la_ssize_t n = archive_read_data(a, m->data + got, m->size - got);
        if (n < 0)
            return core_error(ESPCTL_E_FORMAT, "member \"%s\": rule readable: %s", m->name,
                              archive_error_string(a));
        if (n == 0)
            return core_error(ESPCTL_E_FORMAT, "member \"%s\": rule readable: truncated at %zu of %zu bytes",
                              m->name, got, m->size);
        got += (size_t)n;
    }
    return 0;
}

int core_tar_read(struct core_tar_members *out, const char *path, const void *data, size_t size,
                  uint64_t max_total)
{
    memset(out, 0, sizeof *out);
    const char *label = path ? path : "bundle";
    if (path) {
        struct stat st;
        if (stat(path, &st) != 0)
            return core_error(errno == ENOENT ? ESPCTL_E_NOT_FOUND : ESPCTL_E_IO, "%s: cannot open: %s", path,
                              strerror(errno));
        if (!S_ISREG(st.st_mode))
            return core_error(ESPCTL_E_INVAL, "%s: not a regular file", path);
    }
    struct archive *a = archive_read_new();
    if (!a)
        return core_error(ESPCTL_E_NOMEM, "out of memory");
    archive_read_support_filter_gzip(a);
    archive_read_support_format_tar(a);
    int r = path ? archive_read_open_filename(a, path, 65536) : archive_read_open_memory(a, data, size);
    int rc = 0;
    if (r != ARCHIVE_OK) {
        rc = core_error(ESPCTL_E_FORMAT, "%s: rule tar-gzip: cannot open as tar.gz: %s", label,
                        archive_error_string(a));
        goto out;
    }
    uint64_t total = 0;
    for (;;) {
        struct archive_entry *e;
        r = archive_read_next_header(a, &e);
        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK) {
            rc = core_error(ESPCTL_E_FORMAT, "%s: rule tar-gzip: bad archive after %zu members: %s", label,
                            out->count, archive_error_string(a));
            goto out;
        }
        if (archive_filter_code(a, 0) != ARCHIVE_FILTER_GZIP) {
            rc = core_error(ESPCTL_E_FORMAT, "%s: rule tar-gzip: archive is not gzip-compressed", label);
            goto out;
        }
        const char *name = archive_entry_pathname(e);
        if (!name || !*name) {
            rc = core_error(ESPCTL_E_FORMAT, "%s: member %zu: rule member-name: empty name", label, out->count);
            goto out;
        }
        if ((rc = check_entry(e, name, out, &total, max_total)))
            goto out;
        struct core_tar_member *grown = realloc(out->items, (out->count + 1) * sizeof *grown);
        if (!grown) {
            rc = core_error(ESPCTL_E_NOMEM, "out of memory");
            goto out;
        }
        out->items = grown;
        struct core_tar_member *m = &out->items[out->count];
        memset(m, 0, sizeof *m);
        m->size = (size_t)archive_entry_size(e);
        m->name = strdup(name);
        out->count++;
        if (!m->name) {
            rc = core_error(ESPCTL_E_NOMEM, "out of memory");
            goto out;
        }
        if ((rc = read_data(a, m)))
            goto out;
    }
    if (out->count == 0)
        rc = core_error(ESPCTL_E_FORMAT, "%s: rule tar-gzip: archive holds no members", label);
out:
    archive_read_free(a);
    if (rc)
        core_tar_members_release(out);
    return rc;
}

void core_tar_members_release(struct core_tar_members *m)
{
    for (size_t i = 0; i < m->count; i++) {
        free(m->items[i].name);
        free(m->items[i].data);
    }
    free(m->items);
    memset(m, 0, sizeof *m);
}
