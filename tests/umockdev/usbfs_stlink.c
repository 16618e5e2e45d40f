#include "usbfs_stlink.h"

#include <linux/usbdevice_fs.h>
#include <string.h>

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

static void on_out_urb(void *model, uint8_t *data, size_t len)
{
    on_out(model, data, (uint32_t)len);
}

static size_t on_in_urb(void *model, uint8_t *data, size_t cap)
{
    struct usbfs_stlink *s = model;
    if (s->expect != EXPECT_IN_REPLY)
        return 0; /* nothing to say: a zero-length packet */
    struct stlink_transport *t = &s->fake.base;
    t->ops->xfer(t, s->cdb, STLINK_DIR_IN, data, (uint32_t)cap);
    s->expect = EXPECT_COMMAND;
    return cap;
}

static size_t on_string(void *model, unsigned index, uint8_t *units)
{
    struct usbfs_stlink *s = model;
    if (index != 3 || !s->binary_serial)
        return 0;
    memcpy(units, s->binary_serial, 12);
    return 12;
}

static void on_counted(void *model, int kind)
{
    struct usbfs_stlink *s = model;
    unsigned *counters[] = {&s->out_urbs, &s->in_urbs, &s->control_urbs, &s->stray_urbs};
    (*counters[kind])++;
}

static const struct usbfs_model_ops stlink_model = {on_out_urb, on_in_urb, on_string, on_counted};

int usbfs_stlink_attach(struct usbfs_stlink *s, UMockdevTestbed *testbed, const char *devnode,
                        uint16_t pid, unsigned v, unsigned j, uint8_t ep_out, uint8_t ep_in)
{
    memset(s, 0, sizeof *s);
    fake_stlink_init(&s->fake, v, j, 7);
    s->fake.base.pid = pid;
    s->usb.urb_type = USBDEVFS_URB_TYPE_BULK;
    s->usb.ep_out = ep_out;
    s->usb.ep_in = ep_in;
    s->usb.ops = &stlink_model;
    s->usb.model = s;
    return usbfs_core_attach(&s->usb, testbed, devnode);
}

void usbfs_stlink_release(struct usbfs_stlink *s)
{
    usbfs_core_release(&s->usb);
    memset(s, 0, sizeof *s);
}
