#include "plugin_component.h"

#include <stdio.h>
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

void *plugin_alloc(const struct espctl_host *host, size_t size, const char *what)
{
    void *block = calloc(1, size);
    if (!block) {
        char text[128];
        snprintf(text, sizeof text, "%sout of memory", what);
        host->set_error(host, ESPCTL_E_NOMEM, text);
    }
    return block;
}
