/*
 * plugin_usb_strings.h — a USB device's serial, product and manufacturer text for the USB
 * probe drivers: the kernel's sysfs attributes (readable without opening the device), and
 * the string descriptors through an open handle. Callers link libusb themselves.
 */
#ifndef ESPCTL_PLUGIN_USB_STRINGS_H
#define ESPCTL_PLUGIN_USB_STRINGS_H

#include <libusb.h>
#include <stddef.h>
#include <stdint.h>

/**
 * Read the "serial", "product" and "manufacturer" sysfs attributes of `dev` (under
 * /sys/bus/usb/devices/<bus>-<port>[.<port>...]) into the given buffers. A buffer is left as
 * it was when its attribute cannot be read, and emptied when the text is not printable ASCII.
 */
void plugin_usb_sysfs_strings(libusb_device *dev, char *serial, size_t serial_size, char *product,
                              size_t product_size, char *manufacturer, size_t manufacturer_size);

/** String descriptor `index` as ASCII into `out`: untouched when `index` is 0, emptied when the
 * read fails. */
void plugin_usb_descriptor_ascii(libusb_device_handle *h, uint8_t index, char *out, size_t size);

#endif /* ESPCTL_PLUGIN_USB_STRINGS_H */
