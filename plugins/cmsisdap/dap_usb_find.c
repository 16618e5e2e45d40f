#include "dap_usb_find.h"
#include "dap_ids.h"
#include "dap_transport.h"

#include "plugin_usb_strings.h"

#include <stdio.h>
#include <string.h>

#define HID_DEFAULT_REPORT 64u

void dap_usb_read_strings(libusb_device *dev, libusb_device_handle *h, struct dap_usb_strings *s)
{
    memset(s, 0, sizeof *s);
    plugin_usb_sysfs_strings(dev, s->serial, sizeof s->serial, s->product, sizeof s->product,
                             s->manufacturer, sizeof s->manufacturer);
    struct libusb_device_descriptor d;
    if (!h || libusb_get_device_descriptor(dev, &d) != 0)
        return;
    if (!s->serial[0])
        plugin_usb_descriptor_ascii(h, d.iSerialNumber, s->serial, sizeof s->serial);
    if (!s->product[0])
        plugin_usb_descriptor_ascii(h, d.iProduct, s->product, sizeof s->product);
    if (!s->manufacturer[0])
        plugin_usb_descriptor_ascii(h, d.iManufacturer, s->manufacturer, sizeof s->manufacturer);
}

static int names_dap(const char *s)
{
    return strstr(s, "CMSIS-DAP") || strstr(s, "CMSIS_DAP");
}

static int ep_is(const struct libusb_endpoint_descriptor *ep, int type, int in)
{
    return (ep->bmAttributes & 0x3) == type && ((ep->bEndpointAddress & 0x80) != 0) == in;
}

/* v2: vendor class, endpoints bulk OUT then bulk IN (an optional third is SWO). */
static int match_v2(const struct libusb_interface_descriptor *alt, struct dap_usb_iface *out)
{
    if (alt->bInterfaceClass != 0xFF || alt->bNumEndpoints < 2 ||
        !ep_is(&alt->endpoint[0], LIBUSB_TRANSFER_TYPE_BULK, 0) ||
        !ep_is(&alt->endpoint[1], LIBUSB_TRANSFER_TYPE_BULK, 1))
        return 0;
    out->kind = DAP_TRANSPORT_V2_BULK;
    out->number = alt->bInterfaceNumber;
    out->ep_out = alt->endpoint[0].bEndpointAddress;
    out->ep_in = alt->endpoint[1].bEndpointAddress;
    return 1;
}

/* v1: HID class with an interrupt IN endpoint (interrupt OUT optional). */
static int match_v1(const struct libusb_interface_descriptor *alt, struct dap_usb_iface *out)
{
    if (alt->bInterfaceClass != LIBUSB_CLASS_HID)
        return 0;
    memset(out, 0, sizeof *out);
    for (int i = 0; i < alt->bNumEndpoints; i++) {
        const struct libusb_endpoint_descriptor *ep = &alt->endpoint[i];
        if (ep_is(ep, LIBUSB_TRANSFER_TYPE_INTERRUPT, 1) && !out->ep_in) {
            out->ep_in = ep->bEndpointAddress;
            out->report_size = ep->wMaxPacketSize ? ep->wMaxPacketSize : HID_DEFAULT_REPORT;
        } else if (ep_is(ep, LIBUSB_TRANSFER_TYPE_INTERRUPT, 0) && !out->ep_out) {
            out->ep_out = ep->bEndpointAddress;
        }
    }
    if (!out->ep_in)
        return 0;
    out->kind = DAP_TRANSPORT_V1_HID;
    out->number = alt->bInterfaceNumber;
    return 1;
}

int dap_usb_find_iface(libusb_device *dev, libusb_device_handle *h, const struct dap_usb_strings *s,
                       struct dap_usb_iface *out)
{
    memset(out, 0, sizeof *out);
    struct libusb_device_descriptor d;
    struct libusb_config_descriptor *cfg = NULL;
    if (libusb_get_device_descriptor(dev, &d) || libusb_get_active_config_descriptor(dev, &cfg))
        if (libusb_get_config_descriptor(dev, 0, &cfg))
            return 0;
    int stringless = dap_usb_id_stringless(d.idVendor, d.idProduct);
    int product_dap = names_dap(s->product);
    struct dap_usb_iface v1 = {0};
    for (int i = 0; i < cfg->bNumInterfaces && out->kind != DAP_TRANSPORT_V2_BULK; i++) {
        if (cfg->interface[i].num_altsetting < 1)
            continue;
        const struct libusb_interface_descriptor *alt = &cfg->interface[i].altsetting[0];
        char name[128] = "";
        if (h && alt->iInterface &&
            libusb_get_string_descriptor_ascii(h, alt->iInterface, (unsigned char *)name, sizeof name) < 0)
            name[0] = '\0';
        struct dap_usb_iface cand = {0};
        if ((names_dap(name) || stringless) && match_v2(alt, &cand)) {
            *out = cand;
            snprintf(out->name, sizeof out->name, "%s", name);
        } else if (!v1.kind && (names_dap(name) || product_dap) && match_v1(alt, &cand)) {
            v1 = cand;
            snprintf(v1.name, sizeof v1.name, "%s", name);
        }
    }
    libusb_free_config_descriptor(cfg);
    if (!out->kind && v1.kind)
        *out = v1;
    return out->kind != 0;
}
