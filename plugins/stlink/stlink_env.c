#include "stlink_env.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static uint32_t config_u32(const struct stlink_env *env, const char *key, uint32_t fallback,
                           uint32_t min, uint32_t max)
{
    const char *text = env->host->config_get ? env->host->config_get(env->host, key) : NULL;
    if (!text)
        return fallback;
    char *end = NULL;
    errno = 0;
    unsigned long value = strtoul(text, &end, 0);
    if (errno || end == text || *end != '\0' || value < min || value > max) {
        stlink_log(env, ESPCTL_LOG_WARN, "config %s = '%s' is not an integer in %u..%u; using %u",
                   key, text, min, max, fallback);
        return fallback;
    }
    return (uint32_t)value;
}

void stlink_env_init(struct stlink_env *env, const struct espctl_host *host)
{
    env->host = host;
    env->timeout_ms = STLINK_DEFAULT_TIMEOUT_MS;
    env->speed_khz = STLINK_DEFAULT_SPEED_KHZ;
    env->tar_block = 1024;
    env->timeout_ms = config_u32(env, "stlink.timeout_ms", STLINK_DEFAULT_TIMEOUT_MS, 10, 60000);
    env->speed_khz = config_u32(env, "stlink.speed_khz", STLINK_DEFAULT_SPEED_KHZ, 1, 100000);
    uint32_t block = config_u32(env, "stlink.tar_block", 1024, 1024, 4096);
    if (block != 1024 && block != 2048 && block != 4096) {
        stlink_log(env, ESPCTL_LOG_WARN, "config stlink.tar_block = %u is not 1024, 2048 or 4096; using 1024",
                   block);
        block = 1024;
    }
    env->tar_block = block;
    env->tar_block_configured = env->host->config_get && env->host->config_get(env->host, "stlink.tar_block");
}

int stlink_fail(const struct stlink_env *env, int code, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return env->host->set_error(env->host, code, text);
}

void stlink_log(const struct stlink_env *env, int32_t level, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    env->host->log(env->host, level, text);
}

uint64_t stlink_now_ms(const struct stlink_env *env)
{
    return env->host->now_us(env->host) / 1000u;
}
