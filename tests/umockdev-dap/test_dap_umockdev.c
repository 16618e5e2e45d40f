/* The cmsisdap plugin's real libusb path under umockdev: discovery by interface/product
 * string of a v1 (HID, DAPLink) and a v2 (bulk, Raspberry Pi debugprobe) probe, DAP_Info
 * read through interrupt and bulk URBs answered by espctl-sim's DAP interpreter, and an
 * opened probe of each kind moving memory. Runs under umockdev-wrapper. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "plugin_loader.h"
#include "usbfs_dap.h"

#include <linux/usbdevice_fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PLUGIN_PATH PLUGIN_DIR "/cmsisdap.so"
#define V1_SERIAL "0240000034544e45001b00038c3c0000"
#define V2_SERIAL "E6614103E7452D2F"

struct found_probe {
    char selector[160], serial[80], product[128], manufacturer[128], firmware[64];
    uint16_t vid, pid;
    uint32_t flags;
};

struct fixture {
    UMockdevTestbed *testbed;
    struct usbfs_dap v1, v2, plain;
    struct loaded_plugin pl;
    struct found_probe found[8];
    int found_count;
};

static int setup(void **state)
{
    if (!usbfs_under_wrapper())
        return -1;
    struct fixture *fx = calloc(1, sizeof *fx);
    fx->testbed = umockdev_testbed_new();
    if (usbfs_dap_attach(&fx->v1, fx->testbed, "/dev/bus/usb/003/009", USBDEVFS_URB_TYPE_INTERRUPT, 0x01, 0x81,
                         64, 64, "CMSIS-DAP", "SIMV1") ||
        usbfs_dap_attach(&fx->v2, fx->testbed, "/dev/bus/usb/001/011", USBDEVFS_URB_TYPE_BULK, 0x04, 0x85, 0,
                         512, "CMSIS-DAP v2 Interface", "SIMV2") ||
        usbfs_dap_attach(&fx->plain, fx->testbed, "/dev/bus/usb/001/012", USBDEVFS_URB_TYPE_BULK, 0x01, 0x82, 0,
                         64, NULL, "PLAIN"))
        return -1;
    usbfs_add_device(fx->testbed, UMOCKDEV_DATA_DIR, "daplink-v1-hid.umockdev");
    usbfs_add_device(fx->testbed, UMOCKDEV_DATA_DIR, "debugprobe-v2-bulk.umockdev");
    usbfs_add_device(fx->testbed, UMOCKDEV_DATA_DIR, "plain-vendor-device.umockdev");
    static const char *const config[] = {"cmsisdap.timeout_ms", "500", NULL};
    plugin_load(&fx->pl, PLUGIN_PATH, "cmsisdap", config);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    plugin_unload(&fx->pl);
    g_clear_object(&fx->testbed);
    usbfs_dap_release(&fx->v1);
    usbfs_dap_release(&fx->v2);
    usbfs_dap_release(&fx->plain);
    free(fx);
    return 0;
}

static void copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

static int on_found(void *user, const struct espctl_probe_info *info)
{
    struct fixture *fx = user;
    assert_string_equal(info->driver, "cmsisdap");
    if (fx->found_count >= 8)
        return 1;
    struct found_probe *p = &fx->found[fx->found_count++];
    copy(p->selector, sizeof p->selector, info->selector);
    copy(p->serial, sizeof p->serial, info->serial);
    copy(p->product, sizeof p->product, info->product);
    copy(p->manufacturer, sizeof p->manufacturer, info->manufacturer);
    copy(p->firmware, sizeof p->firmware, info->firmware);
    p->vid = info->vid;
    p->pid = info->pid;
    p->flags = info->flags;
    return 0;
}

static const struct found_probe *find_selector(const struct fixture *fx, const char *selector)
{
    for (int i = 0; i < fx->found_count; i++)
        if (!strcmp(fx->found[i].selector, selector))
            return &fx->found[i];
    return NULL;
}

static void test_enumerate_v1_and_v2(void **state)
{
    struct fixture *fx = *state;
    const struct espctl_probe_driver *d = fx->pl.driver;
    assert_int_equal(d->enumerate(d->driver_data, on_found, fx), 0);
    assert_int_equal(fx->found_count, 2); /* the plain vendor device is not a probe */
    const struct found_probe *v1 = find_selector(fx, "0d28:0204:" V1_SERIAL);
    const struct found_probe *v2 = find_selector(fx, "2e8a:000c:" V2_SERIAL);
    if (!v1 || !v2)
        fail_msg("missing probes (found %d, first '%s')", fx->found_count, fx->found[0].selector);
    assert_int_equal(v1->vid, 0x0d28);
    assert_int_equal(v1->pid, 0x0204);
    assert_string_equal(v1->serial, V1_SERIAL);
    assert_string_equal(v1->product, "DAPLink CMSIS-DAP");
    assert_string_equal(v1->manufacturer, "ARM");
    assert_int_equal(v2->vid, 0x2e8a);
    assert_int_equal(v2->pid, 0x000c);
    assert_string_equal(v2->serial, V2_SERIAL);
    assert_string_equal(v2->product, "Debug Probe (CMSIS-DAP)");
    assert_string_equal(v2->manufacturer, "Raspberry Pi");
    /* DAP_Info(firmware) travelled as a HID report and as bulk packets */
    assert_string_equal(v1->firmware, "0.1.0");
    assert_string_equal(v2->firmware, "0.1.0");
    assert_true(fx->v1.out_urbs > 0 && fx->v1.in_urbs > 0);
    assert_true(fx->v2.out_urbs > 0 && fx->v2.in_urbs > 0);
    assert_int_equal(fx->v1.stray_urbs + fx->v2.stray_urbs, 0);
    assert_true(fx->v2.control_urbs > 0); /* the interface string was read */
    assert_int_equal(fx->plain.out_urbs, 0);
    assert_int_equal(v1->flags & ESPCTL_PROBE_INACCESSIBLE, 0);
}

