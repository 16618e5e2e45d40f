/*
 * dap_usb_find.h — which interface of a USB device is a CMSIS-DAP, and the device's
 * strings (sysfs attributes first, so unopenable probes still show them; then string
 * descriptors).
 */
#ifndef DAP_USB_FIND_H
#define DAP_USB_FIND_H

#include <libusb.h>
#include <stdint.h>

struct dap_usb_strings {
    char serial[128];
    char product[128];
    char manufacturer[128];
};

/** The CMSIS-DAP interface found on a device. */
struct dap_usb_iface {
    int kind;             /**< DAP_TRANSPORT_V2_BULK or DAP_TRANSPORT_V1_HID; 0 = none */
    uint8_t number;       /**< bInterfaceNumber */
    uint8_t ep_out;       /**< bulk OUT (v2) or interrupt OUT (v1, 0 = use SET_REPORT) */
    uint8_t ep_in;        /**< bulk IN (v2) or interrupt IN (v1) */
    uint16_t report_size; /**< v1: HID report size (interrupt IN wMaxPacketSize, else 64) */
    char name[128];       /**< interface string when readable */
};

void dap_usb_read_strings(libusb_device *dev, libusb_device_handle *h, struct dap_usb_strings *s);

/** Find the CMSIS-DAP interface of `dev` (`h` may be NULL: interface strings are then
 * unknown and only declared ids match). Returns 1 when found. */
int dap_usb_find_iface(libusb_device *dev, libusb_device_handle *h, const struct dap_usb_strings *s,
                       struct dap_usb_iface *out);

#endif /* DAP_USB_FIND_H */
