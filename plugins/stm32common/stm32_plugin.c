#include "stm32_plugin.h"

#include <stdio.h>

int stm32_plugin_init(const struct espctl_host *host, void **plugin_data, size_t size,
                      const char *name, stm32_family_setup_fn setup)
{
    char what[64];
    snprintf(what, sizeof what, "%s: ", name);
    struct plugin_single *single = plugin_alloc(host, size, what);
    if (!single)
        return ESPCTL_E_NOMEM;
    plugin_single_init(single, ESPCTL_COMPONENT_CHIP_FAMILY, setup(single, host));
    *plugin_data = single;
    return 0;
}
