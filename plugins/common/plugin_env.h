/*
 * plugin_env.h — printf-style wrappers over the host services every plugin uses: error
 * detail, log lines, integer configuration with a logged fallback, clock, cancellation.
 */
#ifndef ESPCTL_PLUGIN_ENV_H
#define ESPCTL_PLUGIN_ENV_H

#include "espctl/plugin.h"

#include <stdarg.h>
#include <stdint.h>

#if defined(__GNUC__)
#define PLUGIN_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define PLUGIN_PRINTF(f, a)
#endif

/** Longest detail or log line the wrappers format; longer text is truncated. */
#define PLUGIN_TEXT_MAX 512

/** Format the detail text, hand it to host->set_error and return what set_error returns
 * (the core returns `code`). */
int plugin_fail(const struct espctl_host *host, int code, const char *fmt, ...) PLUGIN_PRINTF(3, 4);

/** Log one formatted line through host->log (nothing when the host has no log). */
void plugin_log(const struct espctl_host *host, int32_t level, const char *fmt, ...)
    PLUGIN_PRINTF(3, 4);

/**
 * The configuration value `key` as an integer (strtoul base 0) in min..max. Unset gives
 * `fallback` silently; a malformed or out-of-range value gives `fallback` with a warning
 * naming the key, the text and the range.
 */
uint32_t plugin_config_u32(const struct espctl_host *host, const char *key, uint32_t fallback,
                           uint32_t min, uint32_t max);

/** Monotonic milliseconds from the host clock. */
uint64_t plugin_now_ms(const struct espctl_host *host);

/** ESPCTL_E_CANCELLED (with detail "cancelled") once the front-end asked to cancel, else 0. */
int plugin_check_cancel(const struct espctl_host *host);

#endif /* ESPCTL_PLUGIN_ENV_H */
