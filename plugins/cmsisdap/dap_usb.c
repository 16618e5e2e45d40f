/* libusb transports (v2 bulk, v1 HID) and enumeration of attached CMSIS-DAP probes. */
#include "dap_usb.h"
#include "dap_ids.h"
#include "dap_probe.h"
#include "dap_usb_find.h"
#include "plugin_usb.h"

#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HID_SET_REPORT 0x09
#define HID_REPORT_TYPE_OUTPUT 0x02
#define USB_IN_BUFFER 2048u

struct usb_transport {
    struct dap_transport base;
    struct dap_env env;
    struct plugin_usb_link usb;
    struct dap_usb_iface iface;
};

static int usb_error(struct usb_transport *t, int lu, const char *what)
{
    int code = plugin_usb_error_code(&t->usb, lu);
    return dap_fail(&t->env, code, "CMSIS-DAP %s %s: %s", t->base.name, what, libusb_strerror(lu));
}

static int usb_send(struct dap_transport *base, const uint8_t *req, size_t len)
{
    struct usb_transport *t = (struct usb_transport *)base;
    if (t->usb.dead)
        return dap_fail(&t->env, ESPCTL_E_NO_DEVICE, "CMSIS-DAP %s was disconnected", base->name);
    int done = 0, lu;
    if (t->iface.kind == DAP_TRANSPORT_V2_BULK) {
        lu = plugin_usb_bulk(&t->usb, t->iface.ep_out, (uint8_t *)(uintptr_t)req, len, t->env.timeout_ms, &done);
        if (!lu && (size_t)done != len)
            return dap_fail(&t->env, ESPCTL_E_IO, "CMSIS-DAP %s: request sent %d of %zu bytes", base->name, done, len);
        return lu ? usb_error(t, lu, "bulk OUT") : 0;
    }
    /* v1: every report is the full report size, zero-padded; raw libusb sends no report-ID byte */
    uint8_t report[USB_IN_BUFFER];
    size_t size = t->iface.report_size;
    if (len > size)
        return dap_fail(&t->env, ESPCTL_E_INVAL, "CMSIS-DAP %s: %zu-byte request exceeds the %zu-byte HID report",
                        base->name, len, size);
    memset(report, 0, size);
    memcpy(report, req, len);
    if (t->iface.ep_out) {
        lu = libusb_interrupt_transfer(t->usb.handle, t->iface.ep_out, report, (int)size, &done, t->env.timeout_ms);
        return lu ? usb_error(t, lu, "HID report OUT") : 0;
    }
    lu = libusb_control_transfer(t->usb.handle, LIBUSB_REQUEST_TYPE_CLASS | LIBUSB_RECIPIENT_INTERFACE | LIBUSB_ENDPOINT_OUT,
                                 HID_SET_REPORT, HID_REPORT_TYPE_OUTPUT << 8, t->iface.number, report, (uint16_t)size,
                                 t->env.timeout_ms);
    return lu < 0 ? usb_error(t, lu, "HID SET_REPORT") : 0;
}

static int usb_recv(struct dap_transport *base, uint8_t *resp, size_t cap, size_t *len)
{
    struct usb_transport *t = (struct usb_transport *)base;
    if (t->usb.dead)
        return ESPCTL_E_NO_DEVICE; /* already reported when the device vanished */
    uint8_t buf[USB_IN_BUFFER];
    int done = 0, lu;
    if (t->iface.kind == DAP_TRANSPORT_V2_BULK)
        lu = plugin_usb_bulk(&t->usb, t->iface.ep_in, buf, sizeof buf, t->env.timeout_ms, &done);
    else
        lu = libusb_interrupt_transfer(t->usb.handle, t->iface.ep_in, buf, t->iface.report_size, &done,
                                       t->env.timeout_ms);
    if (lu)
        return usb_error(t, lu, t->iface.kind == DAP_TRANSPORT_V2_BULK ? "bulk IN" : "HID report IN");
    size_t n = (size_t)done < cap ? (size_t)done : cap;
    memcpy(resp, buf, n);
    *len = n;
    return 0;
}

static void usb_destroy(struct dap_transport *base)
{
    struct usb_transport *t = (struct usb_transport *)base;
    plugin_usb_close(&t->usb);
    free(t);
}

static const struct dap_transport_ops usb_ops = {usb_send, usb_recv, usb_destroy};

