/* stm32l4.so: one chip-family component, "stm32l4". */
#include "stm32l4.h"

#include <stdlib.h>

struct l4_plugin {
    struct l4_family family;
    struct espctl_component component;
    const struct espctl_component *components[2];
};

static int plugin_init(const struct espctl_host *host, void **plugin_data)
{
    struct l4_plugin *p = calloc(1, sizeof *p);
    if (!p)
        return host->set_error(host, ESPCTL_E_NOMEM, "stm32l4: out of memory");
    l4_family_init(&p->family, host);
    p->component = (struct espctl_component){
        .hdr = ESPCTL_ABI_HDR(struct espctl_component),
        .kind = ESPCTL_COMPONENT_CHIP_FAMILY,
        .vtable = &p->family.vtable,
    };
    p->components[0] = &p->component;
    p->components[1] = NULL;
    *plugin_data = p;
    return 0;
}

static void plugin_deinit(void *plugin_data)
{
    free(plugin_data);
}

static const struct espctl_component *const *plugin_components(void *plugin_data)
{
    return ((struct l4_plugin *)plugin_data)->components;
}

ESPCTL_PLUGIN_ENTRY
{
    static const struct espctl_plugin_entry entry = {
        .hdr = ESPCTL_ABI_HDR(struct espctl_plugin_entry),
        .name = "stm32l4",
        .version = "0.1.0",
        .description = "STM32L4 chip family (L43x/L44x/L45x/L46x/L47x/L48x/L49x/L4Ax flash)",
        .init = plugin_init,
        .deinit = plugin_deinit,
        .components = plugin_components,
    };
    return &entry;
}
