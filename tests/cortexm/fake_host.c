#include "fake_host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static struct fake_host *self(const struct espctl_host *h)
{
    return h->host_data;
}

static void h_log(const struct espctl_host *h, int32_t level, const char *message)
{
    if (level == ESPCTL_LOG_WARN)
        snprintf(self(h)->last_warning, sizeof self(h)->last_warning, "%s", message);
    if (getenv("CORTEXM_TEST_VERBOSE"))
        fprintf(stderr, "[log %d] %s\n", level, message);
}

static void h_emit(const struct espctl_host *h, const struct espctl_event *ev)
{
    struct fake_host *fh = self(h);
    if (fh->event_count >= FAKE_MAX_EVENTS)
        return;
    struct fake_event *e = &fh->events[fh->event_count++];
    e->kind = ev->kind;
    e->status = ev->status;
    snprintf(e->stage, sizeof e->stage, "%s", ev->stage ? ev->stage : "");
    e->done = ev->done;
    e->total = ev->total;
    e->address = ev->address;
}

static int h_set_error(const struct espctl_host *h, int code, const char *message)
{
    struct fake_host *fh = self(h);
    snprintf(fh->last_error, sizeof fh->last_error, "%s", message ? message : "");
    fh->last_code = code;
    if (getenv("CORTEXM_TEST_VERBOSE"))
        fprintf(stderr, "[error %d] %s\n", code, fh->last_error);
    return code;
}

static const char *h_config(const struct espctl_host *h, const char *key)
{
    (void)h, (void)key;
    return NULL;
}

static int32_t h_cancelled(const struct espctl_host *h)
{
    return self(h)->cancel;
}

static uint64_t h_now(const struct espctl_host *h)
{
    (void)h;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int h_sleep(const struct espctl_host *h, uint64_t us)
{
    (void)h;
    struct timespec ts = {(time_t)(us / 1000000u), (long)(us % 1000000u) * 1000};
    nanosleep(&ts, NULL);
    return 0;
}

static uint32_t h_driver_count(const struct espctl_host *h)
{
    return self(h)->driver_count;
}

static const struct espctl_probe_driver *h_driver_at(const struct espctl_host *h, uint32_t i)
{
    return i < self(h)->driver_count ? self(h)->drivers[i] : NULL;
}

static const struct espctl_probe_driver *h_find_driver(const struct espctl_host *h, const char *n)
{
    for (uint32_t i = 0; i < self(h)->driver_count; i++)
        if (!strcmp(self(h)->drivers[i]->name, n))
            return self(h)->drivers[i];
    return NULL;
}

static uint32_t h_family_count(const struct espctl_host *h)
{
    return self(h)->family_count;
}

static const struct espctl_chip_family *h_family_at(const struct espctl_host *h, uint32_t i)
{
    return i < self(h)->family_count ? self(h)->families[i] : NULL;
}

static const struct espctl_chip_family *h_find_family(const struct espctl_host *h, const char *chip)
{
    for (uint32_t i = 0; i < self(h)->family_count; i++)
        for (const struct espctl_chip_desc *const *d = self(h)->families[i]->chips; *d; d++)
            if (!strcasecmp((*d)->name, chip) || !strcasecmp((*d)->probe_rs_name, chip))
                return self(h)->families[i];
    return NULL;
}

ESPCTL_EXPORT const struct espctl_plugin_entry *espctl_plugin_entry_v1(void);

void fake_host_init(struct fake_host *fh)
{
    memset(fh, 0, sizeof *fh);
    fh->host = (struct espctl_host){
        .hdr = ESPCTL_ABI_HDR(struct espctl_host),
        .host_data = fh,
        .log = h_log,
        .emit = h_emit,
        .set_error = h_set_error,
        .config_get = h_config,
        .cancelled = h_cancelled,
        .now_us = h_now,
        .sleep_us = h_sleep,
        .probe_driver_count = h_driver_count,
        .probe_driver_at = h_driver_at,
        .find_probe_driver = h_find_driver,
        .chip_family_count = h_family_count,
        .chip_family_at = h_family_at,
        .find_chip_family = h_find_family,
    };
    const struct espctl_plugin_entry *entry = espctl_plugin_entry_v1();
    if (entry->init(&fh->host, &fh->plugin_data) != 0)
        abort();
    for (const struct espctl_component *const *c = entry->components(fh->plugin_data); *c; c++) {
        if ((*c)->kind == ESPCTL_COMPONENT_FLASH_TARGET)
            fh->target = (*c)->vtable;
        else if ((*c)->kind == ESPCTL_COMPONENT_CHIP_FAMILY)
            fh->families[fh->family_count++] = (*c)->vtable;
    }
}

void fake_host_fini(struct fake_host *fh)
{
    espctl_plugin_entry_v1()->deinit(fh->plugin_data);
}

int fake_host_count(const struct fake_host *fh, int32_t kind, const char *stage)
{
    int n = 0;
    for (int i = 0; i < fh->event_count; i++)
        if (fh->events[i].kind == kind && !strcmp(fh->events[i].stage, stage))
            n++;
    return n;
}
