/* esp-serial enumeration against a fake sysfs tree; SLIP codec; session option spellings. */
#include "esp_options.h"
#include "esp_serial_probe.h"
#include "esp_slip.h"
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static void mkdirs(const char *path)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(buf, 0755);
            *p = '/';
        }
    mkdir(buf, 0755);
}

static void attr(const char *dir, const char *name, const char *value)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(test_write_file(path, value, strlen(value)), 0);
}

/* A USB device with an interface and a tty below it, laid out as Linux sysfs does:
 * class/tty/NAME -> devices/.../USB/USB:1.0/ttyUSB0/tty/ttyUSB0 (usb-serial) or
 * devices/.../USB/USB:1.0/tty/ttyACM0 (cdc-acm). */
static void usb_tty(const char *root, const char *usbname, const char *vid, const char *pid, const char *serial,
                    const char *product, const char *tty, int acm)
{
    char usb[320], ttydir[480], cls[400], link[420];
    snprintf(usb, sizeof usb, "%s/devices/pci0000:00/usb1/%s", root, usbname);
    if (acm)
        snprintf(ttydir, sizeof ttydir, "%s/%s:1.0/tty/%s", usb, usbname, tty);
    else
        snprintf(ttydir, sizeof ttydir, "%s/%s:1.0/%s/tty/%s", usb, usbname, tty, tty);
    mkdirs(ttydir);
    attr(usb, "idVendor", vid);
    attr(usb, "idProduct", pid);
    if (serial)
        attr(usb, "serial", serial);
    attr(usb, "manufacturer", "Maker\n");
    attr(usb, "product", product);
    snprintf(cls, sizeof cls, "%s/class/tty", root);
    mkdirs(cls);
    snprintf(link, sizeof link, "%s/%s", cls, tty);
    assert_int_equal(symlink(ttydir, link), 0);
}

struct seen {
    int count;
    char port[4][128], serial[4][64], product[4][64];
    uint16_t vid[4], pid[4];
    uint32_t flags[4];
};

static int on_found(void *user, const struct espctl_probe_info *info)
{
    struct seen *s = user;
    assert_string_equal(info->driver, "esp-serial");
    assert_string_equal(info->selector, info->port_path);
    if (s->count < 4) {
        snprintf(s->port[s->count], 128, "%s", info->port_path);
        snprintf(s->serial[s->count], 64, "%s", info->serial ? info->serial : "(none)");
        snprintf(s->product[s->count], 64, "%s", info->product ? info->product : "(none)");
        s->vid[s->count] = info->vid;
        s->pid[s->count] = info->pid;
        s->flags[s->count] = info->flags;
    }
    s->count++;
    return 0;
}

static void test_enumerate_fake_sysfs(void **state)
{
    (void)state;
    char dir[256], sys[300], dev[300];
    test_tmpdir(dir);
    snprintf(sys, sizeof sys, "%s/sys", dir);
    snprintf(dev, sizeof dev, "%s/dev", dir);
    mkdirs(dev);
    usb_tty(sys, "1-1", "10c4\n", "ea60\n", "0001", "CP2102N USB to UART\n", "ttyUSB0", 0);
    usb_tty(sys, "1-2", "303a\n", "1001\n", "F4:12:FA:00:11:22", "USB JTAG/serial debug unit\n", "ttyACM0", 1);
    usb_tty(sys, "1-3", "1a86\n", "55d4\n", NULL, "USB Single Serial\n", "ttyACM1", 1);
    usb_tty(sys, "1-4", "0483\n", "374b\n", "066D", "STM32 STLink\n", "ttyACM2", 1); /* not an ESP bridge */
    char plain[512], link[512];
    snprintf(plain, sizeof plain, "%s/devices/platform/serial8250/tty/ttyS0", sys); /* not USB */
    mkdirs(plain);
    snprintf(link, sizeof link, "%s/class/tty/ttyS0", sys);
    assert_int_equal(symlink(plain, link), 0);
    char devnode[400];
    snprintf(devnode, sizeof devnode, "%s/ttyUSB0", dev);
    assert_int_equal(test_write_file(devnode, "", 0), 0);
    struct seen s = {0};
    assert_int_equal(esp_serial_enumerate(sys, dev, "esp-serial", on_found, &s), 0);
    assert_int_equal(s.count, 3);
    /* sorted by tty name: ttyACM0, ttyACM1, ttyUSB0 */
    char want[400];
    snprintf(want, sizeof want, "%s/ttyACM0", dev);
    assert_string_equal(s.port[0], want);
    assert_int_equal(s.vid[0], 0x303A);
    assert_int_equal(s.pid[0], 0x1001);
    assert_string_equal(s.serial[0], "F4:12:FA:00:11:22");
    assert_true(s.flags[0] & ESPCTL_PROBE_INACCESSIBLE); /* no node in the fake /dev */
    assert_int_equal(s.vid[1], 0x1A86);
    assert_string_equal(s.serial[1], "(none)");
    assert_string_equal(s.product[1], "USB Single Serial");
    snprintf(want, sizeof want, "%s/ttyUSB0", dev);
    assert_string_equal(s.port[2], want);
    assert_int_equal(s.vid[2], 0x10C4);
    assert_true(s.flags[2] & ESPCTL_PROBE_SERIAL_PORT);
    assert_false(s.flags[2] & ESPCTL_PROBE_INACCESSIBLE);
    /* a missing sysfs is "no bridges", not an error */
    struct seen none = {0};
    assert_int_equal(esp_serial_enumerate("/nonexistent-sysfs", dev, "esp-serial", on_found, &none), 0);
    assert_int_equal(none.count, 0);
    test_rmtree(dir);
}

