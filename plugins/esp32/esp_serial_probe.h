/* The "esp-serial" probe driver: USB-serial bridges that ESP boards use, found in sysfs. */
#ifndef ESP32_SERIAL_PROBE_H
#define ESP32_SERIAL_PROBE_H

#include "espctl/plugin.h"

extern const struct espctl_usb_id esp_serial_usb_ids[];
extern const uint32_t esp_serial_usb_id_count;

/**
 * Reports every tty under sys_root/class/tty whose USB device (found by walking up from
 * the resolved class entry) has one of esp_serial_usb_ids, with port path dev_root/NAME.
 * A missing sysfs is no bridges (0).
 * Used with "/sys" and "/dev"; tests pass a fake tree.
 */
int esp_serial_enumerate(const char *sys_root, const char *dev_root, const char *driver_name,
                         espctl_probe_found_fn found, void *user);

#endif
