/*
 * core/src/internal.h — what the core's own modules share (never installed).
 * Everything here has hidden visibility; only espctl.h functions are exported.
 */
#ifndef ESPCTL_CORE_INTERNAL_H
#define ESPCTL_CORE_INTERNAL_H

#include "espctl/espctl.h"

#include <stdarg.h>

#if defined(__GNUC__)
#define CORE_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CORE_PRINTF(f, a)
#endif

/** Set this thread's last-error detail (printf-style) and return `code`, so callers
 * write `return core_error(ESPCTL_E_FORMAT, "%s: bad magic", path);`. */
int core_error(int code, const char *fmt, ...) CORE_PRINTF(2, 3);
int core_verror(int code, const char *fmt, va_list ap);
/** Set the detail text verbatim (no formatting). */
int core_error_str(int code, const char *message);

/** Log through the context's callback (no-op when ctx is NULL or level is filtered). */
void core_log(espctl_ctx *ctx, int32_t level, const char *source, const char *fmt, ...)
    CORE_PRINTF(4, 5);

/** Deliver an event to the context's event callback; `source` overrides event->source. */
void core_emit(espctl_ctx *ctx, const struct espctl_event *event, const char *source);

/** Convenience wrappers around core_emit. */
void core_stage_begin(espctl_ctx *ctx, const char *stage, uint64_t total);
void core_progress(espctl_ctx *ctx, const char *stage, uint64_t done, uint64_t total,
                   uint64_t address);
void core_stage_end(espctl_ctx *ctx, const char *stage, int status);
void core_message(espctl_ctx *ctx, const char *stage, const char *fmt, ...) CORE_PRINTF(3, 4);

#endif /* ESPCTL_CORE_INTERNAL_H */
