#include "stlink_usb_strings.h"

#include <stdio.h>
#include <string.h>

static int printable(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7E)
            return 0;
    return 1;
}

static void read_attr(const char *dir, const char *name, char *out, size_t size)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "re");
    if (!f)
        return;
    if (fgets(out, (int)size, f)) {
        out[strcspn(out, "\r\n")] = '\0';
        if (!printable(out))
            out[0] = '\0';
    }
    fclose(f);
}

/* /sys/bus/usb/devices/<bus>-<port>.<port>... for `dev`, or 0 when unknown. */
static int sysfs_dir(libusb_device *dev, char *out, size_t size)
{
    uint8_t ports[8];
    int n = libusb_get_port_numbers(dev, ports, (int)sizeof ports);
    if (n <= 0)
        return 0;
    int len = snprintf(out, size, "/sys/bus/usb/devices/%u-%u", libusb_get_bus_number(dev), ports[0]);
    for (int i = 1; i < n && len > 0 && (size_t)len < size; i++)
        len += snprintf(out + len, size - (size_t)len, ".%u", ports[i]);
    return len > 0 && (size_t)len < size;
}

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

static void descriptor_ascii(libusb_device_handle *h, uint8_t index, char *out, size_t size)
{
    if (index && libusb_get_string_descriptor_ascii(h, index, (unsigned char *)out, (int)size) < 0)
        out[0] = '\0';
}

void stlink_usb_read_strings(libusb_device *dev, libusb_device_handle *handle,
                             struct stlink_usb_strings *s)
{
    memset(s, 0, sizeof *s);
    char dir[256];
    if (sysfs_dir(dev, dir, sizeof dir)) {
        read_attr(dir, "serial", s->serial, sizeof s->serial);
        read_attr(dir, "product", s->product, sizeof s->product);
        read_attr(dir, "manufacturer", s->manufacturer, sizeof s->manufacturer);
    }
    struct libusb_device_descriptor d;
    if (!handle || libusb_get_device_descriptor(dev, &d) != 0)
        return;
    if (!s->serial[0] && d.iSerialNumber)
        descriptor_serial(handle, d.iSerialNumber, s->serial, sizeof s->serial);
    if (!s->product[0])
        descriptor_ascii(handle, d.iProduct, s->product, sizeof s->product);
    if (!s->manufacturer[0])
        descriptor_ascii(handle, d.iManufacturer, s->manufacturer, sizeof s->manufacturer);
}
