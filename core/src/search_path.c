/* The plugin search path and the scan of each directory (no recursion, *.so only,
 * sorted by name, first basename wins). */
#include "core_ctx.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int push_copy(struct core_ptr_array *dirs, const char *dir, size_t len)
{
    char *copy = strndup(dir, len);
    if (!copy)
        return ESPCTL_E_NOMEM;
    int rc = core_ptr_array_push(dirs, copy);
    if (rc)
        free(copy);
    return rc;
}

static int push_colon_list(struct core_ptr_array *dirs, const char *list)
{
    const char *p = list;
    while (*p) {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > 0) {
            int rc = push_copy(dirs, p, len);
            if (rc)
                return rc;
        }
        p += len;
        if (*p == ':')
            p++;
    }
    return 0;
}

int core_plugin_dirs(espctl_ctx *ctx, const char *const *front_end_paths,
                     struct core_ptr_array *dirs)
{
    int rc = 0;
    for (const char *const *p = front_end_paths; p && *p && !rc; p++)
        rc = push_copy(dirs, *p, strlen(*p));

    const char *env = (ctx->flags & ESPCTL_CTX_NO_ENV_PATH) ? NULL : getenv("ESPCTL_PLUGIN_PATH");
    if (!rc && env)
        rc = push_colon_list(dirs, env);

    for (size_t i = 0; !rc && i < ctx->config.plugin_path_count; i++)
        rc = push_copy(dirs, ctx->config.plugin_paths[i], strlen(ctx->config.plugin_paths[i]));

    if (!rc && !(ctx->flags & ESPCTL_CTX_NO_SYSTEM_PLUGINS)) {
        char *system_dir = core_system_plugin_dir();
        if (!system_dir)
            return ESPCTL_E_NOMEM;
        rc = core_ptr_array_push(dirs, system_dir);
        if (rc)
            free(system_dir);
    }
    return rc;
}

static int has_so_suffix(const char *name)
{
    size_t len = strlen(name);
    return len > 3 && strcmp(name + len - 3, ".so") == 0;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void free_names(struct core_ptr_array *names)
{
    for (uint32_t i = 0; i < names->count; i++)
        free(names->items[i]);
    core_ptr_array_release(names);
}

/* Names of the regular *.so files in `dir`, sorted. An unreadable directory is
 * logged and yields no names. */
static int scan_dir(espctl_ctx *ctx, const char *dir, int is_system, struct core_ptr_array *names)
{
    core_log(ctx, ESPCTL_LOG_DEBUG, "core", "scanning plugin directory %s", dir);
    DIR *d = opendir(dir);
    if (!d) {
        int err = errno;
        if (err == ENOENT && is_system)
            core_log(ctx, ESPCTL_LOG_DEBUG, "core", "plugin directory %s does not exist", dir);
        else
            core_log(ctx, ESPCTL_LOG_WARN, "core", "skipping plugin directory %s: %s (errno %d)",
                     dir, strerror(err), err);
        return 0;
    }
    int rc = 0;
    struct dirent *de;
    while (!rc && (de = readdir(d)) != NULL) {
        if (!has_so_suffix(de->d_name))
            continue;
        struct stat st;
        if (fstatat(dirfd(d), de->d_name, &st, 0) != 0 || !S_ISREG(st.st_mode))
            continue;
        char *name = strdup(de->d_name);
        if (!name) {
            rc = ESPCTL_E_NOMEM;
            break;
        }
        rc = core_ptr_array_push(names, name);
        if (rc)
            free(name);
    }
    closedir(d);
    if (!rc && names->count > 1)
        qsort(names->items, names->count, sizeof *names->items, compare_names);
    return rc;
}

static const char *basename_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int seen_basename(const struct core_ptr_array *files, const char *name)
{
    for (uint32_t i = 0; i < files->count; i++) {
        if (strcmp(basename_of(files->items[i]), name) == 0)
            return 1;
    }
    return 0;
}

int core_plugin_files(espctl_ctx *ctx, const struct core_ptr_array *dirs,
                      struct core_ptr_array *files)
{
    int system_last = !(ctx->flags & ESPCTL_CTX_NO_SYSTEM_PLUGINS);
    int rc = 0;
    for (uint32_t i = 0; !rc && i < dirs->count; i++) {
        const char *dir = dirs->items[i];
        struct core_ptr_array names = {0};
        rc = scan_dir(ctx, dir, system_last && i + 1 == dirs->count, &names);
        for (uint32_t j = 0; !rc && j < names.count; j++) {
            const char *name = names.items[j];
            if (seen_basename(files, name)) {
                core_log(ctx, ESPCTL_LOG_DEBUG, "core",
                         "skipping %s/%s: a plugin named %s was found earlier", dir, name, name);
                continue;
            }
            char *path = NULL;
            if (asprintf(&path, "%s/%s", dir, name) < 0) {
                rc = ESPCTL_E_NOMEM;
                break;
            }
            rc = core_ptr_array_push(files, path);
            if (rc)
                free(path);
        }
        free_names(&names);
    }
    return rc;
}
