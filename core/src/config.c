/* The configuration file (libconfig), flattened to sorted "dotted.key" = "text" pairs. */
#include "core_ctx.h"

#include <errno.h>
#include <libconfig.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry_builder {
    struct core_config_entry *entries;
    size_t count;
    size_t capacity;
};

static int add_entry(struct entry_builder *b, const char *key, const char *value)
{
    if (b->count == b->capacity) {
        size_t capacity = b->capacity ? b->capacity * 2 : 16;
        struct core_config_entry *entries = realloc(b->entries, capacity * sizeof *entries);
        if (!entries)
            return ESPCTL_E_NOMEM;
        b->entries = entries;
        b->capacity = capacity;
    }
    char *k = strdup(key);
    char *v = strdup(value);
    if (!k || !v) {
        free(k);
        free(v);
        return ESPCTL_E_NOMEM;
    }
    b->entries[b->count].key = k;
    b->entries[b->count].value = v;
    b->count++;
    return 0;
}

static const char *builder_find(const struct entry_builder *b, const char *key)
{
    for (size_t i = 0; i < b->count; i++) {
        if (strcmp(b->entries[i].key, key) == 0)
            return b->entries[i].value;
    }
    return NULL;
}

static void render_scalar(const config_setting_t *s, char *out, size_t size)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
        snprintf(out, size, "%d", config_setting_get_int(s));
        break;
    case CONFIG_TYPE_INT64:
        snprintf(out, size, "%lld", config_setting_get_int64(s));
        break;
    case CONFIG_TYPE_FLOAT:
        snprintf(out, size, "%.17g", config_setting_get_float(s));
        break;
    case CONFIG_TYPE_BOOL:
        snprintf(out, size, "%s", config_setting_get_bool(s) ? "true" : "false");
        break;
    default:
        snprintf(out, size, "%s", config_setting_get_string(s));
        break;
    }
}

static int config_field_error(const char *path, const config_setting_t *s, const char *what)
{
    return core_error(ESPCTL_E_CONFIG, "%s:%u: %s", path,
                      (unsigned)config_setting_source_line(s), what);
}

/* Walks a group; scalars become entries, groups recurse. Lists and arrays are
 * not values of their own (plugin_paths is read separately). */
static int flatten_group(const config_setting_t *group, const char *prefix,
                         struct entry_builder *b)
{
    int n = config_setting_length(group);
    for (int i = 0; i < n; i++) {
        const config_setting_t *child = config_setting_get_elem(group, (unsigned)i);
        const char *name = config_setting_name(child);
        char key[512];
        int len = prefix ? snprintf(key, sizeof key, "%s.%s", prefix, name)
                         : snprintf(key, sizeof key, "%s", name);
        if (len < 0 || (size_t)len >= sizeof key)
            continue;
        if (config_setting_is_group(child)) {
            int rc = flatten_group(child, key, b);
            if (rc)
                return rc;
        } else if (config_setting_is_scalar(child)) {
            char value[4096];
            render_scalar(child, value, sizeof value);
            int rc = add_entry(b, key, value);
            if (rc)
                return rc;
        }
    }
    return 0;
}

static int read_plugin_paths(struct core_config *config, const config_t *cfg)
{
    const config_setting_t *list = config_lookup(cfg, "plugin_paths");
    if (!list)
        return 0;
    if (!config_setting_is_aggregate(list) || config_setting_is_group(list))
        return config_field_error(config->path, list, "plugin_paths must be a list of strings");
    int n = config_setting_length(list);
    if (n == 0)
        return 0;
    config->plugin_paths = calloc((size_t)n, sizeof *config->plugin_paths);
    if (!config->plugin_paths)
        return ESPCTL_E_NOMEM;
    for (int i = 0; i < n; i++) {
        const config_setting_t *item = config_setting_get_elem(list, (unsigned)i);
        const char *dir = config_setting_get_string(item);
        if (!dir)
            return config_field_error(config->path, item,
                                      "plugin_paths must be a list of strings");
        config->plugin_paths[i] = strdup(dir);
        if (!config->plugin_paths[i])
            return ESPCTL_E_NOMEM;
        config->plugin_path_count++;
    }
    return 0;
}

/* Keys the core itself interprets must be strings. */
static int check_string_keys(const char *path, const config_t *cfg)
{
    static const char *const keys[] = {"default_probe", "core.default_probe",
                                       "keys.trusted_dir", "keys.signing_key"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const config_setting_t *s = config_lookup(cfg, keys[i]);
        if (s && config_setting_type(s) != CONFIG_TYPE_STRING) {
            char what[128];
            snprintf(what, sizeof what, "%s must be a string", keys[i]);
            return config_field_error(path, s, what);
        }
    }
    return 0;
}

