/* The "esp32" flash-target component (target_data is the `const struct espctl_host *`). */
#ifndef ESP32_TARGET_H
#define ESP32_TARGET_H

#include "espctl/plugin.h"

/** Fills the vtable; target_data = host. */
void esp_target_vtable(struct espctl_flash_target *t, const struct espctl_host *host);

#endif
