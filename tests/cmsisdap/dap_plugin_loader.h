/*
 * dap_plugin_loader.h — dlopen the built cmsisdap.so the way the core does (entry
 * symbol, ABI check, init with a fake host) and hand out its probe-driver vtable.
 */
#ifndef DAP_PLUGIN_LOADER_H
#define DAP_PLUGIN_LOADER_H

#include "dap_fake_host.h"

struct dap_loaded_plugin {
    void *dl;
    const struct espctl_plugin_entry *entry;
    void *data;
    const struct espctl_probe_driver *driver;
    struct dap_fake_host fh;
};

/** Load `path`; on failure fails the running cmocka test. */
void dap_plugin_load(struct dap_loaded_plugin *pl, const char *path, const char *const *config);
void dap_plugin_unload(struct dap_loaded_plugin *pl);

#endif