/* $XDG_CONFIG_HOME/espctl/<leaf>, falling back to $HOME/.config/espctl/<leaf>. */
static char *xdg_config_file(const char *leaf)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    char *path = NULL;
    int rc = -1;
    if (xdg && xdg[0] == '/')
        rc = asprintf(&path, "%s/espctl/%s", xdg, leaf);
    else if (home && home[0])
        rc = asprintf(&path, "%s/.config/espctl/%s", home, leaf);
    return rc < 0 ? NULL : path;
}

static int add_defaults(struct entry_builder *b)
{
    if (!builder_find(b, "keys.trusted_dir")) {
        char *dir = xdg_config_file("trusted-keys");
        if (dir) {
            int rc = add_entry(b, "keys.trusted_dir", dir);
            free(dir);
            if (rc)
                return rc;
        }
    }
    /* default_probe may be written at top level or inside a core group. */
    const char *top = builder_find(b, "default_probe");
    const char *grouped = builder_find(b, "core.default_probe");
    if (top && !grouped)
        return add_entry(b, "core.default_probe", top);
    if (grouped && !top)
        return add_entry(b, "default_probe", grouped);
    return 0;
}

static int compare_entries(const void *a, const void *b)
{
    return strcmp(((const struct core_config_entry *)a)->key,
                  ((const struct core_config_entry *)b)->key);
}

static int parse_file(struct core_config *config, struct entry_builder *b)
{
    config_t cfg;
    config_init(&cfg);
    char *dir_copy = strdup(config->path);
    if (!dir_copy) {
        config_destroy(&cfg);
        return ESPCTL_E_NOMEM;
    }
    config_set_include_dir(&cfg, dirname(dir_copy));
    int rc = 0;
    if (config_read_file(&cfg, config->path) != CONFIG_TRUE) {
        if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
            rc = core_error(ESPCTL_E_CONFIG, "%s: cannot read: %s", config->path,
                            config_error_text(&cfg));
        else
            rc = core_error(ESPCTL_E_CONFIG, "%s:%d: %s",
                            config_error_file(&cfg) ? config_error_file(&cfg) : config->path,
                            config_error_line(&cfg), config_error_text(&cfg));
    }
    if (!rc)
        rc = check_string_keys(config->path, &cfg);
    if (!rc)
        rc = read_plugin_paths(config, &cfg);
    if (!rc)
        rc = flatten_group(config_root_setting(&cfg), NULL, b);
    config_destroy(&cfg);
    free(dir_copy);
    return rc;
}

int core_config_load(struct core_config *config, const char *explicit_path, int read_default)
{
    memset(config, 0, sizeof *config);
    struct entry_builder b = {0};
    int rc = 0;

    char *path = NULL;
    if (explicit_path) {
        path = strdup(explicit_path);
        if (!path)
            return ESPCTL_E_NOMEM;
    } else if (read_default) {
        path = xdg_config_file("config");
    }

    if (path) {
        FILE *probe = fopen(path, "r");
        if (probe) {
            fclose(probe);
            config->path = path;
            path = NULL;
            rc = parse_file(config, &b);
        } else if (errno != ENOENT || explicit_path) {
            /* A missing default file is normal; a named file must exist. */
            rc = core_error(ESPCTL_E_CONFIG, "%s: cannot open: %s", path, strerror(errno));
        }
        free(path);
    }
    if (!rc)
        rc = add_defaults(&b);

    config->entries = b.entries;
    config->entry_count = b.count;
    if (rc) {
        core_config_release(config);
        return rc;
    }
    qsort(config->entries, config->entry_count, sizeof *config->entries, compare_entries);
    return 0;
}

void core_config_release(struct core_config *config)
{
    for (size_t i = 0; i < config->entry_count; i++) {
        free(config->entries[i].key);
        free(config->entries[i].value);
    }
    free(config->entries);
    for (size_t i = 0; i < config->plugin_path_count; i++)
        free(config->plugin_paths[i]);
    free(config->plugin_paths);
    free(config->path);
    memset(config, 0, sizeof *config);
}

const char *core_config_lookup(const struct core_config *config, const char *key)
{
    if (!key || !config->entries)
        return NULL;
    struct core_config_entry probe = {.key = (char *)key};
    const struct core_config_entry *hit = bsearch(&probe, config->entries, config->entry_count,
                                                  sizeof *config->entries, compare_entries);
    return hit ? hit->value : NULL;
}
