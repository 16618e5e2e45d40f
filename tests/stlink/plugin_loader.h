/*
 * plugin_loader.h — dlopen the built stlink.so the way the core does (entry symbol,
 * ABI check, init with a fake host) and hand out its probe-driver vtable.
 */
#ifndef STLINK_TEST_PLUGIN_LOADER_H
#define STLINK_TEST_PLUGIN_LOADER_H

#include "fake_host.h"

struct loaded_plugin {
    void *dl;
    const struct espctl_plugin_entry *entry;
    void *data;
    const struct espctl_probe_driver *driver;
    struct fake_host fh;
};

/** Load `path`; on failure fails the running cmocka test. */
void plugin_load(struct loaded_plugin *pl, const char *path, const char *const *config);
void plugin_unload(struct loaded_plugin *pl);

#endif
