/*
 * stlink_usb.h — the libusb backend: enumeration of attached ST-Links and the
 * bulk-endpoint transport of one opened probe.
 */
#ifndef STLINK_USB_H
#define STLINK_USB_H

#include "stlink_env.h"
#include "stlink_transport.h"

/** Open the ST-Link vid:pid (and `serial` when non-NULL); claims interface 0. */
int stlink_usb_open(const struct stlink_env *env, uint16_t vid, uint16_t pid, const char *serial,
                    struct stlink_transport **out);

/** Report every attached ST-Link this plugin drives through `found`. */
int stlink_usb_enumerate(const struct stlink_env *env, const char *driver_name,
                         espctl_probe_found_fn found, void *user);

#endif /* STLINK_USB_H */
