/*
 * espctl/espctl.h — the front-end ABI of libespctl.
 *
 * Front-ends (the espctl CLI first) use only this header and the headers it
 * includes. Conventions:
 *   - opaque handles, created by _new/_open and released by the matching _free/_close;
 *   - functions return int: 0 on success, a negative espctl_error on failure, with
 *     detail text in espctl_last_error() (thread-local, never NULL);
 *   - out-parameters come first; borrowed strings are UTF-8 and live as long as the
 *     object they came from;
 *   - no global state: everything hangs off an espctl_ctx. A context is used by one
 *     thread at a time, except espctl_cancel(), which any thread may call.
 */
#ifndef ESPCTL_ESPCTL_H
#define ESPCTL_ESPCTL_H

#include "espctl/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ESPCTL_API ESPCTL_EXPORT

/** Version of libespctl itself (not the plugin ABI). */
#define ESPCTL_VERSION_MAJOR 0
#define ESPCTL_VERSION_MINOR 1
#define ESPCTL_VERSION_PATCH 0
/** "MAJOR.MINOR.PATCH" of the library actually loaded. */
ESPCTL_API const char *espctl_version(void);

/* ---- errors ---------------------------------------------------------------- */

/** Short English description of an espctl_error; never NULL (unknown → "unknown error"). */
ESPCTL_API const char *espctl_strerror(int code);
/** Symbolic name ("ESPCTL_E_IO"); never NULL. */
ESPCTL_API const char *espctl_error_name(int code);
/** Detail message of the last failure on this thread ("" when none); never NULL. */
ESPCTL_API const char *espctl_last_error(void);
/** Forget the last error on this thread. */
ESPCTL_API void espctl_clear_error(void);

/* ---- context ---------------------------------------------------------------- */

typedef struct espctl_ctx espctl_ctx;

/** Receives log lines. `source` names the plugin or core part ("core", "stlink"). */
typedef void (*espctl_log_fn)(void *user, int32_t level, const char *source,
                              const char *message);
/** Receives progress events; `event` is borrowed for the call. */
typedef void (*espctl_event_fn)(void *user, const struct espctl_event *event);

/** Context flags. */
#define ESPCTL_CTX_NO_ENV_PATH 0x1u       /**< ignore ESPCTL_PLUGIN_PATH */
#define ESPCTL_CTX_NO_USER_CONFIG 0x2u    /**< do not read the user config file */
#define ESPCTL_CTX_NO_SYSTEM_PLUGINS 0x4u /**< do not scan ${libdir}/espctl/plugins */

struct espctl_ctx_options {
    struct espctl_abi_hdr hdr;
    /** NULL-terminated list of plugin directories searched first, or NULL. */
    const char *const *plugin_paths;
    /** Config file to read instead of $XDG_CONFIG_HOME/espctl/config, or NULL. */
    const char *config_path;
    /** ESPCTL_CTX_* flags. */
    uint32_t flags;
    /** Lowest level passed to log_cb (espctl_log_level). */
    int32_t log_level;
    espctl_log_fn log_cb;
    void *log_user;
    espctl_event_fn event_cb;
    void *event_user;
};

/**
 * Create a context: read the config, scan the plugin search path, load plugins.
 * Plugins that fail to load are recorded (see espctl_plugin_get) and skipped; they
 * never make this call fail. Fails with ESPCTL_E_CONFIG when the config file exists
 * but is malformed (detail names file:line), ESPCTL_E_NOMEM, or ESPCTL_E_ABI when
 * `opts` is of an unknown major. `opts` may be NULL for defaults.
 */
ESPCTL_API int espctl_ctx_new(espctl_ctx **ctx, const struct espctl_ctx_options *opts);
/** Unload plugins and free the context. NULL is a no-op. */
ESPCTL_API void espctl_ctx_free(espctl_ctx *ctx);

/** Ask running operations to stop soon (they return ESPCTL_E_CANCELLED).
 * Async-signal-safe; may be called from any thread. */
ESPCTL_API void espctl_cancel(espctl_ctx *ctx);
/** Non-zero once espctl_cancel() was called. */
ESPCTL_API int32_t espctl_cancelled(const espctl_ctx *ctx);

/** Config value by dotted key ("core.default_probe", "keys.trusted_dir"), or NULL.
 * Borrowed until espctl_ctx_free. */
