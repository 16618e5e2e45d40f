#include "plugin_component.h"

#include <stdlib.h>

void plugin_single_init(struct plugin_single *single, int32_t kind, const void *vtable)
{
    single->component = (struct espctl_component){
        .hdr = ESPCTL_ABI_HDR(struct espctl_component),
        .kind = kind,
        .vtable = vtable,
    };
    single->list[0] = &single->component;
    single->list[1] = NULL;
}

const struct espctl_component *const *plugin_single_components(void *plugin_data)
{
    return ((struct plugin_single *)plugin_data)->list;
}

void plugin_free(void *plugin_data)
{
    free(plugin_data);
}
