/*
 * core/src/core_ctx.h — the layout of espctl_ctx and the registry records the
 * context, config, loader, host and listing modules share. Never installed.
 */
#ifndef ESPCTL_CORE_CTX_H
#define ESPCTL_CORE_CTX_H

#include "internal.h"
#include "espctl/plugin.h"

#include <stdatomic.h>

/** One configuration value, flattened to "dotted.key" = "text". */
struct core_config_entry {
    char *key;
    char *value;
};

/** The configuration, read once by espctl_ctx_new and immutable afterwards. */
struct core_config {
    /** File that was read, or NULL. */
    char *path;
    /** Sorted by key, so lookups are a binary search without locking. */
    struct core_config_entry *entries;
    size_t entry_count;
    /** The `plugin_paths` list, in file order. */
    char **plugin_paths;
    size_t plugin_path_count;
};

struct core_plugin;

/**
 * A component of a loaded plugin. `vtable` is the core's own copy of the plugin's
 * vtable, holding only the members inside the producer's struct_size (the rest is
 * zero), so core code reads it without ESPCTL_HAS. `original` is what the plugin
 * handed out; other plugins receive that one through the host.
 */
struct core_component {
    int32_t kind;
    struct core_plugin *plugin;
    const char *name;
    const char *description;
    const void *original;
    union {
        struct espctl_probe_driver probe_driver;
        struct espctl_flash_target flash_target;
        struct espctl_chip_family chip_family;
    } vtable;
};

/** One plugin file the registry saw, loaded or rejected. */
struct core_plugin {
    espctl_ctx *ctx;
    int32_t status;
    int32_t error;
    char *path;
    char *name;
    char *version;
    char *description;
    char *reason;
    uint16_t abi_major;
    uint16_t abi_minor;

    /** Valid while loaded. */
    void *handle;
    void (*deinit)(void *plugin_data);
    void *plugin_data;
    /** The services handed to this plugin; host.host_data points back here. */
    struct espctl_host host;

    struct core_component *components;
    uint32_t component_count;
};

/** A growable array of pointers. */
struct core_ptr_array {
    void **items;
    uint32_t count;
    uint32_t capacity;
};

struct espctl_ctx {
    uint32_t flags;
    int32_t log_level;
    espctl_log_fn log_cb;
    void *log_user;
    espctl_event_fn event_cb;
    void *event_user;
    atomic_int cancelled;

    struct core_config config;

    /** struct core_plugin *, in search order. */
    struct core_ptr_array plugins;
    /** struct core_component *, per kind, in load order. */
    struct core_ptr_array probe_drivers;
    struct core_ptr_array flash_targets;
    struct core_ptr_array chip_families;
};

int core_ptr_array_push(struct core_ptr_array *array, void *item);
void core_ptr_array_release(struct core_ptr_array *array);

/** strdup that accepts NULL (returns NULL) and reports failure through *failed. */
char *core_strdup_opt(const char *text, int *failed);

/* config.c */
int core_config_load(struct core_config *config, const char *explicit_path, int read_default);
void core_config_release(struct core_config *config);
const char *core_config_lookup(const struct core_config *config, const char *key);

/* search_path.c: directories in search order, then plugin files in load order. */
int core_plugin_dirs(espctl_ctx *ctx, const char *const *front_end_paths,
                     struct core_ptr_array *dirs);
int core_plugin_files(espctl_ctx *ctx, const struct core_ptr_array *dirs,
                      struct core_ptr_array *files);

/* libdir.c */
/** Directory holding the loaded libespctl.so (malloc'd), or the compiled-in libdir. */
char *core_libdir(void);
/** "${libdir}/espctl/plugins" for the loaded library (malloc'd). */
char *core_system_plugin_dir(void);

/* loader.c */
/** Load one plugin file into ctx->plugins (recorded even when rejected). Fails only
 * for ESPCTL_E_NOMEM. */
int core_load_plugin(espctl_ctx *ctx, const char *path);
/** Deinit and dlclose every loaded plugin in reverse order, free every record. */
void core_unload_plugins(espctl_ctx *ctx);
/** The plugin ABI compatibility rule: same major, plugin minor <= core minor. */
int core_abi_compatible(uint16_t plugin_major, uint16_t plugin_minor, uint16_t core_major,
                        uint16_t core_minor);

/* components.c */
/** Validate the components of a plugin whose init succeeded and register them.
 * On rejection fills plugin->reason/error and registers nothing. Returns 0, the
 * rejection code, or ESPCTL_E_NOMEM. */
int core_register_components(espctl_ctx *ctx, struct core_plugin *plugin,
                             const struct espctl_plugin_entry *entry);
const char *core_component_kind_name(int32_t kind);

/* host.c */
void core_host_init(struct core_plugin *plugin);

/* chips: find by descriptor name or probe-rs name, case-insensitive. */
const struct core_component *core_find_chip_family(const espctl_ctx *ctx, const char *chip);

#endif /* ESPCTL_CORE_CTX_H */
