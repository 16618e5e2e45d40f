/* stm32h7.so: one chip-family component, "stm32h7". */
#include "stm32h7.h"
#include "stm32_common.h"

struct h7_plugin {
    struct stm32_plugin_head head; /* first: stm32_plugin_components reads it */
    struct h7_family family;
};

static const struct espctl_chip_family *setup_family(void *plugin_data, const struct espctl_host *host)
{
    struct h7_plugin *p = plugin_data;
    h7_family_init(&p->family, host);
    return &p->family.vtable;
}

static int plugin_init(const struct espctl_host *host, void **plugin_data)
{
    return stm32_plugin_init(host, plugin_data, sizeof(struct h7_plugin), "stm32h7", setup_family);
}

ESPCTL_PLUGIN_ENTRY
{
    static const struct espctl_plugin_entry entry = {
        .hdr = ESPCTL_ABI_HDR(struct espctl_plugin_entry),
        .name = "stm32h7",
        .version = "0.1.0",
        .description = "STM32H7 chip family (H742/H743/H750/H753 dual-bank flash)",
        .init = plugin_init,
        .deinit = stm32_plugin_deinit,
        .components = stm32_plugin_components,
    };
    return &entry;
}
