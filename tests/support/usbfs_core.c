#include "usbfs_core.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/usbdevice_fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

/* GET_DESCRIPTOR(STRING) on endpoint 0; everything else stalls. */
static void on_control(struct usbfs_core *c, struct usbdevfs_urb *urb, uint8_t *buf)
{
    c->ops->counted(c->model, USBFS_URB_CONTROL);
    uint8_t desc[2 + 2 * USBFS_STRING_MAX];
    uint32_t desc_len = 0;
    unsigned w_value = (unsigned)(buf[2] | buf[3] << 8), w_length = (unsigned)(buf[6] | buf[7] << 8);
    if (buf[0] == 0x80 && buf[1] == 0x06 && (w_value >> 8) == 0x03) {
        if ((w_value & 0xFF) == 0) {
            desc[0] = 4; desc[1] = 3; desc[2] = 0x09; desc[3] = 0x04;
            desc_len = 4;
        } else {
            uint8_t units[USBFS_STRING_MAX];
            size_t n = c->ops->string(c->model, w_value & 0xFF, units);
            if (n) {
                desc[0] = (uint8_t)(2 + 2 * n);
                desc[1] = 3;
                for (size_t i = 0; i < n; i++) {
                    desc[2 + 2 * i] = units[i];
                    desc[3 + 2 * i] = 0;
                }
                desc_len = desc[0];
            }
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

static gboolean on_submit(struct usbfs_core *c, UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
    UMockdevIoctlData *urb_data = umockdev_ioctl_data_resolve(arg, 0, sizeof(struct usbdevfs_urb), NULL);
    if (!urb_data)
        return FALSE;
    struct usbdevfs_urb *urb = (struct usbdevfs_urb *)urb_data->data;
    int control = urb->type == USBDEVFS_URB_TYPE_CONTROL && urb->buffer_length >= 8;
    if (!control && (urb->type != c->urb_type || (urb->endpoint != c->ep_out && urb->endpoint != c->ep_in))) {
        c->ops->counted(c->model, USBFS_URB_STRAY);
        umockdev_ioctl_data_unref(urb_data);
        umockdev_ioctl_client_complete(client, -1, EINVAL);
        return TRUE;
    }
    UMockdevIoctlData *buf = umockdev_ioctl_data_resolve(urb_data, G_STRUCT_OFFSET(struct usbdevfs_urb, buffer),
                                                         (gsize)urb->buffer_length, NULL);
    if (!buf) {
        umockdev_ioctl_data_unref(urb_data);
        return FALSE;
    }
    if (control) {
        on_control(c, urb, buf->data);
    } else if (urb->endpoint == c->ep_out) {
        c->ops->counted(c->model, USBFS_URB_OUT);
        c->ops->out(c->model, buf->data, (size_t)urb->buffer_length);
        urb->actual_length = urb->buffer_length;
        urb->status = 0;
    } else {
        c->ops->counted(c->model, USBFS_URB_IN);
        urb->actual_length = (int)c->ops->in(c->model, buf->data, (size_t)urb->buffer_length);
        urb->status = 0;
    }
    umockdev_ioctl_data_unref(buf);
    c->done = g_list_append(c->done, urb_data);
    umockdev_ioctl_client_complete(client, 0, 0);
    return TRUE;
}

static gboolean on_reap(struct usbfs_core *c, UMockdevIoctlClient *client, UMockdevIoctlData *arg)
{
    if (!c->done) {
        umockdev_ioctl_client_complete(client, -1, EAGAIN);
        return TRUE;
    }
    UMockdevIoctlData *urb_data = c->done->data;
    c->done = g_list_delete_link(c->done, c->done);
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
    struct usbfs_core *c = user;
    UMockdevIoctlData *arg = umockdev_ioctl_client_get_arg(client);
    gboolean handled = TRUE;
    pthread_mutex_lock(&c->lock);
    gulong request = umockdev_ioctl_client_get_request(client);
    switch (request) {
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
    case USBDEVFS_DISCONNECT_CLAIM: /* claim, detaching a kernel driver: none is bound */
        if (c->answers_driver_queries)
            umockdev_ioctl_client_complete(client, 0, 0);
        else
            handled = FALSE;
        break;
    case USBDEVFS_GETDRIVER:
    case USBDEVFS_IOCTL:
        if (c->answers_driver_queries)
            umockdev_ioctl_client_complete(client, -1, ENODATA); /* no kernel driver bound */
        else
            handled = FALSE;
        break;
    case USBDEVFS_SUBMITURB:
        handled = on_submit(c, client, arg);
        break;
    case USBDEVFS_REAPURB:
    case USBDEVFS_REAPURBNDELAY:
        handled = on_reap(c, client, arg);
        break;
    case USBDEVFS_DISCARDURB:
        umockdev_ioctl_client_complete(client, -1, EINVAL); /* every URB completes at once */
        break;
    default:
        handled = FALSE;
        break;
    }
    pthread_mutex_unlock(&c->lock);
    return handled;
}

int usbfs_core_attach(struct usbfs_core *core, UMockdevTestbed *testbed, const char *devnode)
{
    pthread_mutex_init(&core->lock, NULL);
    core->handler = umockdev_ioctl_base_new();
    g_signal_connect(core->handler, "handle-ioctl", G_CALLBACK(handle_ioctl), core);
    GError *error = NULL;
    if (!umockdev_testbed_attach_ioctl(testbed, devnode, core->handler, &error)) {
        g_printerr("attach_ioctl %s: %s\n", devnode, error ? error->message : "?");
        g_clear_error(&error);
        return -1;
    }
    return 0;
}

void usbfs_core_release(struct usbfs_core *core)
{
    if (core->handler)
        g_object_unref(core->handler);
    g_list_free_full(core->done, (GDestroyNotify)umockdev_ioctl_data_unref);
    pthread_mutex_destroy(&core->lock);
    memset(core, 0, sizeof *core);
}

int usbfs_under_wrapper(void)
{
    const char *preload = getenv("LD_PRELOAD");
    if (!preload || !strstr(preload, "umockdev-preload")) {
        fprintf(stderr, "not running under umockdev-wrapper (LD_PRELOAD lacks libumockdev-preload)\n");
        return 0;
    }
    return 1;
}

void usbfs_add_device(UMockdevTestbed *testbed, const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    GError *error = NULL;
    if (!umockdev_testbed_add_from_file(testbed, path, &error))
        fail_msg("%s: %s", path, error ? error->message : "?");
}
