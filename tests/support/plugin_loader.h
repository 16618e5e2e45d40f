/*
 * plugin_loader.h — dlopen a built probe-driver plugin (stlink.so, cmsisdap.so) the way the
 * core does (entry symbol, ABI check, init with a fake host) and hand out its one
 * probe-driver vtable.
 */
#ifndef ESPCTL_TEST_PLUGIN_LOADER_H
#define ESPCTL_TEST_PLUGIN_LOADER_H

#include "fake_host.h"

struct loaded_plugin {
    void *dl;
    const struct espctl_plugin_entry *entry;
    void *data;
    const struct espctl_probe_driver *driver;
    struct fake_host fh;
};

/**
 * Load `path`, check that both the plugin and its only component are called `name`, and
 * init it with a fake host serving `config` (sleeps are real). On failure fails the running
 * cmocka test.
 */
void plugin_load(struct loaded_plugin *pl, const char *path, const char *name,
                 const char *const *config);
void plugin_unload(struct loaded_plugin *pl);

#endif
