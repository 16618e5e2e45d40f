#include "usbfs_dap.h"

#include <errno.h>
#include <linux/usbdevice_fs.h>
#include <string.h>
#include <sys/ioctl.h>

static void on_control(struct usbfs_dap *d, struct usbdevfs_urb *urb, uint8_t *buf)
{
    d->control_urbs++;
    uint8_t desc[2 + 2 * 64];
    uint32_t desc_len = 0;
    unsigned w_value = (unsigned)(buf[2] | buf[3] << 8), w_length = (unsigned)(buf[6] | buf[7] << 8);
    if (buf[0] == 0x80 && buf[1] == 0x06 && (w_value >> 8) == 0x03) {
        if ((w_value & 0xFF) == 0) {
            desc[0] = 4; desc[1] = 3; desc[2] = 0x09; desc[3] = 0x04;
            desc_len = 4;
        } else if ((w_value & 0xFF) == 4 && d->iface_string) {
            size_t n = strlen(d->iface_string);
            if (n > 64)
                n = 64;
            desc[0] = (uint8_t)(2 + 2 * n);
            desc[1] = 3;
            for (size_t i = 0; i < n; i++) {
                desc[2 + 2 * i] = (uint8_t)d->iface_string[i];
                desc[3 + 2 * i] = 0;
            }
            desc_len = desc[0];
        }
    }
    if (!desc_len) {
        urb->status = -EPIPE;
        urb->actual_length = 0;
        return;
    }
    uint32_t n = desc_len < w_length ? desc_len : w_length;
    if (n + 8 > (uint32_t)urb->buffer_length)
        n = (uint32_t)urb->buffer_length - 8;
    memcpy(buf + 8, desc, n);
    urb->actual_length = (int)n;
    urb->status = 0;
}

static void on_out(struct usbfs_dap *d, const uint8_t *data, size_t len)
{
    if (d->resp_count == 8)
        return; /* more outstanding than a probe buffers: dropped, the host times out */
    unsigned slot = (d->resp_head + d->resp_count) % 8;
    d->resp_len[slot] = dapsim_execute(&d->probe, data, len, d->resp[slot], d->probe.packet_size);
    d->resp_count++;
}

static size_t on_in(struct usbfs_dap *d, uint8_t *data, size_t cap)
{
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

static gboolean on_submit(struct usbfs_dap *d, UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
    UMockdevIoctlData *urb_data = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), NULL);
    if (!urb_data)
        return FALSE;
    struct usbdevfs_urb *urb = (struct usbdevfs_urb *)urb_data->data;
    UMockdevIoctlData *buf = umockdev_ioctl_data_resolve(urb_data, G_STRUCT_OFFSET(struct usbdevfs_urb, buffer),
                                                         (gsize)urb->buffer_length, NULL);
    if (!buf) {
        umockdev_ioctl_data_unref(urb_data);
        return FALSE;
    }
    if (urb->type == USBDEVFS_URB_TYPE_CONTROL && urb->buffer_length >= 8) {
        on_control(d, urb, buf->data);
    } else if (urb->type != d->urb_type || (urb->endpoint != d->ep_out && urb->endpoint != d->ep_in)) {
        d->stray_urbs++;
        umockdev_ioctl_data_unref(buf);
        umockdev_ioctl_data_unref(urb_data);
        umockdev_ioctl_client_complete(client, -1, EINVAL);
        return TRUE;
    } else if (urb->endpoint == d->ep_out) {
        d->out_urbs++;
        on_out(d, buf->data, (size_t)urb->buffer_length);
        urb->actual_length = urb->buffer_length;
        urb->status = 0;
    } else {
        d->in_urbs++;
        urb->actual_length = (int)on_in(d, buf->data, (size_t)urb->buffer_length);
        urb->status = 0;
    }
    umockdev_ioctl_data_unref(buf);
    d->done = g_list_append(d->done, urb_data);
    umockdev_ioctl_client_complete(client, 0, 0);
    return TRUE;
}

