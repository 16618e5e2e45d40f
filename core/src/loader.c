/* Loading one plugin file: dlopen, the entry symbol, version and layout checks,
 * init. Every rejection is recorded with the file path and a precise reason. */
#include "core_ctx.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Entry members every plugin must provide (ABI 1.0): name and init. */
#define ENTRY_MANDATORY_SIZE \
    (offsetof(struct espctl_plugin_entry, init) + sizeof(((struct espctl_plugin_entry *)0)->init))

/* Other majors probed by name to explain a missing v1 entry. */
#define ENTRY_MAX_PROBED_MAJOR 32

int core_abi_compatible(uint16_t plugin_major, uint16_t plugin_minor, uint16_t core_major,
                        uint16_t core_minor)
{
    return plugin_major == core_major && plugin_minor <= core_minor;
}

static int reject(struct core_plugin *plugin, int code, const char *fmt, ...) CORE_PRINTF(3, 4);

static int reject(struct core_plugin *plugin, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *reason = NULL;
    if (vasprintf(&reason, fmt, ap) < 0)
        reason = NULL;
    va_end(ap);
    plugin->status = ESPCTL_PLUGIN_REJECTED;
    plugin->error = code;
    free(plugin->reason);
    plugin->reason = reason;
    if (!reason)
        return ESPCTL_E_NOMEM;
    core_log(plugin->ctx, ESPCTL_LOG_WARN, "core", "plugin %s rejected: %s", plugin->path, reason);
    return code;
}

static int find_other_major(void *handle)
{
    for (int major = 0; major <= ENTRY_MAX_PROBED_MAJOR; major++) {
        if (major == ESPCTL_PLUGIN_ABI_MAJOR)
            continue;
        char symbol[64];
        snprintf(symbol, sizeof symbol, "espctl_plugin_entry_v%d", major);
        if (dlsym(handle, symbol))
            return major;
    }
    return -1;
}

static int is_valid_plugin_name(const char *name)
{
    if (!name || !name[0] || strlen(name) >= ESPCTL_NAME_SIZE)
        return 0;
    for (const char *p = name; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
            return 0;
    }
    return 1;
}

/* Copies the descriptive strings of a (version-checked) entry into the record. */
static int adopt_entry_strings(struct core_plugin *plugin, const struct espctl_plugin_entry *entry)
{
    int failed = 0;
    char *name = core_strdup_opt(entry->name, &failed);
    char *version = ESPCTL_HAS(entry, struct espctl_plugin_entry, version)
                        ? core_strdup_opt(entry->version, &failed) : NULL;
    char *description = ESPCTL_HAS(entry, struct espctl_plugin_entry, description)
                            ? core_strdup_opt(entry->description, &failed) : NULL;
    if (failed) {
        free(name);
        free(version);
        free(description);
        return ESPCTL_E_NOMEM;
    }
    free(plugin->name);
    plugin->name = name;
    plugin->version = version;
    plugin->description = description;
    return 0;
}

/* Checks the entry; 0 when it may be initialised, else the rejection code. */
static int check_entry(struct core_plugin *plugin, const struct espctl_plugin_entry *entry)
{
    if (!entry)
        return reject(plugin, ESPCTL_E_ABI, "%s returned NULL", ESPCTL_PLUGIN_ENTRY_SYMBOL);
    plugin->abi_major = entry->hdr.abi_major;
    plugin->abi_minor = entry->hdr.abi_minor;
    if (entry->hdr.abi_major != ESPCTL_PLUGIN_ABI_MAJOR)
        return reject(plugin, ESPCTL_E_ABI,
                      "entry declares ABI major %u (version %u.%u), core is %d",
                      entry->hdr.abi_major, entry->hdr.abi_major, entry->hdr.abi_minor,
                      ESPCTL_PLUGIN_ABI_MAJOR);
    if (!core_abi_compatible(entry->hdr.abi_major, entry->hdr.abi_minor,
                             ESPCTL_PLUGIN_ABI_MAJOR, ESPCTL_PLUGIN_ABI_MINOR))
        return reject(plugin, ESPCTL_E_ABI, "plugin ABI %u.%u is newer than core ABI %d.%d",
                      entry->hdr.abi_major, entry->hdr.abi_minor, ESPCTL_PLUGIN_ABI_MAJOR,
                      ESPCTL_PLUGIN_ABI_MINOR);
    if (entry->hdr.struct_size < ENTRY_MANDATORY_SIZE)
        return reject(plugin, ESPCTL_E_ABI,
                      "entry struct_size %u is too small for the mandatory members "
                      "(name, init need %zu bytes)",
                      entry->hdr.struct_size, (size_t)ENTRY_MANDATORY_SIZE);
    if (!is_valid_plugin_name(entry->name))
        return reject(plugin, ESPCTL_E_ABI, "entry name is missing or not [a-z0-9_-]{1,%d}",
                      ESPCTL_NAME_SIZE - 1);
    if (!entry->init)
        return reject(plugin, ESPCTL_E_ABI, "entry has no init function");
    return 0;
}

