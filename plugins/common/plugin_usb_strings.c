#include "plugin_usb_strings.h"

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

/* The sysfs directory of `dev`, or 0 when unknown or too long. */
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

void plugin_usb_sysfs_strings(libusb_device *dev, char *serial, size_t serial_size, char *product,
                              size_t product_size, char *manufacturer, size_t manufacturer_size)
{
    char dir[256];
    if (!sysfs_dir(dev, dir, sizeof dir))
        return;
    read_attr(dir, "serial", serial, serial_size);
    read_attr(dir, "product", product, product_size);
    read_attr(dir, "manufacturer", manufacturer, manufacturer_size);
}

void plugin_usb_descriptor_ascii(libusb_device_handle *h, uint8_t index, char *out, size_t size)
{
    if (index && libusb_get_string_descriptor_ascii(h, index, (unsigned char *)out, (int)size) < 0)
        out[0] = '\0';
}
