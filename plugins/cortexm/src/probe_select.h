/*
 * Which probe driver opens which probe, from a --probe selector:
 *   NULL, "" or "auto"  the only probe any driver enumerates (fails listing them when
 *                       there are several, with a hint when there are none);
 *   PREFIX...           the driver declaring that selector prefix ("stlink-tcp:");
 *   VID:PID[:SERIAL]    the driver declaring that USB id;
 *   anything else       the enumerated probe whose selector or serial equals it.
 */
#ifndef CORTEXM_PROBE_SELECT_H
#define CORTEXM_PROBE_SELECT_H

#include "espctl/plugin.h"

#include <stddef.h>

/** On success *driver is set and `chosen` holds the selector to pass to its open(). */
int cm_probe_select(const struct espctl_host *host, const char *selector,
                    const struct espctl_probe_driver **driver, char *chosen, size_t chosen_cap);

#endif
