/*
 * dap_usb.h — CMSIS-DAP over libusb: discovery by the "CMSIS-DAP" interface/product
 * string (v2 vendor bulk interface preferred, v1 HID otherwise), the two USB
 * transports, and enumeration for `probes list`.
 */
#ifndef DAP_USB_H
#define DAP_USB_H

#include "dap_env.h"
#include "dap_transport.h"

/** Open the CMSIS-DAP probe vid:pid (and `serial` when non-NULL). */
int dap_usb_open(const struct dap_env *env, uint16_t vid, uint16_t pid, const char *serial,
                 struct dap_transport **out);

/** Report every attached CMSIS-DAP probe through `found`. */
int dap_usb_enumerate(const struct dap_env *env, const char *driver_name, espctl_probe_found_fn found, void *user);

#endif /* DAP_USB_H */