ESPCTL_API const char *espctl_config_get(const espctl_ctx *ctx, const char *key);
/** Path of the config file that was read, or NULL when none was. */
ESPCTL_API const char *espctl_config_path(const espctl_ctx *ctx);

/* ---- plugins ---------------------------------------------------------------- */

enum espctl_plugin_status {
    ESPCTL_PLUGIN_LOADED = 1,
    ESPCTL_PLUGIN_REJECTED = 2 /**< reason says why; the file was unloaded */
};

/** What the registry knows about one plugin file. Strings borrowed from the context. */
struct espctl_plugin_info {
    struct espctl_abi_hdr hdr;
    int32_t status;
    /** espctl_error that caused a rejection, else 0. */
    int32_t error;
    /** Plugin name from its entry, or the file basename when rejected early. */
    const char *name;
    const char *version;
    const char *description;
    const char *path;
    /** Why it was rejected; NULL when loaded. */
    const char *reason;
    /** ABI version the plugin was built against (0.0 when unknown). */
    uint16_t abi_major;
    uint16_t abi_minor;
    uint32_t component_count;
};

/** Kind names of components: "probe-driver", "flash-target", "chip-family". */
struct espctl_component_info {
    struct espctl_abi_hdr hdr;
    const char *kind;
    const char *name;
    const char *description;
};

/** Number of plugin files seen (loaded and rejected), in search order. */
ESPCTL_API uint32_t espctl_plugin_count(const espctl_ctx *ctx);
/** Fill *info for plugin `index`. The caller sets info->hdr.struct_size (use
 * ESPCTL_ABI_HDR); the library writes only members inside it. */
ESPCTL_API int espctl_plugin_get(const espctl_ctx *ctx, uint32_t index,
                                 struct espctl_plugin_info *info);
/** Fill *info for component `component` of plugin `index`. */
ESPCTL_API int espctl_plugin_component(const espctl_ctx *ctx, uint32_t index,
                                       uint32_t component, struct espctl_component_info *info);

/* ---- probes ----------------------------------------------------------------- */

/** One attached probe, as its driver reported it. Strings borrowed from the list;
 * NULL when unknown (driver and selector are always set). */
struct espctl_probe_desc {
    struct espctl_abi_hdr hdr;
    const char *driver;
    const char *selector;
    const char *serial;
    const char *manufacturer;
    const char *product;
    const char *firmware;
    const char *port_path;
    uint16_t vid;
    uint16_t pid;
    /** ESPCTL_PROBE_DESC_* flags. */
    uint32_t flags;
};
#define ESPCTL_PROBE_DESC_INACCESSIBLE 0x1u
#define ESPCTL_PROBE_DESC_NETWORK 0x2u
#define ESPCTL_PROBE_DESC_SERIAL_PORT 0x4u

typedef struct espctl_probe_list espctl_probe_list;

/** Ask every probe driver to enumerate. A driver that fails is logged and skipped;
 * the call fails only for ESPCTL_E_NOMEM. An empty list is success. */
ESPCTL_API int espctl_probes_list(espctl_ctx *ctx, espctl_probe_list **list);
ESPCTL_API uint32_t espctl_probe_list_count(const espctl_probe_list *list);
/** Borrowed; NULL when out of range. */
ESPCTL_API const struct espctl_probe_desc *espctl_probe_list_get(const espctl_probe_list *list,
                                                                 uint32_t index);
ESPCTL_API void espctl_probe_list_free(espctl_probe_list *list);

/* ---- USB ids (for udev rules and enumeration hints) ------------------------ */

/** A USB id some loaded probe driver declares. Strings borrowed from the context. */
struct espctl_usb_id_info {
    struct espctl_abi_hdr hdr;
    /** Component name of the declaring driver. */
    const char *driver;
    uint16_t vid;
    uint16_t pid;
    /** ESPCTL_USB_ID_INFO_* flags. */
    uint32_t flags;
};
#define ESPCTL_USB_ID_INFO_SERIAL 0x1u /**< a USB-serial bridge (dialout), not a debug probe */

/** Number of USB ids declared by all loaded probe drivers (duplicates included). */
ESPCTL_API uint32_t espctl_usb_id_count(const espctl_ctx *ctx);
ESPCTL_API int espctl_usb_id_get(const espctl_ctx *ctx, uint32_t index,
                                 struct espctl_usb_id_info *info);

#ifdef __cplusplus
}
#endif

#endif /* ESPCTL_ESPCTL_H */
