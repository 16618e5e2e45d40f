/*
 * gdb_test_host.h — load the built gdbremote.so the way the core does (entry symbol,
 * ABI check, init) with an in-test struct espctl_host: records the last error, serves
 * configuration from a key/value table, uses the real clock.
 */
#ifndef GDB_TEST_HOST_H
#define GDB_TEST_HOST_H

#include "espctl/plugin.h"

struct gdb_test_plugin {
    struct espctl_host host;
    int last_code;
    char last_error[512];
    /** NULL-terminated key/value pairs. */
    const char *const *config;
    /** What host->cancelled reports. */
    int32_t cancel;
    void *dl;
    const struct espctl_plugin_entry *entry;
    void *data;
    const struct espctl_probe_driver *driver;
};

/** dlopen `path` and init the plugin; fails the running cmocka test on error. */
void gdb_test_load(struct gdb_test_plugin *tp, const char *path, const char *const *config);
void gdb_test_unload(struct gdb_test_plugin *tp);
/** Fill a host without loading a plugin (for tests of the static protocol library). */
void gdb_test_host_init(struct gdb_test_plugin *tp, const char *const *config);
/** Monotonic milliseconds. */
uint64_t gdb_test_now_ms(void);

#endif
