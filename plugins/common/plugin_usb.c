#include "plugin_usb.h"

#include <stdio.h>

#include "espctl/common.h"

int plugin_usb_error_code(struct plugin_usb_link *link, int lu)
{
    if (lu == LIBUSB_ERROR_NO_DEVICE) {
        link->dead = 1;
        return ESPCTL_E_NO_DEVICE;
    }
    return lu == LIBUSB_ERROR_TIMEOUT ? ESPCTL_E_TIMEOUT : ESPCTL_E_IO;
}

int plugin_usb_claim(struct plugin_usb_link *link, int detach)
{
    if (detach)
        libusb_set_auto_detach_kernel_driver(link->handle, 1);
    int lu = libusb_claim_interface(link->handle, link->interface);
    link->claimed = lu == 0;
    return lu;
}

int plugin_usb_bulk(const struct plugin_usb_link *link, uint8_t ep, uint8_t *data, size_t len,
                    uint32_t timeout_ms, int *done)
{
    *done = 0;
    return libusb_bulk_transfer(link->handle, ep, data, (int)len, done, timeout_ms);
}

void plugin_usb_close(struct plugin_usb_link *link)
{
    if (link->handle) {
        if (link->claimed)
            libusb_release_interface(link->handle, link->interface);
        libusb_close(link->handle);
        link->handle = NULL;
    }
    if (link->ctx)
        libusb_exit(link->ctx);
    link->ctx = NULL;
    link->claimed = 0;
}

void plugin_usb_scan_end(libusb_context *ctx, libusb_device **list, ssize_t n,
                             libusb_device_handle *handle)
{
    if (handle)
        libusb_close(handle);
    if (n >= 0)
        libusb_free_device_list(list, 1);
    libusb_exit(ctx);
}

void plugin_usb_selector(char *out, size_t size, uint16_t vid, uint16_t pid, const char *serial)
{
    if (serial[0])
        snprintf(out, size, "%04x:%04x:%s", vid, pid, serial);
    else
        snprintf(out, size, "%04x:%04x", vid, pid);
}
