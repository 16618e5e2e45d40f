/*
 * espctl/plugin/host.h — services the core offers to every plugin.
 *
 * Plugins never link libespctl: everything they need from the core arrives through
 * the `const struct espctl_host *` passed to init(). The pointer stays valid until
 * the plugin's deinit() returns. Threading: every member is [thread-safe] unless noted.
 */
#ifndef ESPCTL_PLUGIN_HOST_H
#define ESPCTL_PLUGIN_HOST_H

#include "espctl/common.h"

#ifdef __cplusplus
extern "C" {
#endif

struct espctl_probe_driver;
struct espctl_chip_family;

struct espctl_host {
    struct espctl_abi_hdr hdr;
    /** Opaque pointer owned by the core. Plugins must not touch it. */
    void *host_data;

    /** Log one line (UTF-8, no trailing newline needed). The core prefixes the plugin
     * name and routes it to the front-end's log callback. Plugins never write to stdio. */
    void (*log)(const struct espctl_host *host, int32_t level, const char *message);

    /** Emit a progress event. The core fills event->source; other fields are the
     * plugin's. The event and its strings are only borrowed during the call. */
    void (*emit)(const struct espctl_host *host, const struct espctl_event *event);

    /** Record detail text for the error the plugin is about to return; returns `code`
     * so a plugin can write `return host->set_error(host, ESPCTL_E_IO, "...")`.
     * The text is copied into the calling thread's last-error slot. */
    int (*set_error)(const struct espctl_host *host, int code, const char *message);

    /** Look up a configuration value by dotted key ("stlink.speed_khz",
     * "plugins.stm32g4.foo"). Returns a borrowed string valid until deinit, or NULL
     * when unset. Integers and booleans are returned in their decimal/"true" form. */
    const char *(*config_get)(const struct espctl_host *host, const char *key);

    /** Non-zero once the front-end has asked to cancel. Long loops must poll this
     * and return ESPCTL_E_CANCELLED. */
    int32_t (*cancelled)(const struct espctl_host *host);

    /** Monotonic clock in microseconds (arbitrary epoch). */
    uint64_t (*now_us)(const struct espctl_host *host);

    /** Sleep for at least `us` microseconds; returns early (with ESPCTL_E_CANCELLED)
     * when cancellation is requested, else 0. */
    int (*sleep_us)(const struct espctl_host *host, uint64_t us);

    /** Probe drivers registered by all loaded plugins, by index 0..count-1.
     * Returned pointers are borrowed until deinit. Out of range → NULL. */
    uint32_t (*probe_driver_count)(const struct espctl_host *host);
    const struct espctl_probe_driver *(*probe_driver_at)(const struct espctl_host *host,
                                                         uint32_t index);
    /** Probe driver by component name ("stlink", "cmsisdap"), or NULL. */
    const struct espctl_probe_driver *(*find_probe_driver)(const struct espctl_host *host,
                                                           const char *name);

    /** Chip-family components, by index; and the family that declares chip `chip_name`
     * (case-insensitive, e.g. "stm32g431rb" or "STM32G431RBTx"), or NULL. */
    uint32_t (*chip_family_count)(const struct espctl_host *host);
    const struct espctl_chip_family *(*chip_family_at)(const struct espctl_host *host,
                                                       uint32_t index);
    const struct espctl_chip_family *(*find_chip_family)(const struct espctl_host *host,
                                                         const char *chip_name);
};

#ifdef __cplusplus
}
#endif

#endif /* ESPCTL_PLUGIN_HOST_H */
