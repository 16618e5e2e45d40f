/* Log lines and progress events, routed to the front-end's callbacks. */
#include "core_ctx.h"

#include <stdio.h>

void core_log(espctl_ctx *ctx, int32_t level, const char *source, const char *fmt, ...)
{
    if (!ctx || !ctx->log_cb || level < ctx->log_level)
        return;
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    ctx->log_cb(ctx->log_user, level, source ? source : "core", line);
}

void core_emit(espctl_ctx *ctx, const struct espctl_event *event, const char *source)
{
    if (!ctx || !ctx->event_cb || !event)
        return;
    struct espctl_event copy = *event;
    if (source)
        copy.source = source;
    ctx->event_cb(ctx->event_user, &copy);
}

static void emit_simple(espctl_ctx *ctx, int32_t kind, const char *stage, int32_t status,
                        const char *message, uint64_t done, uint64_t total, uint64_t address)
{
    struct espctl_event event = {
        .hdr = ESPCTL_ABI_HDR(struct espctl_event),
        .kind = kind,
        .status = status,
        .stage = stage,
        .source = "core",
        .message = message,
        .done = done,
        .total = total,
        .address = address,
    };
    core_emit(ctx, &event, NULL);
}

void core_stage_begin(espctl_ctx *ctx, const char *stage, uint64_t total)
{
    emit_simple(ctx, ESPCTL_EVENT_STAGE_BEGIN, stage, 0, NULL, 0, total, ESPCTL_NO_ADDRESS);
}

void core_progress(espctl_ctx *ctx, const char *stage, uint64_t done, uint64_t total,
                   uint64_t address)
{
    emit_simple(ctx, ESPCTL_EVENT_PROGRESS, stage, 0, NULL, done, total, address);
}

void core_stage_end(espctl_ctx *ctx, const char *stage, int status)
{
    emit_simple(ctx, ESPCTL_EVENT_STAGE_END, stage, status, NULL, 0, 0, ESPCTL_NO_ADDRESS);
}

void core_message(espctl_ctx *ctx, const char *stage, const char *fmt, ...)
{
    if (!ctx || !ctx->event_cb)
        return;
    char text[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    emit_simple(ctx, ESPCTL_EVENT_MESSAGE, stage, 0, text, 0, 0, ESPCTL_NO_ADDRESS);
}
