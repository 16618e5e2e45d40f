/* libusb backend: bulk command/data phases with bounded timeouts, and enumeration. */
#include "stlink_usb.h"
#include "stlink_ids.h"
#include "stlink_probe.h"
#include "stlink_usb_strings.h"
#include "plugin_usb.h"

#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STLINK_INTERFACE 0

struct usb_transport {
    struct stlink_transport base;
    struct stlink_env env;
    struct plugin_usb_link usb;
    uint8_t ep_out;
    uint8_t ep_in;
};

static int usb_error(struct usb_transport *t, int lu, const char *what)
{
    int code = plugin_usb_error_code(&t->usb, lu);
    return stlink_fail(&t->env, code, "ST-Link %04x:%04x %s: %s", t->base.vid, t->base.pid, what,
                       libusb_strerror(lu));
}

static int bulk(struct usb_transport *t, uint8_t ep, uint8_t *data, uint32_t len, const char *what)
{
    int done = 0;
    int lu = plugin_usb_bulk(&t->usb, ep, data, len, t->env.timeout_ms, &done);
    if (lu)
        return usb_error(t, lu, what);
    if ((uint32_t)done != len)
        return stlink_fail(&t->env, ESPCTL_E_PROTOCOL, "ST-Link %04x:%04x %s: %d of %u bytes",
                           t->base.vid, t->base.pid, what, done, len);
    return 0;
}

static int usb_xfer(struct stlink_transport *base, const uint8_t cdb[STLINK_CDB_SIZE], int dir,
                    uint8_t *data, uint32_t len)
{
    struct usb_transport *t = (struct usb_transport *)base;
    if (t->usb.dead)
        return stlink_fail(&t->env, ESPCTL_E_NO_DEVICE, "ST-Link %04x:%04x was disconnected", t->base.vid,
                           t->base.pid);
    uint8_t block[STLINK_CDB_SIZE];
    memcpy(block, cdb, sizeof block);
    int rc = bulk(t, t->ep_out, block, sizeof block, "command");
    if (rc || dir == STLINK_DIR_NONE || len == 0)
        return rc;
    if (dir == STLINK_DIR_OUT)
        return bulk(t, t->ep_out, data, len, "data out");
    return bulk(t, t->ep_in, data, len, "reply");
}

static void usb_destroy(struct stlink_transport *base)
{
    struct usb_transport *t = (struct usb_transport *)base;
    plugin_usb_close(&t->usb);
    free(t);
}

static const struct stlink_transport_ops usb_ops = {usb_xfer, usb_destroy};

/* Wrap an open handle; takes ownership of handle and ctx (ctx may be NULL). */
static int make_transport(const struct stlink_env *env, libusb_context *ctx, libusb_device *dev,
                          libusb_device_handle *handle, const struct stlink_model *model,
                          uint16_t vid, struct usb_transport **out)
{
    struct plugin_usb_link usb = {.ctx = ctx, .handle = handle, .interface = STLINK_INTERFACE};
    struct usb_transport *t = calloc(1, sizeof *t);
    if (!t) {
        plugin_usb_close(&usb);
        return env->host->set_error(env->host, ESPCTL_E_NOMEM, "out of memory");
    }
    t->base.ops = &usb_ops;
    t->base.vid = vid;
    t->base.pid = model->pid;
    t->base.hw = model->hw;
    t->env = *env;
    t->usb = usb;
    t->ep_out = model->ep_out;
    t->ep_in = model->ep_in;
    struct stlink_usb_strings s;
    stlink_usb_read_strings(dev, handle, &s);
    snprintf(t->base.serial, sizeof t->base.serial, "%s", s.serial);
    snprintf(t->base.product, sizeof t->base.product, "%s", s.product[0] ? s.product : model->name);
    int lu = plugin_usb_claim(&t->usb, 0);
    if (lu) {
        int rc = lu == LIBUSB_ERROR_BUSY
                     ? stlink_fail(env, ESPCTL_E_BUSY, "ST-Link %04x:%04x:%s is in use by another program",
                                   vid, model->pid, t->base.serial)
                     : usb_error(t, lu, "claim interface 0");
        usb_destroy(&t->base);
        return rc;
    }
    *out = t;
    return 0;
}

