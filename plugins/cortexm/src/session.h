/* The "cortexm" flash-target component: sessions over any ADIv5 probe driver. */
#ifndef CORTEXM_SESSION_H
#define CORTEXM_SESSION_H

#include "espctl/plugin.h"

/** Fill the flash-target vtable; target_data is the host pointer. */
void cm_target_init(struct espctl_flash_target *vtable, const struct espctl_host *host);

/**
 * The chip family and descriptor for a chip name: the exact name first, then the name
 * without a probe-rs package suffix ("STM32G431RBTx" -> "stm32g431rb"). Only families
 * whose arch is "cortexm" count. Returns 0 or ESPCTL_E_NOT_FOUND (no error text set).
 */
int cm_find_chip(const struct espctl_host *host, const char *name,
                 const struct espctl_chip_family **family, const struct espctl_chip_desc **chip);

#endif
