/*
 * espctl/plugin/entry.h — how a plugin presents itself to the core.
 *
 * A plugin is a shared object exporting exactly one symbol, the function
 *     const struct espctl_plugin_entry *espctl_plugin_entry_v1(void);
 * The ABI major is part of the name, so a plugin of another major fails cleanly at
 * dlsym. The core then checks hdr: same major, plugin minor <= core minor.
 *
 * Lifecycle (all on the thread that creates the espctl context):
 *   entry = espctl_plugin_entry_v1();      // must be fast; no I/O
 *   entry->init(host, &plugin_data);       // 0 = OK; otherwise the plugin is skipped
 *   entry->components(plugin_data);        // read once after init
 *   ... components are used ...
 *   entry->deinit(plugin_data);            // once, before dlclose
 */
#ifndef ESPCTL_PLUGIN_ENTRY_H
#define ESPCTL_PLUGIN_ENTRY_H

#include "espctl/common.h"

#ifdef __cplusplus
extern "C" {
#endif

struct espctl_host;

/** Kinds of component a plugin can register (int32_t across the ABI). */
enum espctl_component_kind {
    ESPCTL_COMPONENT_PROBE_DRIVER = 1, /**< vtable: struct espctl_probe_driver */
    ESPCTL_COMPONENT_FLASH_TARGET = 2, /**< vtable: struct espctl_flash_target */
    ESPCTL_COMPONENT_CHIP_FAMILY = 3   /**< vtable: struct espctl_chip_family */
};

/** One component: its kind and a pointer to the vtable of that kind. */
struct espctl_component {
    struct espctl_abi_hdr hdr;
    int32_t kind;
    uint32_t reserved;
    /** Points to the vtable struct named by `kind`; must stay valid until deinit. */
    const void *vtable;
};

struct espctl_plugin_entry {
    struct espctl_abi_hdr hdr;
    /** Short plugin name ("stlink"): [a-z0-9_-]. */
    const char *name;
    /** Plugin's own version ("0.1.0"). */
    const char *version;
    /** One line for `espctl plugins list`. */
    const char *description;

    /** Set up the plugin. `host` is valid until deinit returns. *plugin_data is the
     * plugin's own state, passed back to components() and deinit(). Return 0, or an
     * espctl_error after host->set_error; a failing plugin is reported and skipped
     * (deinit is not called for it). */
    int (*init)(const struct espctl_host *host, void **plugin_data);
    /** Release everything init acquired. */
    void (*deinit)(void *plugin_data);
    /** NULL-terminated array of components, valid until deinit. May be empty. */
    const struct espctl_component *const *(*components)(void *plugin_data);
};

/** Name of the entry symbol for ABI major 1. */
#define ESPCTL_PLUGIN_ENTRY_SYMBOL "espctl_plugin_entry_v1"

/** Signature of the entry function. */
typedef const struct espctl_plugin_entry *(*espctl_plugin_entry_fn)(void);

/** Declares (and, followed by a body, defines) the exported entry function. */
#define ESPCTL_PLUGIN_ENTRY \
    ESPCTL_EXPORT const struct espctl_plugin_entry *espctl_plugin_entry_v1(void)

#ifdef __cplusplus
}
#endif

#endif /* ESPCTL_PLUGIN_ENTRY_H */
