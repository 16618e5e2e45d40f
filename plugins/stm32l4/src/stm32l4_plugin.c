/* stm32l4.so: one chip-family component, "stm32l4". */
#include "stm32l4.h"
#include "stm32_common.h"

struct l4_plugin {
    struct stm32_plugin_head head; /* first: stm32_plugin_components reads it */
    struct l4_family family;
};

static const struct espctl_chip_family *setup_family(void *plugin_data, const struct espctl_host *host)
{
    struct l4_plugin *p = plugin_data;
    l4_family_init(&p->family, host);
    return &p->family.vtable;
}

static int plugin_init(const struct espctl_host *host, void **plugin_data)
{
    return stm32_plugin_init(host, plugin_data, sizeof(struct l4_plugin), "stm32l4", setup_family);
}

ESPCTL_PLUGIN_ENTRY
{
    static const struct espctl_plugin_entry entry = {
        .hdr = ESPCTL_ABI_HDR(struct espctl_plugin_entry),
        .name = "stm32l4",
        .version = "0.1.0",
        .description = "STM32L4 chip family (L43x/L44x/L45x/L46x/L47x/L48x/L49x/L4Ax flash)",
        .init = plugin_init,
        .deinit = stm32_plugin_deinit,
        .components = stm32_plugin_components,
    };
    return &entry;
}
