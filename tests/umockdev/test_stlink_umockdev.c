/* The stlink plugin's real libusb path against umockdev testbed devices: enumeration
 * (sysfs strings, descriptors, firmware read over bulk endpoints) and an opened probe
 * moving memory through bulk URBs answered by an ioctl handler. Runs under
 * umockdev-wrapper (see run_umockdev.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "plugin_loader.h"
#include "usbfs_stlink.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PLUGIN_PATH PLUGIN_DIR "/stlink.so"

struct found_probe {
    char selector[96], serial[80], product[128], manufacturer[128], firmware[32];
    uint16_t vid, pid;
    uint32_t flags;
};

struct fixture {
    UMockdevTestbed *testbed;
    struct usbfs_stlink v2, v21, v3, v2_binary;
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
    /* handlers first, so the nodes exist as emulated usbfs devices */
    if (usbfs_stlink_attach(&fx->v2, fx->testbed, "/dev/bus/usb/003/004", 0x3748, 2, 37, 0x02, 0x81) ||
        usbfs_stlink_attach(&fx->v21, fx->testbed, "/dev/bus/usb/001/005", 0x374b, 2, 37, 0x01, 0x81) ||
        usbfs_stlink_attach(&fx->v3, fx->testbed, "/dev/bus/usb/002/007", 0x374f, 3, 7, 0x01, 0x81) ||
        usbfs_stlink_attach(&fx->v2_binary, fx->testbed, "/dev/bus/usb/005/003", 0x3748, 2, 37, 0x02, 0x81))
        return -1;
    static const uint8_t binary_serial[12] = {0x1A, 0x2B, 0x3C, 0x4D, 0x5E, 0x6F,
                                              0x70, 0x81, 0x92, 0xA3, 0xB4, 0xC5};
    fx->v2_binary.binary_serial = binary_serial;
    usbfs_add_device(fx->testbed, UMOCKDEV_DATA_DIR, "stlink-v2.umockdev");
    usbfs_add_device(fx->testbed, UMOCKDEV_DATA_DIR, "stlink-v2-1.umockdev");
    usbfs_add_device(fx->testbed, UMOCKDEV_DATA_DIR, "stlink-v3.umockdev");
    usbfs_add_device(fx->testbed, UMOCKDEV_DATA_DIR, "stlink-v1.umockdev");
    usbfs_add_device(fx->testbed, UMOCKDEV_DATA_DIR, "stlink-v2-binary-serial.umockdev");
    static const char *const config[] = {"stlink.timeout_ms", "500", NULL};
    plugin_load(&fx->pl, PLUGIN_PATH, "stlink", config);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    plugin_unload(&fx->pl);
    g_clear_object(&fx->testbed);
    usbfs_stlink_release(&fx->v2);
    usbfs_stlink_release(&fx->v21);
    usbfs_stlink_release(&fx->v3);
    usbfs_stlink_release(&fx->v2_binary);
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
    assert_string_equal(info->driver, "stlink");
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

static int count_pid(const struct fixture *fx, uint16_t pid)
{
    int n = 0;
    for (int i = 0; i < fx->found_count; i++)
        n += fx->found[i].pid == pid;
    return n;
}

