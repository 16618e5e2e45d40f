#include "gdb_env.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static uint32_t config_u32(const struct gdb_env *env, const char *key, uint32_t fallback,
                           uint32_t min, uint32_t max)
{
    const char *text = env->host->config_get ? env->host->config_get(env->host, key) : NULL;
    if (!text)
        return fallback;
    char *end = NULL;
    errno = 0;
    unsigned long value = strtoul(text, &end, 0);
    if (errno || end == text || *end != '\0' || value < min || value > max) {
        gdb_log(env, ESPCTL_LOG_WARN, "config %s = '%s' is not an integer in %u..%u; using %u",
                key, text, min, max, fallback);
        return fallback;
    }
    return (uint32_t)value;
}

void gdb_env_init(struct gdb_env *env, const struct espctl_host *host)
{
    env->host = host;
    env->timeout_ms = GDB_DEFAULT_TIMEOUT_MS;
    env->flash_timeout_ms = GDB_DEFAULT_FLASH_TIMEOUT_MS;
    env->reset_command = NULL;
    env->timeout_ms = config_u32(env, "gdbremote.timeout_ms", GDB_DEFAULT_TIMEOUT_MS, 10, 600000);
    env->flash_timeout_ms = config_u32(env, "gdbremote.flash_timeout_ms",
                                       GDB_DEFAULT_FLASH_TIMEOUT_MS, 10, 600000);
    if (host->config_get)
        env->reset_command = host->config_get(host, "gdbremote.reset_command");
}

int gdb_fail(const struct gdb_env *env, int code, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    return env->host->set_error(env->host, code, text);
}

void gdb_log(const struct gdb_env *env, int32_t level, const char *fmt, ...)
{
    if (!env->host->log)
        return;
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    env->host->log(env->host, level, text);
}

uint64_t gdb_now_ms(const struct gdb_env *env)
{
    return env->host->now_us(env->host) / 1000u;
}

int gdb_check_cancel(const struct gdb_env *env)
{
    if (env->host->cancelled && env->host->cancelled(env->host))
        return gdb_fail(env, ESPCTL_E_CANCELLED, "cancelled");
    return 0;
}
