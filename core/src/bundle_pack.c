/* Re-writing an opened bundle (used when signing), under the reproducibility rules. */
#include "bundle_internal.h"

#include "internal.h"

#include <stdlib.h>
#include <string.h>

static int cmp_member(const void *a, const void *b)
{
    return strcmp((*(const struct core_tar_member *const *)a)->name,
                  (*(const struct core_tar_member *const *)b)->name);
}

int bundle_repack(const espctl_bundle *b, const char *signature, size_t signature_size, const char *out_path)
{
    int64_t mtime;
    int from_env;
    int rc = bundle_source_date(0, &mtime, &from_env);
    if (rc)
        return rc;
    size_t n = b->members.count + 1;
    const struct core_tar_member **order = calloc(n, sizeof *order);
    struct core_tar_member sig = {.name = (char *)ESPCTL_BUNDLE_SIGNATURE, .data = (uint8_t *)signature,
                                  .size = signature_size};
    if (!order)
        return core_error(ESPCTL_E_NOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < b->members.count; i++) {
        if (strcmp(b->members.items[i].name, ESPCTL_BUNDLE_SIGNATURE) != 0)
            order[k++] = &b->members.items[i];
    }
    if (signature)
        order[k++] = &sig;
    qsort(order, k, sizeof *order, cmp_member);

    int fd;
    char *tmp;
    if ((rc = bundle_temp_create(out_path, &fd, &tmp))) {
        free(order);
        return rc;
    }
    struct core_tar_writer *w = NULL;
    rc = core_tar_open(&w, fd, mtime, BUNDLE_GZIP_LEVEL, bundle_threads());
    for (size_t i = 0; !rc && i < k; i++) {
        unsigned char md[32];
        core_tar_set_level(w, strcmp(order[i]->name, ESPCTL_BUNDLE_HEX) == 0 ? BUNDLE_GZIP_LEVEL_HEX
                                                                             : BUNDLE_GZIP_LEVEL);
        rc = core_tar_add(w, order[i]->name, order[i]->data, order[i]->size, md);
    }
    if (w) {
        int crc = rc ? (core_tar_abort(w), rc) : core_tar_close(w);
        rc = rc ? rc : crc;
    }
    free(order);
    if (rc) {
        bundle_temp_discard(fd, tmp);
        return rc;
    }
    return bundle_temp_commit(fd, tmp, out_path, 0644);
}
