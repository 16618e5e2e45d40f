/* Small helpers every cortexm module shares: formatted errors, logs and events. */
#ifndef CORTEXM_UTIL_H
#define CORTEXM_UTIL_H

#include "espctl/plugin.h"

#if defined(__GNUC__)
#define CM_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CM_PRINTF(f, a)
#endif

/** host->set_error with printf formatting; returns `code`. */
int cm_error(const struct espctl_host *host, int code, const char *fmt, ...) CM_PRINTF(3, 4);
void cm_log(const struct espctl_host *host, int32_t level, const char *fmt, ...) CM_PRINTF(3, 4);
/** A few words describing an espctl_error, for messages that wrap a probe failure. */
const char *cm_code_text(int code);

/** Emit one event through the host (no-op when the host has no emit). */
void cm_emit(const struct espctl_host *host, int32_t kind, const char *stage, int32_t status,
             uint64_t done, uint64_t total, uint64_t address, const char *message);
void cm_message(const struct espctl_host *host, const char *stage, const char *fmt, ...)
    CM_PRINTF(3, 4);

/** Monotonic microseconds from the host, or 0 when it offers no clock. */
uint64_t cm_now_us(const struct espctl_host *host);
/** Non-zero when the front-end asked to cancel. */
int cm_cancelled(const struct espctl_host *host);

#endif
