/*
 * stlink_env.h — what every layer of the stlink plugin needs from the core:
 * the host services plus the bounded-wait settings read from the configuration.
 */
#ifndef STLINK_ENV_H
#define STLINK_ENV_H

#include "espctl/plugin.h"
#include "plugin_env.h"

#include <stdint.h>

/** Default bound on one peer reply (stlink-server read, USB bulk transfer). */
#define STLINK_DEFAULT_TIMEOUT_MS 1000u
/** Default SWD clock when `stlink.speed_khz` is unset. */
#define STLINK_DEFAULT_SPEED_KHZ 1800u

struct stlink_env {
    const struct espctl_host *host;
    /** Longest wait for one reply from the probe or the server (stlink.timeout_ms). */
    uint32_t timeout_ms;
    /** SWD clock applied at connect (stlink.speed_khz). */
    uint32_t speed_khz;
    /** TAR auto-increment block the memory layer never crosses (stlink.tar_block). */
    uint32_t tar_block;
    /** 1 when stlink.tar_block was configured: connect then keeps it instead of
     * choosing the block from the core's CPUID. */
    int tar_block_configured;
};

/** Fill *env from the host's configuration; bad values are logged and replaced by
 * the defaults. */
void stlink_env_init(struct stlink_env *env, const struct espctl_host *host);

/** Format the detail text, hand it to host->set_error and return `code`. */
#define stlink_fail(env, code, ...) plugin_fail((env)->host, (code), __VA_ARGS__)

/** Log one formatted line through the host. */
#define stlink_log(env, level, ...) plugin_log((env)->host, (level), __VA_ARGS__)

/** Monotonic milliseconds from the host clock. */
#define stlink_now_ms(env) plugin_now_ms((env)->host)

#endif /* STLINK_ENV_H */
