#include "usbfs_dap.h"

#include <string.h>

static size_t on_string(void *model, unsigned index, uint8_t *units)
{
    struct usbfs_dap *d = model;
    if (index != 4 || !d->iface_string)
        return 0;
    size_t n = strlen(d->iface_string);
    if (n > USBFS_STRING_MAX)
        n = USBFS_STRING_MAX;
    memcpy(units, d->iface_string, n);
    return n;
}

static void on_counted(void *model, int kind)
{
    struct usbfs_dap *d = model;
    unsigned *counters[] = {&d->out_urbs, &d->in_urbs, &d->control_urbs, &d->stray_urbs};
    (*counters[kind])++;
}

static void on_out(void *model, uint8_t *data, size_t len)
{
    struct usbfs_dap *d = model;
    if (d->resp_count == 8)
        return; /* more outstanding than a probe buffers: dropped, the host times out */
    unsigned slot = (d->resp_head + d->resp_count) % 8;
    d->resp_len[slot] = dapsim_execute(&d->probe, data, len, d->resp[slot], d->probe.packet_size);
    d->resp_count++;
}

static size_t on_in(void *model, uint8_t *data, size_t cap)
{
    struct usbfs_dap *d = model;
    if (!d->resp_count)
        return 0;
    unsigned slot = d->resp_head;
    d->resp_head = (d->resp_head + 1) % 8;
    d->resp_count--;
    size_t n = d->resp_len[slot] < cap ? d->resp_len[slot] : cap;
    memcpy(data, d->resp[slot], n);
    if (d->report_size && cap >= d->report_size) {
        memset(data + n, 0, d->report_size - n);
        n = d->report_size;
    }
    return n;
}

static const struct usbfs_model_ops dap_model = {on_out, on_in, on_string, on_counted};

int usbfs_dap_attach(struct usbfs_dap *d, UMockdevTestbed *testbed, const char *devnode, uint8_t urb_type,
                     uint8_t ep_out, uint8_t ep_in, uint16_t report_size, uint16_t packet_size,
                     const char *iface_string, const char *serial)
{
    memset(d, 0, sizeof *d);
    d->target = sim_target_new(sim_chip_find("stm32g431rb"));
    if (!d->target)
        return -1;
    dapsim_probe_init(&d->probe, d->target, packet_size, 4, serial);
    d->report_size = report_size;
    d->iface_string = iface_string;
    d->usb.urb_type = urb_type;
    d->usb.ep_out = ep_out;
    d->usb.ep_in = ep_in;
    d->usb.answers_driver_queries = 1;
    d->usb.ops = &dap_model;
    d->usb.model = d;
    return usbfs_core_attach(&d->usb, testbed, devnode);
}

void usbfs_dap_release(struct usbfs_dap *d)
{
    usbfs_core_release(&d->usb);
    sim_target_free(d->target);
    memset(d, 0, sizeof *d);
}
