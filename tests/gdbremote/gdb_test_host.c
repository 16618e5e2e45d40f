#include "gdb_test_host.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static struct gdb_test_plugin *owner(const struct espctl_host *host)
{
    return (struct gdb_test_plugin *)(void *)((char *)(uintptr_t)host -
                                             offsetof(struct gdb_test_plugin, host));
}

static void th_log(const struct espctl_host *host, int32_t level, const char *message)
{
    (void)host;
    if (level >= ESPCTL_LOG_WARN)
        fprintf(stderr, "[gdbremote] %s\n", message);
}

static void th_emit(const struct espctl_host *host, const struct espctl_event *event)
{
    (void)host;
    (void)event;
}

static int th_set_error(const struct espctl_host *host, int code, const char *message)
{
    struct gdb_test_plugin *tp = owner(host);
    tp->last_code = code;
    snprintf(tp->last_error, sizeof tp->last_error, "%s", message);
    return code;
}

static const char *th_config_get(const struct espctl_host *host, const char *key)
{
    for (const char *const *kv = owner(host)->config; kv && kv[0]; kv += 2)
        if (!strcmp(kv[0], key))
            return kv[1];
    return NULL;
}

static int32_t th_cancelled(const struct espctl_host *host) { return owner(host)->cancel; }

uint64_t gdb_test_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t th_now_us(const struct espctl_host *host)
{
    (void)host;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int th_sleep_us(const struct espctl_host *host, uint64_t us)
{
    (void)host;
    struct timespec ts = {(time_t)(us / 1000000u), (long)(us % 1000000u) * 1000};
    nanosleep(&ts, NULL);
    return 0;
}

void gdb_test_host_init(struct gdb_test_plugin *tp, const char *const *config)
{
    memset(tp, 0, sizeof *tp);
    tp->host.hdr = (struct espctl_abi_hdr)ESPCTL_ABI_HDR(struct espctl_host);
    tp->host.log = th_log;
    tp->host.emit = th_emit;
    tp->host.set_error = th_set_error;
    tp->host.config_get = th_config_get;
    tp->host.cancelled = th_cancelled;
    tp->host.now_us = th_now_us;
    tp->host.sleep_us = th_sleep_us;
    tp->config = config;
}

void gdb_test_load(struct gdb_test_plugin *tp, const char *path, const char *const *config)
{
    gdb_test_host_init(tp, config);
    tp->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!tp->dl)
        fail_msg("dlopen %s: %s", path, dlerror());
    espctl_plugin_entry_fn fn;
    *(void **)&fn = dlsym(tp->dl, ESPCTL_PLUGIN_ENTRY_SYMBOL);
    assert_non_null(fn);
    tp->entry = fn();
    assert_non_null(tp->entry);
    assert_int_equal(tp->entry->hdr.abi_major, ESPCTL_PLUGIN_ABI_MAJOR);
    assert_string_equal(tp->entry->name, "gdbremote");
    assert_int_equal(tp->entry->init(&tp->host, &tp->data), 0);
    const struct espctl_component *const *comps = tp->entry->components(tp->data);
    assert_non_null(comps[0]);
    assert_null(comps[1]);
    assert_int_equal(comps[0]->kind, ESPCTL_COMPONENT_PROBE_DRIVER);
    tp->driver = comps[0]->vtable;
    assert_string_equal(tp->driver->name, "gdbremote");
}

void gdb_test_unload(struct gdb_test_plugin *tp)
{
    if (tp->entry && tp->data)
        tp->entry->deinit(tp->data);
    if (tp->dl)
        dlclose(tp->dl);
    tp->entry = NULL;
    tp->data = NULL;
    tp->dl = NULL;
}
