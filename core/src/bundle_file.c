/* File helpers of the bundle code: bounded reads, temp file + rename, SOURCE_DATE_EPOCH. */
#include "bundle_internal.h"

#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int errno_code(int err)
{
    switch (err) {
    case ENOENT: return ESPCTL_E_NOT_FOUND;
    case EACCES:
    case EPERM:
    case EROFS: return ESPCTL_E_ACCESS;
    case ENOMEM: return ESPCTL_E_NOMEM;
    default: return ESPCTL_E_IO;
    }
}

int bundle_read_file(const char *path, size_t cap, const char *rule, uint8_t **data, size_t *size)
{
    *data = NULL;
    *size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return core_error(errno_code(errno), "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return core_error(ESPCTL_E_INVAL, "%s: not a regular file", path);
    }
    if ((uint64_t)st.st_size > cap) {
        close(fd);
        return core_error(ESPCTL_E_INVAL, "%s: rule %s: file is %lld bytes, limit is %zu", path, rule,
                          (long long)st.st_size, cap);
    }
    size_t n = (size_t)st.st_size;
    uint8_t *buf = malloc(n + 1);
    if (!buf) {
        close(fd);
        return core_error(ESPCTL_E_NOMEM, "%s: out of memory", path);
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            int err = errno;
            free(buf);
            close(fd);
            return core_error(ESPCTL_E_IO, "%s: read failed: %s", path, r ? strerror(err) : "file shrank");
        }
        got += (size_t)r;
    }
    close(fd);
    buf[n] = 0;
    *data = buf;
    *size = n;
    return 0;
}

int bundle_temp_create(const char *path, int *fd, char **tmp_path)
{
    size_t len = strlen(path);
    char *tmp = malloc(len + 16);
    if (!tmp)
        return core_error(ESPCTL_E_NOMEM, "out of memory");
    memcpy(tmp, path, len);
    memcpy(tmp + len, ".tmp-XXXXXX", 12);
    int f = mkstemp(tmp);
    if (f < 0) {
        int err = errno;
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash)
            *(slash == dir ? slash + 1 : slash) = '\0';
        else
            snprintf(dir, sizeof dir, ".");
        free(tmp);
        return core_error(err == ENOMEM ? ESPCTL_E_NOMEM : ESPCTL_E_INVAL,
                          "%s: rule output-writable: cannot create a file in directory %s: %s", path, dir,
                          strerror(err));
    }
    *fd = f;
    *tmp_path = tmp;
    return 0;
}

int bundle_temp_commit(int fd, char *tmp_path, const char *path, mode_t mode)
{
    int rc = 0;
    if (fchmod(fd, mode) != 0 || fsync(fd) != 0)
        rc = core_error(ESPCTL_E_IO, "%s: %s", tmp_path, strerror(errno));
    if (close(fd) != 0 && !rc)
        rc = core_error(ESPCTL_E_IO, "%s: close: %s", tmp_path, strerror(errno));
    if (!rc && rename(tmp_path, path) != 0)
        rc = core_error(errno_code(errno), "%s: rename from %s failed: %s", path, tmp_path, strerror(errno));
    if (rc)
        unlink(tmp_path);
    free(tmp_path);
    return rc;
}

void bundle_temp_discard(int fd, char *tmp_path)
{
    if (fd >= 0)
        close(fd);
    if (tmp_path)
        unlink(tmp_path);
    free(tmp_path);
}

int bundle_write_file_atomic(const char *path, const void *data, size_t size, mode_t mode)
{
    int fd;
    char *tmp;
    int rc = bundle_temp_create(path, &fd, &tmp);
    if (rc)
        return rc;
    const char *p = data;
    while (size) {
        ssize_t n = write(fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = core_error(ESPCTL_E_IO, "%s: write failed: %s", path, strerror(errno));
            bundle_temp_discard(fd, tmp);
            return rc;
        }
        p += n;
        size -= (size_t)n;
    }
    return bundle_temp_commit(fd, tmp, path, mode);
}

int bundle_source_date(int64_t fallback, int64_t *out, int *from_env)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    *from_env = 0;
    if (!s || !*s) {
        *out = fallback;
        return 0;
    }
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < 0 || v > 253402300799LL)
        return core_error(ESPCTL_E_CONFIG,
                          "SOURCE_DATE_EPOCH=\"%s\": rule source-date-epoch: must be seconds since 1970 "
                          "(0..253402300799)", s);
    *out = v;
    *from_env = 1;
    return 0;
}

unsigned bundle_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    return n > 4 ? 4u : (unsigned)n + (n < 4 ? 1u : 0u);
}

int bundle_mkdir_p(const char *dir, mode_t mode)
{
    char buf[ESPCTL_PATH_SIZE];
    if (snprintf(buf, sizeof buf, "%s", dir) >= (int)sizeof buf)
        return core_error(ESPCTL_E_INVAL, "%s: path too long", dir);
    for (char *p = buf + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(buf, mode) != 0 && errno != EEXIST)
            return core_error(errno_code(errno), "%s: cannot create: %s", buf, strerror(errno));
        *p = saved;
        if (!saved)
            break;
    }
    return 0;
}