int stlink_usb_open(const struct stlink_env *env, uint16_t vid, uint16_t pid, const char *serial,
                    struct stlink_transport **out)
{
    const struct stlink_model *model = stlink_model_find(vid, pid);
    if (!model)
        return stlink_fail(env, ESPCTL_E_NOT_SUPPORTED, "%04x:%04x is not an ST-Link this plugin drives%s",
                           vid, pid, vid == STLINK_VID && pid == STLINK_PID_V1 ? " (ST-Link V1 is unsupported)" : "");
    libusb_context *ctx = NULL;
    int lu = libusb_init(&ctx);
    if (lu)
        return stlink_fail(env, ESPCTL_E_IO, "libusb: %s", libusb_strerror(lu));
    libusb_device **list = NULL;
    ssize_t n = libusb_get_device_list(ctx, &list);
    libusb_device *match = NULL;
    libusb_device_handle *handle = NULL;
    int rc = 0, matches = 0, denied = 0;
    for (ssize_t i = 0; i < n && rc == 0; i++) {
        struct libusb_device_descriptor d;
        if (libusb_get_device_descriptor(list[i], &d) || d.idVendor != vid || d.idProduct != pid)
            continue;
        /* sysfs names the serial without opening, so a denied probe can still match */
        struct stlink_usb_strings s;
        stlink_usb_read_strings(list[i], NULL, &s);
        if (serial && s.serial[0] && strcmp(serial, s.serial) != 0)
            continue;
        libusb_device_handle *h = NULL;
        lu = libusb_open(list[i], &h);
        if (lu) {
            denied += lu == LIBUSB_ERROR_ACCESS;
            continue;
        }
        if (!s.serial[0])
            stlink_usb_read_strings(list[i], h, &s);
        if (serial && strcmp(serial, s.serial) != 0) {
            libusb_close(h);
            continue;
        }
        if (++matches > 1) {
            libusb_close(h);
            rc = stlink_fail(env, ESPCTL_E_INVAL, "several ST-Links %04x:%04x are attached; add the serial "
                             "(VID:PID:SERIAL)", vid, pid);
            break;
        }
        match = list[i];
        handle = h;
    }
    if (rc == 0 && !handle) {
        if (denied)
            rc = stlink_fail(env, ESPCTL_E_ACCESS, "ST-Link %04x:%04x%s%s: permission denied; %s", vid, pid,
                             serial ? ":" : "", serial ? serial : "", PLUGIN_USB_PERMISSION_HINT);
        else
            rc = stlink_fail(env, ESPCTL_E_NOT_FOUND, "no ST-Link %04x:%04x%s%s attached", vid, pid,
                             serial ? ":" : "", serial ? serial : "");
    }
    if (rc) {
        plugin_usb_scan_end(ctx, list, n, handle);
        return rc;
    }
    struct usb_transport *t = NULL;
    rc = make_transport(env, ctx, match, handle, model, vid, &t);
    libusb_free_device_list(list, 1);
    if (rc)
        return rc;
    *out = &t->base;
    return 0;
}

/* Firmware name of an accessible, unclaimed probe; empty when it cannot be asked. */
static void probe_firmware(const struct stlink_env *env, libusb_device *dev,
                           const struct stlink_model *model, uint16_t vid, char *out, size_t size)
{
    libusb_device_handle *h = NULL;
    out[0] = '\0';
    if (libusb_open(dev, &h))
        return;
    struct usb_transport *t = NULL;
    if (make_transport(env, NULL, dev, h, model, vid, &t))
        return;
    struct stlink_probe p;
    memset(&p, 0, sizeof p);
    p.env = *env;
    p.t = &t->base;
    stlink_read_version(&p);
    snprintf(out, size, "%s", p.firmware);
    usb_destroy(&t->base);
}

int stlink_usb_enumerate(const struct stlink_env *env, const char *driver_name,
                         espctl_probe_found_fn found, void *user)
{
    libusb_context *ctx = NULL;
    int lu = libusb_init(&ctx);
    if (lu) {
        stlink_log(env, ESPCTL_LOG_DEBUG, "libusb unavailable (%s): no USB ST-Links listed", libusb_strerror(lu));
        return 0;
    }
    libusb_device **list = NULL;
    ssize_t n = libusb_get_device_list(ctx, &list);
    int stop = 0;
    for (ssize_t i = 0; i < n && !stop; i++) {
        struct libusb_device_descriptor d;
        if (libusb_get_device_descriptor(list[i], &d))
            continue;
        const struct stlink_model *model = stlink_model_find(d.idVendor, d.idProduct);
        if (!model) {
            if (d.idVendor == STLINK_VID && d.idProduct == STLINK_PID_V1)
                stlink_log(env, ESPCTL_LOG_INFO, "ST-Link V1 (0483:3744) on bus %u is not supported",
                           libusb_get_bus_number(list[i]));
            continue;
        }
        libusb_device_handle *h = NULL;
        int open_rc = libusb_open(list[i], &h);
        struct stlink_usb_strings s;
        stlink_usb_read_strings(list[i], open_rc ? NULL : h, &s);
        if (h)
            libusb_close(h);
        char firmware[32] = "";
        if (!open_rc)
            probe_firmware(env, list[i], model, d.idVendor, firmware, sizeof firmware);
        uint32_t flags = 0;
        if (open_rc) {
            flags |= ESPCTL_PROBE_INACCESSIBLE;
            stlink_log(env, ESPCTL_LOG_WARN, "ST-Link %04x:%04x on bus %u device %u cannot be opened (%s); %s",
                       d.idVendor, d.idProduct, libusb_get_bus_number(list[i]),
                       libusb_get_device_address(list[i]), libusb_strerror(open_rc), PLUGIN_USB_PERMISSION_HINT);
        }
        char selector[96];
        plugin_usb_selector(selector, sizeof selector, d.idVendor, d.idProduct, s.serial);
        struct espctl_probe_info info = {
            .hdr = ESPCTL_ABI_HDR(struct espctl_probe_info),
            .driver = driver_name,
            .selector = selector,
            .serial = s.serial[0] ? s.serial : NULL,
            .manufacturer = s.manufacturer[0] ? s.manufacturer : NULL,
            .product = s.product[0] ? s.product : model->name,
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