/* Wrap an open handle (takes ownership of handle and ctx, which may be NULL) and claim
 * the DAP interface. */
static int make_transport(const struct dap_env *env, libusb_context *ctx, libusb_device *dev,
                          libusb_device_handle *h, const struct dap_usb_iface *iface,
                          const struct dap_usb_strings *s, int detach, struct dap_transport **out)
{
    struct plugin_usb_link usb = {.ctx = ctx, .handle = h, .interface = iface->number};
    struct usb_transport *t = calloc(1, sizeof *t);
    if (!t) {
        plugin_usb_close(&usb);
        return env->host->set_error(env->host, ESPCTL_E_NOMEM, "out of memory");
    }
    struct libusb_device_descriptor d;
    libusb_get_device_descriptor(dev, &d);
    t->base.ops = &usb_ops;
    t->base.kind = iface->kind;
    t->base.vid = d.idVendor;
    t->base.pid = d.idProduct;
    t->base.max_packet = iface->kind == DAP_TRANSPORT_V1_HID ? iface->report_size : 0;
    snprintf(t->base.serial, sizeof t->base.serial, "%s", s->serial);
    snprintf(t->base.product, sizeof t->base.product, "%s", s->product);
    snprintf(t->base.manufacturer, sizeof t->base.manufacturer, "%s", s->manufacturer);
    snprintf(t->base.name, sizeof t->base.name, "%04x:%04x%s%s (%s)", d.idVendor, d.idProduct, s->serial[0] ? ":" : "",
             s->serial, iface->kind == DAP_TRANSPORT_V2_BULK ? "v2 bulk" : "v1 HID");
    t->env = *env;
    t->usb = usb;
    t->iface = *iface;
    int lu = plugin_usb_claim(&t->usb, detach);
    if (lu) {
        int rc = lu == LIBUSB_ERROR_BUSY
                     ? dap_fail(env, ESPCTL_E_BUSY, "CMSIS-DAP %s is in use by another program", t->base.name)
                     : usb_error(t, lu, "claim interface");
        usb_destroy(&t->base);
        return rc;
    }
    *out = &t->base;
    return 0;
}

int dap_usb_open(const struct dap_env *env, uint16_t vid, uint16_t pid, const char *serial,
                 struct dap_transport **out)
{
    libusb_context *ctx = NULL;
    int lu = libusb_init(&ctx);
    if (lu)
        return dap_fail(env, ESPCTL_E_IO, "libusb: %s", libusb_strerror(lu));
    libusb_device **list = NULL;
    ssize_t n = libusb_get_device_list(ctx, &list);
    libusb_device *match = NULL;
    libusb_device_handle *handle = NULL;
    struct dap_usb_iface iface;
    struct dap_usb_strings strings;
    int rc = 0, matches = 0, denied = 0, not_dap = 0;
    for (ssize_t i = 0; i < n && rc == 0; i++) {
        struct libusb_device_descriptor d;
        if (libusb_get_device_descriptor(list[i], &d) || d.idVendor != vid || d.idProduct != pid)
            continue;
        struct dap_usb_strings s;
        dap_usb_read_strings(list[i], NULL, &s);
        if (serial && s.serial[0] && strcmp(serial, s.serial) != 0)
            continue;
        libusb_device_handle *h = NULL;
        lu = libusb_open(list[i], &h);
        if (lu) {
            denied += lu == LIBUSB_ERROR_ACCESS;
            continue;
        }
        dap_usb_read_strings(list[i], h, &s);
        struct dap_usb_iface f;
        if ((serial && strcmp(serial, s.serial) != 0) || !dap_usb_find_iface(list[i], h, &s, &f)) {
            not_dap += !serial || strcmp(serial, s.serial) == 0;
            libusb_close(h);
            continue;
        }
        if (++matches > 1) {
            libusb_close(h);
            rc = dap_fail(env, ESPCTL_E_INVAL, "several CMSIS-DAP probes %04x:%04x are attached; add the serial "
                          "(VID:PID:SERIAL)", vid, pid);
            break;
        }
        match = list[i];
        handle = h;
        iface = f;
        strings = s;
    }
    if (rc == 0 && !handle) {
        if (denied)
            rc = dap_fail(env, ESPCTL_E_ACCESS, "CMSIS-DAP %04x:%04x%s%s: permission denied; %s", vid, pid,
                          serial ? ":" : "", serial ? serial : "", PLUGIN_USB_PERMISSION_HINT);
        else if (not_dap)
            rc = dap_fail(env, ESPCTL_E_NOT_SUPPORTED, "USB device %04x:%04x has no CMSIS-DAP interface (no "
                          "interface or product string contains \"CMSIS-DAP\")", vid, pid);
        else
            rc = dap_fail(env, ESPCTL_E_NOT_FOUND, "no CMSIS-DAP probe %04x:%04x%s%s attached", vid, pid,
                          serial ? ":" : "", serial ? serial : "");
    }
    if (rc) {
        plugin_usb_scan_end(ctx, list, n, handle);
        return rc;
    }
    rc = make_transport(env, ctx, match, handle, &iface, &strings, 1, out);
    libusb_free_device_list(list, 1);
    return rc;
}

