#include "usbfs_stlink.h"

#include <errno.h>
#include <linux/usbdevice_fs.h>
#include <string.h>
#include <sys/ioctl.h>

enum { EXPECT_COMMAND = 0, EXPECT_OUT_DATA = 1, EXPECT_IN_REPLY = 2 };

/* Bytes the host sends after command `cdb` (memory writes), else 0. */
static uint32_t out_phase_len(const uint8_t *cdb)
{
    if (cdb[0] != 0xF2)
        return 0;
    switch (cdb[1]) {
    case 0x08: case 0x0D: case 0x48: case 0x50:
        return (uint32_t)(cdb[6] | cdb[7] << 8);
    default:
        return 0;
    }
}

/* Commands with no data phase at all. */
static int no_data_phase(const uint8_t *cdb)
{
    return (cdb[0] == 0xF3 && cdb[1] == 0x07) || (cdb[0] == 0xF2 && cdb[1] == 0x21) ||
           (cdb[0] == 0xF4 && cdb[1] == 0x01);
}

/* Feed one bulk OUT packet to the fake. */
static void on_out(struct usbfs_stlink *s, uint8_t *data, uint32_t len)
{
    struct stlink_transport *t = &s->fake.base;
    if (s->expect == EXPECT_OUT_DATA) {
        t->ops->xfer(t, s->cdb, STLINK_DIR_OUT, data, len);
        s->expect = EXPECT_COMMAND;
        return;
    }
    memset(s->cdb, 0, sizeof s->cdb);
    memcpy(s->cdb, data, len < sizeof s->cdb ? len : sizeof s->cdb);
    if (out_phase_len(s->cdb)) {
        s->expect = EXPECT_OUT_DATA;
    } else if (no_data_phase(s->cdb)) {
        t->ops->xfer(t, s->cdb, STLINK_DIR_NONE, NULL, 0);
        s->expect = EXPECT_COMMAND;
    } else {
        s->expect = EXPECT_IN_REPLY;
    }
}

