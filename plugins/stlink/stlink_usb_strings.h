/*
 * stlink_usb_strings.h — serial, product and manufacturer strings of a USB device:
 * from the kernel's sysfs attributes (readable without opening the device), else
 * from the string descriptors through an open handle.
 */
#ifndef STLINK_USB_STRINGS_H
#define STLINK_USB_STRINGS_H

#include <libusb.h>
#include <stddef.h>

struct stlink_usb_strings {
    char serial[65];
    char product[128];
    char manufacturer[128];
};

/** Fill *s for `dev`; `handle` may be NULL (then only sysfs is consulted).
 * Missing strings are left empty. */
void stlink_usb_read_strings(libusb_device *dev, libusb_device_handle *handle,
                             struct stlink_usb_strings *s);

/** Hex-expand a serial of binary bytes (old ST-Link V2 firmware) into `out`. */
void stlink_serial_hex(const unsigned char *bytes, size_t n, char *out, size_t out_size);

#endif /* STLINK_USB_STRINGS_H */
