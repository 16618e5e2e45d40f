/*
 * gdb_env.h — what every layer of the gdbremote plugin needs from the core: the host
 * services plus the bounded-wait settings read from the configuration.
 */
#ifndef GDB_ENV_H
#define GDB_ENV_H

#include "espctl/plugin.h"

#include <stdint.h>

#if defined(__GNUC__)
#define GDB_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define GDB_PRINTF(f, a)
#endif

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
int gdb_fail(const struct gdb_env *env, int code, const char *fmt, ...) GDB_PRINTF(3, 4);

/** Log one formatted line through the host. */
void gdb_log(const struct gdb_env *env, int32_t level, const char *fmt, ...) GDB_PRINTF(3, 4);

/** ESPCTL_E_CANCELLED (with detail text) once the front-end asked to cancel, else 0. */
int gdb_check_cancel(const struct gdb_env *env);

/** Monotonic milliseconds from the host clock. */
uint64_t gdb_now_ms(const struct gdb_env *env);

#endif /* GDB_ENV_H */
