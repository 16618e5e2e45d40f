/* cortexm.so: the "cortexm" flash target and the "stm32g4" chip family. */
#include "session.h"
#include "stm32g4.h"

#include <stdlib.h>

struct cortexm_plugin {
    struct espctl_flash_target target;
    struct espctl_chip_family g4;
    struct g4_family g4_data;
    struct espctl_component target_component;
    struct espctl_component g4_component;
    const struct espctl_component *components[3];
};

static int plugin_init(const struct espctl_host *host, void **plugin_data)
{
    struct cortexm_plugin *p = calloc(1, sizeof *p);
    if (!p)
        return host->set_error(host, ESPCTL_E_NOMEM, "cortexm: out of memory");
    cm_target_init(&p->target, host);
    g4_family_init(&p->g4_data, host, &p->g4);
    p->target_component = (struct espctl_component){
        .hdr = ESPCTL_ABI_HDR(struct espctl_component),
        .kind = ESPCTL_COMPONENT_FLASH_TARGET,
        .vtable = &p->target,
    };
    p->g4_component = (struct espctl_component){
        .hdr = ESPCTL_ABI_HDR(struct espctl_component),
        .kind = ESPCTL_COMPONENT_CHIP_FAMILY,
        .vtable = &p->g4,
    };
    p->components[0] = &p->target_component;
    p->components[1] = &p->g4_component;
    p->components[2] = NULL;
    *plugin_data = p;
    return 0;
}

static void plugin_deinit(void *plugin_data)
{
    free(plugin_data);
}

static const struct espctl_component *const *plugin_components(void *plugin_data)
{
    struct cortexm_plugin *p = plugin_data;
    return p->components;
}

ESPCTL_PLUGIN_ENTRY
{
    static const struct espctl_plugin_entry entry = {
        .hdr = ESPCTL_ABI_HDR(struct espctl_plugin_entry),
        .name = "cortexm",
        .version = "0.1.0",
        .description = "Cortex-M flash target over ADIv5 probes, with the STM32G4 chip family",
        .init = plugin_init,
        .deinit = plugin_deinit,
        .components = plugin_components,
    };
    return &entry;
}