/* GET_DESCRIPTOR(STRING) on endpoint 0; everything else stalls. */
static void on_control(struct usbfs_stlink *s, struct usbdevfs_urb *urb, uint8_t *buf)
{
    s->control_urbs++;
    uint8_t desc[2 + 2 * 12];
    uint32_t desc_len = 0;
    unsigned w_value = (unsigned)(buf[2] | buf[3] << 8), w_length = (unsigned)(buf[6] | buf[7] << 8);
    if (buf[0] == 0x80 && buf[1] == 0x06 && (w_value >> 8) == 0x03) {
        if ((w_value & 0xFF) == 0) {
            desc[0] = 4; desc[1] = 3; desc[2] = 0x09; desc[3] = 0x04;
            desc_len = 4;
        } else if ((w_value & 0xFF) == 3 && s->binary_serial) {
            desc[0] = sizeof desc;
            desc[1] = 3;
            for (int i = 0; i < 12; i++) {
                desc[2 + 2 * i] = s->binary_serial[i];
                desc[3 + 2 * i] = 0;
            }
            desc_len = sizeof desc;
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

static gboolean on_submit(struct usbfs_stlink *s, UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
    UMockdevIoctlData *urb_data = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), NULL);
    if (!urb_data)
        return FALSE;
    struct usbdevfs_urb *urb = (struct usbdevfs_urb *)urb_data->data;
    if (urb->type == USBDEVFS_URB_TYPE_CONTROL && urb->buffer_length >= 8) {
        UMockdevIoctlData *setup = umockdev_ioctl_data_resolve(
            urb_data, G_STRUCT_OFFSET(struct usbdevfs_urb, buffer), (gsize)urb->buffer_length, NULL);
        if (!setup) {
            umockdev_ioctl_data_unref(urb_data);
            return FALSE;
        }
        on_control(s, urb, setup->data);
        umockdev_ioctl_data_unref(setup);
        s->done = g_list_append(s->done, urb_data);
        umockdev_ioctl_client_complete(client, 0, 0);
        return TRUE;
    }
    if (urb->type != USBDEVFS_URB_TYPE_BULK ||
        (urb->endpoint != s->ep_out && urb->endpoint != s->ep_in)) {
        s->stray_urbs++;
        umockdev_ioctl_data_unref(urb_data);
        umockdev_ioctl_client_complete(client, -1, EINVAL);
        return TRUE;
    }
    UMockdevIoctlData *buf = umockdev_ioctl_data_resolve(
        urb_data, G_STRUCT_OFFSET(struct usbdevfs_urb, buffer), (gsize)urb->buffer_length, NULL);
    if (!buf) {
        umockdev_ioctl_data_unref(urb_data);
        return FALSE;
    }
    if (urb->endpoint == s->ep_out) {
        s->out_urbs++;
        on_out(s, buf->data, (uint32_t)urb->buffer_length);
        urb->actual_length = urb->buffer_length;
    } else {
        s->in_urbs++;
        if (s->expect == EXPECT_IN_REPLY) {
            struct stlink_transport *t = &s->fake.base;
            t->ops->xfer(t, s->cdb, STLINK_DIR_IN, buf->data, (uint32_t)urb->buffer_length);
            s->expect = EXPECT_COMMAND;
            urb->actual_length = urb->buffer_length;
        } else {
            urb->actual_length = 0; /* nothing to say: a zero-length packet */
        }
    }
    urb->status = 0;
    umockdev_ioctl_data_unref(buf);
    s->done = g_list_append(s->done, urb_data);
    umockdev_ioctl_client_complete(client, 0, 0);
    return TRUE;
}

static gboolean on_reap(struct usbfs_stlink *s, UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
    if (!s->done) {
        umockdev_ioctl_client_complete(client, -1, EAGAIN);
        return TRUE;
    }
    UMockdevIoctlData *urb_data = s->done->data;
    s->done = g_list_delete_link(s->done, s->done);
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
    struct usbfs_stlink *s = user;
    UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
    gboolean handled = TRUE;
    pthread_mutex_lock(&s->lock);
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
    case USBDEVFS_RELEASEINTERFACE:
    case USBDEVFS_CLEAR_HALT:
    case USBDEVFS_RESET:
    case USBDEVFS_RESETEP:
        umockdev_ioctl_client_complete(client, 0, 0);
        break;
    case USBDEVFS_SUBMITURB:
        handled = on_submit(s, client, arg);
        break;
    case USBDEVFS_REAPURB:
    case USBDEVFS_REAPURBNDELAY:
        handled = on_reap(s, client, arg);
        break;
    case USBDEVFS_DISCARDURB:
        umockdev_ioctl_client_complete(client, -1, EINVAL); /* every URB completes at once */
        break;
    default:
        handled = FALSE;
        break;
    }
    pthread_mutex_unlock(&s->lock);
    return handled;
}

int usbfs_stlink_attach(struct usbfs_stlink *s, UMockdevTestbed *testbed, const char *devnode,
                        uint16_t pid, unsigned v, unsigned j, uint8_t ep_out, uint8_t ep_in)
{
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    fake_stlink_init(&s->fake, v, j, 7);
    s->fake.base.pid = pid;
    s->ep_out = ep_out;
    s->ep_in = ep_in;
    s->handler = umockdev_ioctl_base_new();
    g_signal_connect(s->handler, "handle-ioctl", G_CALLBACK(handle_ioctl), s);
    GError *error = NULL;
    if (!umockdev_testbed_attach_ioctl(testbed, devnode, s->handler, &error)) {
        g_printerr("attach_ioctl %s: %s\n", devnode, error ? error->message : "?");
        g_clear_error(&error);
        return -1;
    }
    return 0;
}

void usbfs_stlink_release(struct usbfs_stlink *s)
{
    if (s->handler)
        g_object_unref(s->handler);
    g_list_free_full(s->done, (GDestroyNotify)umockdev_ioctl_data_unref);
    pthread_mutex_destroy(&s->lock);
    memset(s, 0, sizeof *s);
}
