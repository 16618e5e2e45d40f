#include "util.h"

#include <stdarg.h>
#include <stdio.h>

int cm_error(const struct espctl_host *host, int code, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (ESPCTL_HAS_FN(host, struct espctl_host, set_error))
        return host->set_error(host, code, text);
    return code;
}

void cm_log(const struct espctl_host *host, int32_t level, const char *fmt, ...)
{
    if (!ESPCTL_HAS_FN(host, struct espctl_host, log))
        return;
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    host->log(host, level, text);
}

const char *cm_code_text(int code)
{
    switch (code) {
    case ESPCTL_E_IO: return "probe I/O error";
    case ESPCTL_E_TIMEOUT: return "probe timed out";
    case ESPCTL_E_NO_DEVICE: return "probe disconnected";
    case ESPCTL_E_PROTOCOL: return "probe protocol error";
    case ESPCTL_E_TARGET: return "target fault";
    case ESPCTL_E_CANCELLED: return "cancelled";
    case ESPCTL_E_NOMEM: return "out of memory";
    case ESPCTL_E_NOT_SUPPORTED: return "not supported by the probe";
    default: return "probe error";
    }
}

void cm_emit(const struct espctl_host *host, int32_t kind, const char *stage, int32_t status,
             uint64_t done, uint64_t total, uint64_t address, const char *message)
{
    if (!ESPCTL_HAS_FN(host, struct espctl_host, emit))
        return;
    struct espctl_event ev = {
        .hdr = ESPCTL_ABI_HDR(struct espctl_event),
        .kind = kind,
        .status = status,
        .stage = stage,
        .message = message,
        .done = done,
        .total = total,
        .address = address,
    };
    host->emit(host, &ev);
}

void cm_message(const struct espctl_host *host, const char *stage, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    cm_emit(host, ESPCTL_EVENT_MESSAGE, stage, 0, 0, 0, ESPCTL_NO_ADDRESS, text);
}

uint64_t cm_now_us(const struct espctl_host *host)
{
    if (ESPCTL_HAS_FN(host, struct espctl_host, now_us))
        return host->now_us(host);
    return 0;
}

int cm_cancelled(const struct espctl_host *host)
{
    return ESPCTL_HAS_FN(host, struct espctl_host, cancelled) && host->cancelled(host) != 0;
}
