/* Flash image and stats files (outputs via temp file + rename). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/target.h"

static int write_atomically(const char *path, const void *data, size_t len, char *err, size_t errlen)
{
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    int ok = f && fwrite(data, 1, len, f) == len;
    if (f && fclose(f))
        ok = 0;
    if (!ok || rename(tmp, path)) {
        snprintf(err, errlen, "%s: %s", ok ? path : tmp, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}

int sim_target_load_flash(struct sim_target *t, const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t n = fread(t->flash.array, 1, t->flash.size, f);
    int extra = fgetc(f) != EOF;
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        snprintf(err, errlen, "%s: read error", path);
        return -1;
    }
    if (extra) {
        snprintf(err, errlen, "%s: larger than the %u-byte flash of %s", path, t->flash.size,
                 t->chip->name);
        return -1;
    }
    memset(t->flash.array + n, 0xFF, t->flash.size - n);
    return 0;
}

int sim_target_save_flash(const struct sim_target *t, const char *path, char *err, size_t errlen)
{
    return write_atomically(path, t->flash.array, t->flash.size, err, errlen);
}

int sim_target_save_stats(const struct sim_target *t, const char *path, char *err, size_t errlen)
{
    json_t *j = sim_target_stats_json(t);
    char *text = j ? json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
    json_decref(j);
    if (!text) {
        snprintf(err, errlen, "%s: cannot encode stats", path);
        return -1;
    }
    size_t len = strlen(text);
    text[len] = '\n'; /* json_dumps leaves room for the terminator; replace it */
    int rc = write_atomically(path, text, len + 1, err, errlen);
    free(text);
    return rc;
}
