#include "plugin_env.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int plugin_fail(const struct espctl_host *host, int code, const char *fmt, ...)
{
    char text[PLUGIN_TEXT_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return host->set_error(host, code, text);
}

void plugin_log(const struct espctl_host *host, int32_t level, const char *fmt, ...)
{
    if (!host->log)
        return;
    char text[PLUGIN_TEXT_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    host->log(host, level, text);
}

uint32_t plugin_config_u32(const struct espctl_host *host, const char *key, uint32_t fallback,
                           uint32_t min, uint32_t max)
{
    const char *text = host->config_get ? host->config_get(host, key) : NULL;
    if (!text)
        return fallback;
    char *end = NULL;
    errno = 0;
    unsigned long value = strtoul(text, &end, 0);
    if (errno || end == text || *end != '\0' || value < min || value > max) {
        plugin_log(host, ESPCTL_LOG_WARN, "config %s = '%s' is not an integer in %u..%u; using %u",
                   key, text, min, max, fallback);
        return fallback;
    }
    return (uint32_t)value;
}

uint64_t plugin_now_ms(const struct espctl_host *host)
{
    return host->now_us(host) / 1000u;
}

int plugin_check_cancel(const struct espctl_host *host)
{
    if (host->cancelled && host->cancelled(host))
        return plugin_fail(host, ESPCTL_E_CANCELLED, "cancelled");
    return 0;
}
