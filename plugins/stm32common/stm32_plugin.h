/*
 * stm32_plugin.h — the entry glue the STM32 chip-family plugins share: each registers one
 * chip-family component whose data lives in one block behind a struct plugin_single.
 */
#ifndef STM32_PLUGIN_H
#define STM32_PLUGIN_H

#include "espctl/plugin.h"
#include "plugin_component.h"

#include <stddef.h>

/** Fill the family inside the freshly zeroed plugin data and return its vtable. */
typedef const struct espctl_chip_family *(*stm32_family_setup_fn)(void *plugin_data,
                                                                  const struct espctl_host *host);

/**
 * entry->init body: allocate `size` bytes (a struct whose first member is a struct
 * plugin_single), let `setup` fill the family, register it as the one chip-family component.
 * `name` prefixes the out-of-memory detail ("stm32l4: out of memory"). Returns 0 or
 * ESPCTL_E_NOMEM.
 */
int stm32_plugin_init(const struct espctl_host *host, void **plugin_data, size_t size,
                      const char *name, stm32_family_setup_fn setup);

#endif /* STM32_PLUGIN_H */
