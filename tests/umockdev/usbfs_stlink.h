/*
 * usbfs_stlink.h — a umockdev ioctl handler that plays an ST-Link on a usbfs device
 * node: URBs libusb submits on the bulk OUT endpoint carry command blocks (and write
 * data), URBs on the bulk IN endpoint receive the replies of the in-test fake
 * ST-Link (tests/stlink/fake_stlink.c). Control transfers answer string descriptor
 * requests only (language list and, optionally, a binary serial).
 */
#ifndef USBFS_STLINK_H
#define USBFS_STLINK_H

#include "fake_stlink.h"

#include "usbfs_core.h"

struct usbfs_stlink {
    struct usbfs_core usb;
    struct fake_stlink fake;
    /** URBs seen per direction, and URBs on an endpoint the model does not have. */
    unsigned out_urbs;
    unsigned in_urbs;
    unsigned stray_urbs;
    /** Command block waiting for its data phase. */
    uint8_t cdb[16];
    int expect; /* 0 command, 1 OUT data, 2 IN reply */
    /** When set, GET_DESCRIPTOR(string 3) answers these 12 bytes as UTF-16 code units,
     * like old ST-Link V2 firmware with a binary serial number. */
    const uint8_t *binary_serial;
    unsigned control_urbs;
};

/** Set up a fake ST-Link (firmware VvJj) with `pid` and its endpoints; attach it to
 * the usbfs node `devnode` of `testbed`. Returns 0 on success. */
int usbfs_stlink_attach(struct usbfs_stlink *s, UMockdevTestbed *testbed, const char *devnode,
                        uint16_t pid, unsigned v, unsigned j, uint8_t ep_out, uint8_t ep_in);
void usbfs_stlink_release(struct usbfs_stlink *s);

#endif
