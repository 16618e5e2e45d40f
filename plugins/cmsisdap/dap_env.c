#include "dap_env.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static uint32_t config_u32(const struct dap_env *env, const char *key, uint32_t fallback, uint32_t min,
                           uint32_t max)
{
    const char *text = env->host->config_get ? env->host->config_get(env->host, key) : NULL;
    if (!text)
        return fallback;
    char *end = NULL;
    errno = 0;
    unsigned long value = strtoul(text, &end, 0);
    if (errno || end == text || *end != '\0' || value < min || value > max) {
        dap_log(env, ESPCTL_LOG_WARN, "config %s = '%s' is not an integer in %u..%u; using %u", key, text, min,
                max, fallback);
        return fallback;
    }
    return (uint32_t)value;
}

void dap_env_init(struct dap_env *env, const struct espctl_host *host)
{
    env->host = host;
    env->timeout_ms = config_u32(env, "cmsisdap.timeout_ms", DAP_DEFAULT_TIMEOUT_MS, 10, 60000);
    env->speed_khz = config_u32(env, "cmsisdap.speed_khz", DAP_DEFAULT_SPEED_KHZ, 1, 100000);
    env->wait_retry = config_u32(env, "cmsisdap.wait_retry", DAP_DEFAULT_WAIT_RETRY, 0, 65535);
    env->host_retries = config_u32(env, "cmsisdap.host_retries", DAP_DEFAULT_HOST_RETRIES, 0, 32);
    env->max_inflight = config_u32(env, "cmsisdap.max_inflight", DAP_DEFAULT_MAX_INFLIGHT, 1,
                                   DAP_MAX_INFLIGHT_LIMIT);
}

int dap_fail(const struct dap_env *env, int code, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return env->host->set_error(env->host, code, text);
}

void dap_log(const struct dap_env *env, int32_t level, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    env->host->log(env->host, level, text);
}

uint64_t dap_now_ms(const struct dap_env *env)
{
    return env->host->now_us(env->host) / 1000u;
}
