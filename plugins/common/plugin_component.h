/*
 * plugin_component.h — entry glue for a plugin that registers exactly one component: the
 * component record, the NULL-terminated list `components` returns, and the deinit and
 * components callbacks for plugin data allocated as one block.
 */
#ifndef ESPCTL_PLUGIN_COMPONENT_H
#define ESPCTL_PLUGIN_COMPONENT_H

#include "espctl/plugin.h"

#include <stddef.h>
#include <stdint.h>

/** One component and the list that names it. Put it first in the plugin's data so that
 * plugin_single_components can find it. */
struct plugin_single {
    struct espctl_component component;
    const struct espctl_component *list[2];
};

/** Fill *single with one component of `kind` (ESPCTL_COMPONENT_*) pointing at `vtable`. */
void plugin_single_init(struct plugin_single *single, int32_t kind, const void *vtable);

/** entry->components for plugin data whose first member is a struct plugin_single. */
const struct espctl_component *const *plugin_single_components(void *plugin_data);

/** entry->deinit for plugin data that is one calloc'd block. */
void plugin_free(void *plugin_data);

#endif /* ESPCTL_PLUGIN_COMPONENT_H */
