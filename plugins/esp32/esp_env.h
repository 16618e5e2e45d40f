/* The plugin's view of the host: errors, log lines, progress events, clock, cancellation. */
#ifndef ESP32_ENV_H
#define ESP32_ENV_H

#include "espctl/plugin.h"

#include <stdint.h>

struct esp_env {
    const struct espctl_host *host; /* may be NULL (unit tests): errors stay thread-local */
};

/** Formats the error, forwards it to host->set_error, keeps a thread-local copy; returns code. */
int esp_fail(const struct esp_env *env, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** The calling thread's last esp_fail text ("" when none). */
const char *esp_last_error(void);
void esp_log(const struct esp_env *env, int32_t level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void esp_emit(const struct esp_env *env, int32_t kind, const char *stage, uint64_t done,
              uint64_t total, uint64_t address, int32_t status, const char *message);
int esp_cancelled(const struct esp_env *env);
uint64_t esp_now_ms(const struct esp_env *env);
/** Sleeps; returns ESPCTL_E_CANCELLED when cancelled meanwhile, else 0. */
int esp_sleep_ms(const struct esp_env *env, uint32_t ms);
/** Config value by key, or NULL. */
const char *esp_config(const struct esp_env *env, const char *key);

#endif
