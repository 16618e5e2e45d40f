/*
 * plugin_caps.h — answering probe_driver->caps for a caller whose struct may be older
 * (smaller) or newer (larger) than the plugin's.
 */
#ifndef ESPCTL_PLUGIN_CAPS_H
#define ESPCTL_PLUGIN_CAPS_H

#include "espctl/plugin.h"

/**
 * Copy `caps` into `out`, at most out->hdr.struct_size bytes, and set out's struct_size to
 * the bytes written. Returns 0, or ESPCTL_E_ABI through host->set_error when `out` cannot
 * even hold the header.
 */
int plugin_put_caps(const struct espctl_host *host, const struct espctl_probe_caps *caps,
                    struct espctl_probe_caps *out);

#endif /* ESPCTL_PLUGIN_CAPS_H */
