#include "fake_host.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct fake_host *fake_host_of(const struct espctl_host *host)
{
    return (struct fake_host *)(void *)((char *)(uintptr_t)host - offsetof(struct fake_host, host));
}

static void fh_log(const struct espctl_host *host, int32_t level, const char *message)
{
    (void)level;
    snprintf(fake_host_of(host)->last_log, sizeof fake_host_of(host)->last_log, "%s", message);
}

static void fh_emit(const struct espctl_host *host, const struct espctl_event *event)
{
    (void)host;
    (void)event;
}

static int fh_set_error(const struct espctl_host *host, int code, const char *message)
{
    struct fake_host *fh = fake_host_of(host);
    fh->last_code = code;
    snprintf(fh->last_error, sizeof fh->last_error, "%s", message);
    return code;
}

static const char *fh_config_get(const struct espctl_host *host, const char *key)
{
    const char *const *kv = fake_host_of(host)->config;
    for (; kv && kv[0]; kv += 2)
        if (!strcmp(kv[0], key))
            return kv[1];
    return NULL;
}

static int32_t fh_cancelled(const struct espctl_host *host)
{
    (void)host;
    return 0;
}

static uint64_t fh_now_us(const struct espctl_host *host)
{
    (void)host;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int fh_sleep_us(const struct espctl_host *host, uint64_t us)
{
    struct fake_host *fh = fake_host_of(host);
    fh->slept_us += us;
    if (fh->real_sleep) {
        struct timespec ts = {(time_t)(us / 1000000u), (long)(us % 1000000u) * 1000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

void fake_host_init(struct fake_host *fh, const char *const *config)
{
    memset(fh, 0, sizeof *fh);
    fh->host.hdr = (struct espctl_abi_hdr)ESPCTL_ABI_HDR(struct espctl_host);
    fh->host.log = fh_log;
    fh->host.emit = fh_emit;
    fh->host.set_error = fh_set_error;
    fh->host.config_get = fh_config_get;
    fh->host.cancelled = fh_cancelled;
    fh->host.now_us = fh_now_us;
    fh->host.sleep_us = fh_sleep_us;
    fh->config = config;
}
