/* stm32f7.so: one chip-family component, "stm32f7". */
#include "stm32f7.h"
#include "stm32_common.h"

struct f7_plugin {
    struct stm32_plugin_head head; /* first: stm32_plugin_components reads it */
    struct f7_family family;
};

static const struct espctl_chip_family *setup_family(void *plugin_data, const struct espctl_host *host)
{
    struct f7_plugin *p = plugin_data;
    f7_family_init(&p->family, host);
    return &p->family.vtable;
}

static int plugin_init(const struct espctl_host *host, void **plugin_data)
{
    return stm32_plugin_init(host, plugin_data, sizeof(struct f7_plugin), "stm32f7", setup_family);
}

ESPCTL_PLUGIN_ENTRY
{
    static const struct espctl_plugin_entry entry = {
        .hdr = ESPCTL_ABI_HDR(struct espctl_plugin_entry),
        .name = "stm32f7",
        .version = "0.1.0",
        .description = "STM32F7 chip family (F72x/F73x/F74x/F75x/F76x/F77x flash)",
        .init = plugin_init,
        .deinit = stm32_plugin_deinit,
        .components = stm32_plugin_components,
    };
    return &entry;
}