static gboolean on_reap(struct usbfs_dap *d, UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
    if (!d->done) {
        umockdev_ioctl_client_complete(client, -1, EAGAIN);
        return TRUE;
    }
    UMockdevIoctlData *urb_data = d->done->data;
    d->done = g_list_delete_link(d->done, d->done);
    UMockdevIoctlData *slot = umockdev_ioctl_data_resolve(arg, 0, sizeof(gpointer), NULL);
    if (!slot) {
        umockdev_ioctl_data_unref(urb_data);
        return FALSE;
    }
    umockdev_ioctl_data_set_ptr(slot, 0, urb_data);
    umockdev_ioctl_data_unref(slot);
    umockdev_ioctl_data_unref(urb_data);
    umockdev_ioctl_client_complete(client, 0, 0);
    return TRUE;
}

static gboolean handle_ioctl(UMockdevIoctlBase *handler, UMockdevIoctlClient *client, gpointer user)
{
    (void)handler;
    struct usbfs_dap *d = user;
    UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
    gboolean handled = TRUE;
    pthread_mutex_lock(&d->lock);
    switch (umockdev_ioctl_client_get_request(client)) {
    case USBDEVFS_GET_CAPABILITIES: {
        UMockdevIoctlData *caps = umockdev_ioctl_data_resolve(arg, 0, sizeof(guint32), NULL);
        if (caps) {
            *(guint32 *)caps->data = USBDEVFS_CAP_BULK_CONTINUATION | USBDEVFS_CAP_NO_PACKET_SIZE_LIM;
            umockdev_ioctl_data_unref(caps);
        }
        umockdev_ioctl_client_complete(client, 0, 0);
        break;
    }
    case USBDEVFS_CLAIMINTERFACE:
    case USBDEVFS_DISCONNECT_CLAIM: /* claim, detaching a kernel driver: none is bound */
    case USBDEVFS_RELEASEINTERFACE:
    case USBDEVFS_CLEAR_HALT:
    case USBDEVFS_RESET:
    case USBDEVFS_RESETEP:
        umockdev_ioctl_client_complete(client, 0, 0);
        break;
    case USBDEVFS_GETDRIVER:
    case USBDEVFS_IOCTL:
        umockdev_ioctl_client_complete(client, -1, ENODATA); /* no kernel driver bound */
        break;
    case USBDEVFS_SUBMITURB:
        handled = on_submit(d, client, arg);
        break;
    case USBDEVFS_REAPURB:
    case USBDEVFS_REAPURBNDELAY:
        handled = on_reap(d, client, arg);
        break;
    case USBDEVFS_DISCARDURB:
        umockdev_ioctl_client_complete(client, -1, EINVAL);
        break;
    default:
        handled = FALSE;
        break;
    }
    pthread_mutex_unlock(&d->lock);
    return handled;
}

int usbfs_dap_attach(struct usbfs_dap *d, UMockdevTestbed *testbed, const char *devnode, uint8_t urb_type,
                     uint8_t ep_out, uint8_t ep_in, uint16_t report_size, uint16_t packet_size,
                     const char *iface_string, const char *serial)
{
    memset(d, 0, sizeof *d);
    pthread_mutex_init(&d->lock, NULL);
    d->target = sim_target_new(sim_chip_find("stm32g431rb"));
    if (!d->target)
        return -1;
    dapsim_probe_init(&d->probe, d->target, packet_size, 4, serial);
    d->urb_type = urb_type;
    d->ep_out = ep_out;
    d->ep_in = ep_in;
    d->report_size = report_size;
    d->iface_string = iface_string;
    d->handler = umockdev_ioctl_base_new();
    g_signal_connect(d->handler, "handle-ioctl", G_CALLBACK(handle_ioctl), d);
    GError *error = NULL;
    if (!umockdev_testbed_attach_ioctl(testbed, devnode, d->handler, &error)) {
        g_printerr("attach_ioctl %s: %s\n", devnode, error ? error->message : "?");
        g_clear_error(&error);
        return -1;
    }
    return 0;
}

void usbfs_dap_release(struct usbfs_dap *d)
{
    if (d->handler)
        g_object_unref(d->handler);
    g_list_free_full(d->done, (GDestroyNotify)umockdev_ioctl_data_unref);
    sim_target_free(d->target);
    pthread_mutex_destroy(&d->lock);
    memset(d, 0, sizeof *d);
}
