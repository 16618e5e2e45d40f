/*
 * gdb_env.h — what every layer of the gdbremote plugin needs from the core: the host
 * services plus the bounded-wait settings read from the configuration.
 */
#ifndef GDB_ENV_H
#define GDB_ENV_H

#include "espctl/plugin.h"
#include "plugin_env.h"

#include <stdint.h>

/** Default bound on one reply from the GDB server (gdbremote.timeout_ms). */
#define GDB_DEFAULT_TIMEOUT_MS 2000u
/** Default bound on flash erase/write/done replies (gdbremote.flash_timeout_ms). */
#define GDB_DEFAULT_FLASH_TIMEOUT_MS 30000u

struct gdb_env {
    const struct espctl_host *host;
    /** Longest wait for one packet, ack or stop reply. */
    uint32_t timeout_ms;
    /** Longest wait for a vFlash* reply (a mass erase is slow). */
    uint32_t flash_timeout_ms;
    /** Monitor command reset(SYSTEM) sends, or NULL for the server's default. */
    const char *reset_command;
};

/** Fill *env from the host's configuration; bad values are logged and replaced. */
void gdb_env_init(struct gdb_env *env, const struct espctl_host *host);

/** Format the detail text, hand it to host->set_error and return `code`. */
#define gdb_fail(env, code, ...) plugin_fail((env)->host, (code), __VA_ARGS__)

/** Log one formatted line through the host. */
#define gdb_log(env, level, ...) plugin_log((env)->host, (level), __VA_ARGS__)

/** ESPCTL_E_CANCELLED (with detail text) once the front-end asked to cancel, else 0. */
#define gdb_check_cancel(env) plugin_check_cancel((env)->host)

/** Monotonic milliseconds from the host clock. */
#define gdb_now_ms(env) plugin_now_ms((env)->host)

#endif /* GDB_ENV_H */
