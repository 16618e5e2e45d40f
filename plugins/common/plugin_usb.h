/*
 * plugin_usb.h — the libusb side of a USB probe transport: one open device handle with its
 * claimed interface, bounded bulk transfers, libusb errors as espctl error codes, and the
 * clean-up of a device list scan. Callers link libusb themselves.
 */
#ifndef ESPCTL_PLUGIN_USB_H
#define ESPCTL_PLUGIN_USB_H

#include <libusb.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/** What a user denied access to a probe is told to do. */
#define PLUGIN_USB_PERMISSION_HINT "run 'sudo espctl provision-host' to install udev rules, then replug the probe"

/** An open USB device and the interface a transport talks through. */
struct plugin_usb_link {
    libusb_context *ctx;          /**< owned; NULL when the handle came from someone else's context */
    libusb_device_handle *handle; /**< owned */
    int interface;                /**< the interface number claimed */
    int claimed;                  /**< plugin_usb_claim() succeeded */
    int dead;                     /**< the device went away: no transfer is attempted any more */
};

/**
 * The espctl error code for the failed libusb call result `lu`: ESPCTL_E_NO_DEVICE (and the
 * link is marked dead), ESPCTL_E_TIMEOUT, or ESPCTL_E_IO.
 */
int plugin_usb_error_code(struct plugin_usb_link *link, int lu);

/**
 * Claim link->interface, first letting libusb detach a kernel driver when `detach` is set.
 * @return 0 or the libusb error (LIBUSB_ERROR_BUSY when another program holds it).
 */
int plugin_usb_claim(struct plugin_usb_link *link, int detach);

/**
 * One bulk transfer of `len` bytes on endpoint `ep` (direction in its top bit), waiting at most
 * `timeout_ms`. @return the libusb result; *done is the number of bytes moved.
 */
int plugin_usb_bulk(const struct plugin_usb_link *link, uint8_t ep, uint8_t *data, size_t len,
                    uint32_t timeout_ms, int *done);

/** Release the interface if claimed, close the handle and end the context, if any. */
void plugin_usb_close(struct plugin_usb_link *link);

/**
 * End a device scan: close `handle` (may be NULL), free the device `list` that
 * libusb_get_device_list() returned `n` for, and end `ctx`.
 */
void plugin_usb_scan_end(libusb_context *ctx, libusb_device **list, ssize_t n,
                             libusb_device_handle *handle);

/** The probe selector "vvvv:pppp" or, with a non-empty serial, "vvvv:pppp:SERIAL". */
void plugin_usb_selector(char *out, size_t size, uint16_t vid, uint16_t pid, const char *serial);

#endif /* ESPCTL_PLUGIN_USB_H */