/* Firmware version through DAP_Info of an accessible, unclaimed probe; empty otherwise. */
static void probe_firmware(const struct dap_env *env, libusb_device *dev, const struct dap_usb_iface *iface,
                           const struct dap_usb_strings *s, char *out, size_t size)
{
    out[0] = '\0';
    libusb_device_handle *h = NULL;
    if (libusb_open(dev, &h))
        return;
    struct dap_transport *t = NULL;
    if (make_transport(env, NULL, dev, h, iface, s, 0, &t))
        return;
    struct dap_probe *p = NULL;
    if (dap_probe_new(&p, env, t) == 0) {
        snprintf(out, size, "%s", p->firmware);
        dap_probe_free(p);
    }
}

int dap_usb_enumerate(const struct dap_env *env, const char *driver_name, espctl_probe_found_fn found, void *user)
{
    libusb_context *ctx = NULL;
    int lu = libusb_init(&ctx);
    if (lu) {
        dap_log(env, ESPCTL_LOG_DEBUG, "libusb unavailable (%s): no USB CMSIS-DAP probes listed", libusb_strerror(lu));
        return 0;
    }
    libusb_device **list = NULL;
    ssize_t n = libusb_get_device_list(ctx, &list);
    int stop = 0;
    for (ssize_t i = 0; i < n && !stop; i++) {
        struct libusb_device_descriptor d;
        if (libusb_get_device_descriptor(list[i], &d) || d.bDeviceClass == LIBUSB_CLASS_HUB)
            continue;
        libusb_device_handle *h = NULL;
        int open_rc = libusb_open(list[i], &h);
        struct dap_usb_strings s;
        dap_usb_read_strings(list[i], open_rc ? NULL : h, &s);
        struct dap_usb_iface iface;
        int is_dap = !open_rc && dap_usb_find_iface(list[i], h, &s, &iface);
        if (h)
            libusb_close(h);
        int declared = dap_usb_id_declared(d.idVendor, d.idProduct);
        if (!is_dap && !(open_rc && declared))
            continue;
        char firmware[64] = "";
        uint32_t flags = 0;
        if (is_dap) {
            probe_firmware(env, list[i], &iface, &s, firmware, sizeof firmware);
        } else {
            flags |= ESPCTL_PROBE_INACCESSIBLE;
            dap_log(env, ESPCTL_LOG_WARN, "CMSIS-DAP %04x:%04x on bus %u device %u cannot be opened (%s); %s",
                    d.idVendor, d.idProduct, libusb_get_bus_number(list[i]), libusb_get_device_address(list[i]),
                    libusb_strerror(open_rc), PLUGIN_USB_PERMISSION_HINT);
        }
        char selector[192];
        plugin_usb_selector(selector, sizeof selector, d.idVendor, d.idProduct, s.serial);
        struct espctl_probe_info info = {
            .hdr = ESPCTL_ABI_HDR(struct espctl_probe_info),
            .driver = driver_name,
            .selector = selector,
            .serial = s.serial[0] ? s.serial : NULL,
            .manufacturer = s.manufacturer[0] ? s.manufacturer : NULL,
            .product = s.product[0] ? s.product : "CMSIS-DAP probe",
            .firmware = firmware[0] ? firmware : NULL,
            .port_path = NULL,
            .vid = d.idVendor,
            .pid = d.idProduct,
            .flags = flags,
        };
        stop = found(user, &info);
    }
    plugin_usb_scan_end(ctx, list, n, NULL);
    return 0;
}