static void test_driver_declares_serial_ids(void **state)
{
    (void)state;
    struct fake_host h;
    fake_host_init(&h);
    struct loaded_plugin p;
    plugin_load(&p, &h);
    assert_string_equal(p.serial->name, "esp-serial");
    assert_int_equal(p.serial->usb_id_count, 8);
    const uint16_t want[][2] = {{0x10C4, 0xEA60}, {0x1A86, 0x7523}, {0x1A86, 0x55D4}, {0x0403, 0x6001},
                                {0x0403, 0x6010}, {0x0403, 0x6014}, {0x0403, 0x6015}, {0x303A, 0x1001}};
    for (int i = 0; i < 8; i++) {
        int found = 0;
        for (uint32_t k = 0; k < p.serial->usb_id_count; k++)
            if (p.serial->usb_ids[k].vid == want[i][0] && p.serial->usb_ids[k].pid == want[i][1] &&
                p.serial->usb_ids[k].flags == ESPCTL_USB_ID_SERIAL)
                found = 1;
        assert_true(found);
    }
    assert_null(p.serial->dp_read);
    assert_null(p.serial->mem_read);
    void *probe = NULL;
    assert_int_equal(p.serial->open(p.serial->driver_data, "/dev/ttyUSB0", &probe), ESPCTL_E_NOT_SUPPORTED);
    assert_non_null(strstr(h.last_error, "--port"));
    assert_true(p.target->supports_chip(p.target->target_data, "esp32s3"));
    assert_true(p.target->supports_chip(p.target->target_data, "ESP32-C3"));
    assert_false(p.target->supports_chip(p.target->target_data, "stm32g431rb"));
    plugin_unload(&p);
}

static void test_slip_round_trip(void **state)
{
    (void)state;
    const uint8_t frame[] = {0x01, 0xC0, 0xDB, 0x02, 0xC0, 0xC0, 0xDB, 0xDC};
    struct esp_vec enc = {0};
    esp_slip_encode(&enc, frame, sizeof frame);
    assert_int_equal(enc.data[0], 0xC0);
    assert_int_equal(enc.data[enc.len - 1], 0xC0);
    assert_int_equal(enc.len, 2 + sizeof frame + 5); /* five bytes escaped */
    for (size_t i = 1; i + 1 < enc.len; i++)
        assert_int_not_equal(enc.data[i], 0xC0);
    static struct esp_slip_decoder d;
    esp_slip_decoder_init(&d);
    const char noise[] = "ets Jun  8 2016 00:22:57\r\n";
    for (size_t i = 0; i < sizeof noise - 1; i++)
        assert_int_equal(esp_slip_push(&d, (uint8_t)noise[i]), ESP_SLIP_MORE);
    int frames = 0;
    for (size_t i = 0; i < enc.len; i++)
        if (esp_slip_push(&d, enc.data[i]) == ESP_SLIP_FRAME) {
            frames++;
            assert_int_equal(d.len, sizeof frame);
            assert_memory_equal(d.frame, frame, sizeof frame);
        }
    assert_int_equal(frames, 1);
    assert_int_equal(d.stray_bytes, sizeof noise - 1);
    /* a bad escape drops the frame; the next one decodes */
    const uint8_t bad[] = {0xC0, 0x01, 0xDB, 0x41, 0xC0};
    int errors = 0;
    for (size_t i = 0; i < sizeof bad; i++)
        errors += esp_slip_push(&d, bad[i]) == ESP_SLIP_ERROR;
    assert_int_equal(errors, 1);
    frames = 0;
    for (size_t i = 0; i < enc.len; i++)
        frames += esp_slip_push(&d, enc.data[i]) == ESP_SLIP_FRAME;
    assert_int_equal(frames, 1);
    esp_vec_free(&enc);
}

static void test_reset_option_spellings(void **state)
{
    (void)state;
    enum esp_before b;
    enum esp_after a;
    assert_int_equal(esp_before_parse("default_reset", &b), 0);
    assert_int_equal(b, ESP_BEFORE_DEFAULT);
    assert_int_equal(esp_before_parse("usb-reset", &b), 0);
    assert_int_equal(b, ESP_BEFORE_USB);
    assert_int_equal(esp_before_parse("no_reset", &b), 0);
    assert_int_equal(b, ESP_BEFORE_NO_RESET);
    assert_int_equal(esp_before_parse("no-reset-no-sync", &b), 0);
    assert_int_equal(b, ESP_BEFORE_NO_RESET_NO_SYNC);
    assert_int_equal(esp_before_parse("sometimes", &b), -1);
    assert_int_equal(esp_after_parse("hard_reset", &a), 0);
    assert_int_equal(a, ESP_AFTER_HARD);
    assert_int_equal(esp_after_parse("soft", &a), 0);
    assert_int_equal(a, ESP_AFTER_SOFT);
    assert_int_equal(esp_after_parse("no_reset", &a), 0);
    assert_int_equal(a, ESP_AFTER_NO_RESET);
    assert_int_equal(esp_after_parse("watchdog-reset", &a), 0);
    assert_int_equal(a, ESP_AFTER_WATCHDOG);
    assert_int_equal(esp_after_parse("reboot", &a), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enumerate_fake_sysfs),
        cmocka_unit_test(test_driver_declares_serial_ids),
        cmocka_unit_test(test_slip_round_trip),
        cmocka_unit_test(test_reset_option_spellings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