static int run_init(struct core_plugin *plugin, const struct espctl_plugin_entry *entry)
{
    core_host_init(plugin);
    espctl_clear_error();
    void *plugin_data = NULL;
    int rc = entry->init(&plugin->host, &plugin_data);
    if (rc == 0) {
        plugin->plugin_data = plugin_data;
        plugin->deinit = ESPCTL_HAS_FN(entry, struct espctl_plugin_entry, deinit)
                             ? entry->deinit : NULL;
        return 0;
    }
    const char *detail = espctl_last_error();
    if (rc > 0) {
        core_log(plugin->ctx, ESPCTL_LOG_MISBEHAVING, plugin->name,
                 "init returned positive value %d", rc);
        rc = ESPCTL_E_OTHER;
    }
    return reject(plugin, rc, "init failed: %s (%s)%s%s", espctl_strerror(rc),
                  espctl_error_name(rc), detail[0] ? ": " : "", detail);
}

static void close_handle(struct core_plugin *plugin)
{
    if (plugin->handle) {
        dlclose(plugin->handle);
        plugin->handle = NULL;
    }
}

static struct core_plugin *new_record(espctl_ctx *ctx, const char *path)
{
    struct core_plugin *plugin = calloc(1, sizeof *plugin);
    if (!plugin)
        return NULL;
    plugin->ctx = ctx;
    plugin->path = strdup(path);
    const char *slash = strrchr(path, '/');
    plugin->name = strdup(slash ? slash + 1 : path);
    if (!plugin->path || !plugin->name) {
        free(plugin->path);
        free(plugin->name);
        free(plugin);
        return NULL;
    }
    return plugin;
}

static void free_record(struct core_plugin *plugin)
{
    free(plugin->path);
    free(plugin->name);
    free(plugin->version);
    free(plugin->description);
    free(plugin->reason);
    free(plugin->components);
    free(plugin);
}

/* Runs the whole admission sequence; the record's status tells the outcome. */
static int admit(espctl_ctx *ctx, struct core_plugin *plugin)
{
    dlerror();
    plugin->handle = dlopen(plugin->path, RTLD_NOW | RTLD_LOCAL);
    if (!plugin->handle) {
        const char *why = dlerror();
        return reject(plugin, ESPCTL_E_FORMAT, "dlopen failed: %s", why ? why : "unknown reason");
    }

    espctl_plugin_entry_fn entry_fn =
        (espctl_plugin_entry_fn)dlsym(plugin->handle, ESPCTL_PLUGIN_ENTRY_SYMBOL);
    if (!entry_fn) {
        int other = find_other_major(plugin->handle);
        if (other >= 0)
            return reject(plugin, ESPCTL_E_ABI, "built for ABI major %d, core is %d", other,
                          ESPCTL_PLUGIN_ABI_MAJOR);
        return reject(plugin, ESPCTL_E_ABI, "no entry symbol %s", ESPCTL_PLUGIN_ENTRY_SYMBOL);
    }

    const struct espctl_plugin_entry *entry = entry_fn();
    int rc = check_entry(plugin, entry);
    if (!rc)
        rc = adopt_entry_strings(plugin, entry);
    if (!rc)
        rc = run_init(plugin, entry);
    if (!rc) {
        rc = core_register_components(ctx, plugin, entry);
        if (rc && plugin->deinit)
            plugin->deinit(plugin->plugin_data);
    }
    if (!rc) {
        plugin->status = ESPCTL_PLUGIN_LOADED;
        core_log(ctx, ESPCTL_LOG_DEBUG, "core", "loaded plugin %s from %s (%u components)",
                 plugin->name, plugin->path, plugin->component_count);
    }
    return rc;
}

/* Loads one file; its record stays in ctx->plugins whatever the outcome. Fails
 * only when memory ran out. */
int core_load_plugin(espctl_ctx *ctx, const char *path)
{
    struct core_plugin *plugin = new_record(ctx, path);
    if (!plugin)
        return ESPCTL_E_NOMEM;
    if (core_ptr_array_push(&ctx->plugins, plugin)) {
        free_record(plugin);
        return ESPCTL_E_NOMEM;
    }
    int rc = admit(ctx, plugin);
    if (rc == 0)
        return 0;
    if (plugin->status != ESPCTL_PLUGIN_REJECTED) {
        plugin->status = ESPCTL_PLUGIN_REJECTED;
        plugin->error = rc;
    }
    plugin->deinit = NULL;
    close_handle(plugin);
    return rc == ESPCTL_E_NOMEM && !plugin->reason ? ESPCTL_E_NOMEM : 0;
}

void core_unload_plugins(espctl_ctx *ctx)
{
    for (uint32_t i = ctx->plugins.count; i-- > 0;) {
        struct core_plugin *plugin = ctx->plugins.items[i];
        if (plugin->status == ESPCTL_PLUGIN_LOADED && plugin->deinit)
            plugin->deinit(plugin->plugin_data);
        close_handle(plugin);
        free_record(plugin);
    }
    core_ptr_array_release(&ctx->plugins);
    core_ptr_array_release(&ctx->probe_drivers);
    core_ptr_array_release(&ctx->flash_targets);
    core_ptr_array_release(&ctx->chip_families);
}
