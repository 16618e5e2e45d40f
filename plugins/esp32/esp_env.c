#include "esp_env.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static _Thread_local char last_error[1024];

int esp_fail(const struct esp_env *env, int code, const char *fmt, ...)
{
    /* Format into a local buffer first: callers pass esp_last_error() as an argument. */
    char text[sizeof last_error];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    memcpy(last_error, text, sizeof text);
    if (env && env->host && env->host->set_error)
        env->host->set_error(env->host, code, last_error);
    return code;
}

const char *esp_last_error(void)
{
    return last_error;
}

void esp_log(const struct esp_env *env, int32_t level, const char *fmt, ...)
{
    if (!env || !env->host || !env->host->log)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    env->host->log(env->host, level, line);
}

void esp_emit(const struct esp_env *env, int32_t kind, const char *stage, uint64_t done,
              uint64_t total, uint64_t address, int32_t status, const char *message)
{
    if (!env || !env->host || !env->host->emit)
        return;
    struct espctl_event ev = {.hdr = ESPCTL_ABI_HDR(struct espctl_event), .kind = kind, .status = status,
                              .stage = stage, .message = message, .done = done, .total = total,
                              .address = address};
    env->host->emit(env->host, &ev);
}

int esp_cancelled(const struct esp_env *env)
{
    return env && env->host && env->host->cancelled && env->host->cancelled(env->host);
}

uint64_t esp_now_ms(const struct esp_env *env)
{
    if (env && env->host && env->host->now_us)
        return env->host->now_us(env->host) / 1000;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int esp_sleep_ms(const struct esp_env *env, uint32_t ms)
{
    if (env && env->host && env->host->sleep_us)
        return env->host->sleep_us(env->host, (uint64_t)ms * 1000);
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
    return 0;
}

const char *esp_config(const struct esp_env *env, const char *key)
{
    if (!env || !env->host || !env->host->config_get)
        return NULL;
    return env->host->config_get(env->host, key);
}
