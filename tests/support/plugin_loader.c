#include "plugin_loader.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <string.h>

void plugin_load(struct loaded_plugin *pl, const char *path, const char *name,
                 const char *const *config)
{
    memset(pl, 0, sizeof *pl);
    fake_host_init(&pl->fh, config);
    pl->fh.real_sleep = 1;
    pl->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!pl->dl)
        fail_msg("dlopen %s: %s", path, dlerror());
    espctl_plugin_entry_fn fn;
    *(void **)&fn = dlsym(pl->dl, ESPCTL_PLUGIN_ENTRY_SYMBOL);
    assert_non_null(fn);
    pl->entry = fn();
    assert_non_null(pl->entry);
    assert_int_equal(pl->entry->hdr.abi_major, ESPCTL_PLUGIN_ABI_MAJOR);
    assert_string_equal(pl->entry->name, name);
    assert_int_equal(pl->entry->init(&pl->fh.host, &pl->data), 0);
    const struct espctl_component *const *comps = pl->entry->components(pl->data);
    assert_non_null(comps[0]);
    assert_null(comps[1]);
    assert_int_equal(comps[0]->kind, ESPCTL_COMPONENT_PROBE_DRIVER);
    pl->driver = comps[0]->vtable;
    assert_string_equal(pl->driver->name, name);
}

void plugin_unload(struct loaded_plugin *pl)
{
    if (pl->entry && pl->data)
        pl->entry->deinit(pl->data);
    if (pl->dl)
        dlclose(pl->dl);
    memset(pl, 0, sizeof *pl);
}