static void fill(uint8_t *b, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        b[i] = (uint8_t)(seed >> 16);
    }
}

static void move_memory(struct fixture *fx, const char *selector, struct usbfs_dap *model)
{
    const struct espctl_probe_driver *d = fx->pl.driver;
    void *probe = NULL;
    if (d->open(d->driver_data, selector, &probe))
        fail_msg("open %s: %s", selector, fx->pl.fh.last_error);
    if (d->connect(probe, 0))
        fail_msg("connect %s: %s", selector, fx->pl.fh.last_error);
    uint32_t v = 0;
    assert_int_equal(d->dp_read(probe, 0, &v), 0);
    assert_int_equal(v, 0x2BA01477u);
    static uint8_t out[3000], in[3000];
    fill(out, sizeof out, model->usb.urb_type);
    assert_int_equal(d->mem_write(probe, 0, 0x20000000u + 0x3F8, 32, out, sizeof out), 0);
    assert_int_equal(d->mem_read(probe, 0, 0x20000000u + 0x3F8, 32, in, sizeof in), 0);
    assert_memory_equal(in, out, sizeof in);
    assert_memory_equal(model->target->sram + 0x3F8, out, sizeof out);
    d->close(probe);
    assert_int_equal(model->probe.port, 0); /* DAP_Disconnect on close */
    assert_int_equal(model->stray_urbs, 0);
}

static void test_open_v1_hid_and_v2_bulk(void **state)
{
    struct fixture *fx = *state;
    move_memory(fx, "0d28:0204", &fx->v1);
    /* HID reports are 64 bytes: many more OUT reports than the bulk probe needs */
    unsigned v1_out = fx->v1.out_urbs;
    move_memory(fx, "2e8a:000c:" V2_SERIAL, &fx->v2);
    assert_true(v1_out > 2 * fx->v2.out_urbs);
    const struct espctl_probe_driver *d = fx->pl.driver;
    void *probe = NULL;
    assert_int_equal(d->open(d->driver_data, "2e8a:000c:NOSUCHSERIAL", &probe), ESPCTL_E_NOT_FOUND);
    assert_int_equal(d->open(d->driver_data, "1234:5678", &probe), ESPCTL_E_NOT_SUPPORTED);
    assert_non_null(strstr(fx->pl.fh.last_error, "no CMSIS-DAP interface"));
    assert_int_equal(d->open(d->driver_data, "0d28:9999", &probe), ESPCTL_E_NOT_FOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_enumerate_v1_and_v2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_v1_hid_and_v2_bulk, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
