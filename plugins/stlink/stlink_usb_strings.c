#include "stlink_usb_strings.h"

#include "plugin_usb_strings.h"

#include <stdio.h>
#include <string.h>

void stlink_serial_hex(const unsigned char *bytes, size_t n, char *out, size_t out_size)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 3 <= out_size; i++)
        o += (size_t)snprintf(out + o, out_size - o, "%02X", bytes[i]);
    if (out_size)
        out[o < out_size ? o : out_size - 1] = '\0';
}

/* Serial from the raw UTF-16LE descriptor; binary 12-byte serials are hex-expanded. */
static void descriptor_serial(libusb_device_handle *h, uint8_t index, char *out, size_t size)
{
    unsigned char raw[130];
    int n = libusb_get_string_descriptor(h, index, 0x0409, raw, sizeof raw);
    if (n < 2 || raw[1] != LIBUSB_DT_STRING)
        return;
    size_t units = ((size_t)(n < raw[0] ? n : raw[0]) - 2) / 2;
    unsigned char low[64];
    int ascii = 1;
    if (units > sizeof low)
        units = sizeof low;
    for (size_t i = 0; i < units; i++) {
        low[i] = raw[2 + 2 * i];
        if (raw[3 + 2 * i] || low[i] < 0x20 || low[i] > 0x7E)
            ascii = 0;
    }
    if (ascii) {
        size_t m = units < size - 1 ? units : size - 1;
        memcpy(out, low, m);
        out[m] = '\0';
    } else {
        stlink_serial_hex(low, units, out, size);
    }
}

void stlink_usb_read_strings(libusb_device *dev, libusb_device_handle *handle,
                             struct stlink_usb_strings *s)
{
    memset(s, 0, sizeof *s);
    plugin_usb_sysfs_strings(dev, s->serial, sizeof s->serial, s->product, sizeof s->product,
                             s->manufacturer, sizeof s->manufacturer);
    struct libusb_device_descriptor d;
    if (!handle || libusb_get_device_descriptor(dev, &d) != 0)
        return;
    if (!s->serial[0] && d.iSerialNumber)
        descriptor_serial(handle, d.iSerialNumber, s->serial, sizeof s->serial);
    if (!s->product[0])
        plugin_usb_descriptor_ascii(handle, d.iProduct, s->product, sizeof s->product);
    if (!s->manufacturer[0])
        plugin_usb_descriptor_ascii(handle, d.iManufacturer, s->manufacturer, sizeof s->manufacturer);
}