static void test_enumerate_reports_testbed_probes(void **state)
{
    struct fixture *fx = *state;
    const struct espctl_probe_driver *d = fx->pl.driver;
    assert_int_equal(d->enumerate(d->driver_data, on_found, fx), 0);
    assert_int_equal(fx->found_count, 4); /* the V1 is not listed */
    assert_int_equal(count_pid(fx, 0x3744), 0);
    static const struct {
        uint16_t pid;
        const char *selector, *product, *firmware;
    } want[] = {
        {0x3748, "0483:3748:55FF6B065177495619420887", "STM32 STLink", "V2J37S7"},
        {0x374b, "0483:374b:066DFF485550755187121827", "STM32 STLink", "V2J37M7"},
        {0x374f, "0483:374f:003A00293438510B34313939", "STLINK-V3", "V3J7M0"},
        /* binary serial of old V2 firmware, read by control transfer and hex-expanded */
        {0x3748, "0483:3748:1A2B3C4D5E6F708192A3B4C5", "STM32 STLink", "V2J37S7"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const struct found_probe *p = find_selector(fx, want[i].selector);
        if (!p)
            fail_msg("no probe with selector %s", want[i].selector);
        assert_int_equal(p->pid, want[i].pid);
        assert_int_equal(p->vid, 0x0483);
        assert_string_equal(p->selector, want[i].selector);
        assert_string_equal(p->serial, want[i].selector + 10);
        assert_string_equal(p->product, want[i].product);
        assert_string_equal(p->manufacturer, "STMicroelectronics");
        assert_string_equal(p->firmware, want[i].firmware);
        assert_int_equal(p->flags & ESPCTL_PROBE_INACCESSIBLE, 0);
    }
    /* the firmware came over the bulk endpoints of each model */
    assert_true(fx->v2.out_urbs > 0 && fx->v2.in_urbs > 0);
    assert_true(fx->v21.out_urbs > 0 && fx->v21.in_urbs > 0);
    assert_true(fx->v3.out_urbs > 0 && fx->v3.in_urbs > 0);
    assert_int_equal(fx->v2.stray_urbs + fx->v21.stray_urbs + fx->v3.stray_urbs, 0);
    assert_true(fx->v2_binary.control_urbs > 0);
    assert_int_equal(fx->v2.control_urbs, 0); /* sysfs strings were enough there */
}

static void test_open_and_move_memory_over_bulk(void **state)
{
    struct fixture *fx = *state;
    const struct espctl_probe_driver *d = fx->pl.driver;
    void *probe = NULL;
    assert_int_equal(d->open(d->driver_data, "0483:3748:55FF6B065177495619420887", &probe), 0);
    assert_int_equal(d->connect(probe, 0), 0);
    assert_int_equal(fx->v2.fake.mode, 2); /* entered SWD debug mode from DFU */
    uint8_t out[300], in[300];
    for (size_t i = 0; i < sizeof out; i++)
        out[i] = (uint8_t)(i ^ 0x5A);
    assert_int_equal(d->mem_write(probe, 0, FAKE_RAM_BASE + 0x3F0, 32, out, sizeof out), 0);
    assert_int_equal(d->mem_read(probe, 0, FAKE_RAM_BASE + 0x3F0, 32, in, sizeof in), 0);
    assert_memory_equal(out, in, sizeof in);
    assert_memory_equal(fx->v2.fake.ram + 0x3F0, out, sizeof out);
    assert_int_equal(d->mem_read(probe, 0, FAKE_RAM_BASE + 0x3F1, 8, in, 77), 0);
    assert_memory_equal(out + 1, in, 77);
    uint32_t mv = 0;
    assert_int_equal(d->target_voltage(probe, &mv), 0);
    assert_int_equal(mv, 3300);
    d->close(probe);
    assert_int_equal(fx->v2.stray_urbs, 0); /* V2 commands went to OUT endpoint 0x02 */
    assert_int_equal(fake_count(&fx->v2.fake, 0xF2, 0x21), 1); /* DEBUG_EXIT on close */

    /* the binary-serial probe opens by its hex-expanded serial */
    assert_int_equal(d->open(d->driver_data, "0483:3748:1A2B3C4D5E6F708192A3B4C5", &probe), 0);
    d->close(probe);
    /* two V2s: VID:PID alone is ambiguous */
    assert_int_equal(d->open(d->driver_data, "0483:3748", &probe), ESPCTL_E_INVAL);
    assert_non_null(strstr(fx->pl.fh.last_error, "several"));
    /* VID:PID alone picks the only V2-1; a wrong serial is not found */
    assert_int_equal(d->open(d->driver_data, "0483:374b", &probe), 0);
    d->close(probe);
    assert_int_equal(d->open(d->driver_data, "0483:374b:NOSUCHSERIAL", &probe), ESPCTL_E_NOT_FOUND);
    assert_int_equal(d->open(d->driver_data, "0483:3744", &probe), ESPCTL_E_NOT_SUPPORTED);
    assert_non_null(strstr(fx->pl.fh.last_error, "V1"));
}

#ifdef ESPCTL_BIN
/* `espctl probes --json` in a child process sees the same testbed and handlers. */
static void test_cli_probes_list(void **state)
{
    (void)state;
    int out[2];
    assert_int_equal(pipe(out), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(out[1], 1);
        close(out[0]);
        setenv("XDG_CONFIG_HOME", "/nonexistent/espctl-umockdev-test", 1);
        unsetenv("ESPCTL_PLUGIN_PATH");
        execl(ESPCTL_BIN, ESPCTL_BIN, "--plugin-path", PLUGIN_DIR, "probes", "--json", (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    static char text[65536];
    size_t len = 0;
    ssize_t n;
    while ((n = read(out[0], text + len, sizeof text - 1 - len)) > 0)
        len += (size_t)n;
    text[len] = '\0';
    close(out[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    static const char *const want[] = {
        "\"selector\":\"0483:374b:066DFF485550755187121827\"",
        "\"selector\":\"0483:374f:003A00293438510B34313939\"",
        "\"selector\":\"0483:3748:55FF6B065177495619420887\"",
        "\"product\":\"STLINK-V3\"",
        "\"firmware\":\"V2J37M7\"",
        "\"firmware\":\"V3J7M0\"",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(text, want[i]))
            fail_msg("'%s' missing from espctl probes --json output:\n%s", want[i], text);
    assert_null(strstr(text, "3744"));
    int stlinks = 0;
    for (const char *p = text; (p = strstr(p, "\"driver\":\"stlink\"")) != NULL; p++)
        stlinks++;
    assert_int_equal(stlinks, 4);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_enumerate_reports_testbed_probes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_and_move_memory_over_bulk, setup, teardown),
#ifdef ESPCTL_BIN
        cmocka_unit_test_setup_teardown(test_cli_probes_list, setup, teardown),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
