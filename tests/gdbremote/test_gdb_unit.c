/* Unit tests of the gdbremote protocol library: memory-map XML, selectors, sysfs discovery. */
#include "gdb_enum.h"
#include "gdb_memmap.h"
#include "gdb_selector.h"
#include "gdb_test_host.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct gdb_test_plugin tp;
static struct gdb_env env;

static int setup(void **state)
{
    (void)state;
    gdb_test_host_init(&tp, NULL);
    gdb_env_init(&env, &tp.host);
    return 0;
}

static int parse(const char *xml, struct gdb_memmap *map)
{
    tp.last_error[0] = '\0';
    return gdb_memmap_parse(&env, xml, strlen(xml), map);
}

static void test_memmap_bmp_style(void **state)
{
    (void)state;
    static const char xml[] =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE memory-map PUBLIC \"+//IDN gnu.org//DTD GDB Memory Map V1.0//EN\" "
        "\"http://sourceware.org/gdb/gdb-memory-map.dtd\">"
        "<memory-map><memory type=\"flash\" start=\"0x8000000\" length=\"0x10000\">"
        "<property name=\"blocksize\">0x800</property></memory>"
        "<memory type='flash' start='0x8010000' length='0x70000'>\n"
        "  <property name=\"blocksize\"> 0x20000 </property>\n</memory>"
        "<memory type=\"ram\" start=\"0x20000000\" length=\"0x20000\"/>"
        "<memory type=\"rom\" start=\"4096\" length=\"16\"></memory></memory-map>";
    struct gdb_memmap map;
    assert_int_equal(parse(xml, &map), 0);
    assert_int_equal(map.count, 4);
    assert_int_equal(map.regions[0].type, GDB_REGION_FLASH);
    assert_int_equal(map.regions[0].start, 0x8000000u);
    assert_int_equal(map.regions[0].length, 0x10000u);
    assert_int_equal(map.regions[0].blocksize, 0x800u);
    assert_int_equal(map.regions[1].blocksize, 0x20000u);
    assert_int_equal(map.regions[1].start, 0x8010000u);
    assert_int_equal(map.regions[2].type, GDB_REGION_RAM);
    assert_int_equal(map.regions[2].blocksize, 0);
    assert_int_equal(map.regions[3].type, GDB_REGION_ROM);
    assert_int_equal(map.regions[3].start, 4096);
}

static void expect_bad(const char *xml, const char *field)
{
    struct gdb_memmap map;
    assert_int_equal(parse(xml, &map), ESPCTL_E_PROTOCOL);
    if (!strstr(tp.last_error, field) || !strstr(tp.last_error, "offset"))
        fail_msg("error '%s' does not name '%s' and an offset", tp.last_error, field);
}

static void test_memmap_rejects_malformed(void **state)
{
    (void)state;
    expect_bad("", "no <memory-map>");
    expect_bad("<memory-map><memory type=\"flash\" start=\"0x8000000\" length=\"0x1000\"/></memory-map>",
               "blocksize");
    expect_bad("<memory-map><memory type=\"ram\" start=\"0x2000zz00\" length=\"0x1000\"/></memory-map>",
               "start");
    expect_bad("<memory-map><memory type=\"ram\" start=\"0\" length=\"\"/></memory-map>", "length");
    expect_bad("<memory-map><memory type=\"ram\" start=\"0\" length=\"0\"/></memory-map>", "length");
    expect_bad("<memory-map><memory type=\"ram\" start=\"0xffffffffffffff00\" length=\"0x1000\"/>"
               "</memory-map>", "length");
    expect_bad("<memory-map><memory type=\"eeprom\" start=\"0\" length=\"4\"/></memory-map>", "type");
    expect_bad("<memory-map><memory type=\"ram\" start=\"0\"/></memory-map>", "memory");
    expect_bad("<memory-map><memory type=\"ram\" start=\"0", "attribute");
    expect_bad("<memory-map><memory type=\"flash\" start=\"0\" length=\"8\"><property name=\"blocksize\">0x",
               "property");
    expect_bad("<memory-map><memory type=\"flash\" start=\"0\" length=\"8\"><property name=\"blocksize\">"
               "0x99999999999</property></memory></memory-map>", "blocksize");
    expect_bad("<memory type=\"ram\" start=\"0\" length=\"4\"/>", "outside");
    char many[4096] = "<memory-map>";
    for (int i = 0; i < 33; i++)
        snprintf(many + strlen(many), sizeof many - strlen(many),
                 "<memory type=\"ram\" start=\"%d\" length=\"1\"/>", i);
    expect_bad(many, "32 regions");
}

static void test_memmap_bounded_by_length(void **state)
{
    (void)state;
    /* The length argument bounds the parser even without a NUL (no reads past it). */
    static const char xml[] = "<memory-map><memory type=\"ram\" start=\"0\" length=\"16\"/></memory-map>";
    char *copy = malloc(sizeof xml - 1);
    assert_non_null(copy);
    memcpy(copy, xml, sizeof xml - 1);
    struct gdb_memmap map;
    assert_int_equal(gdb_memmap_parse(&env, copy, sizeof xml - 1, &map), 0);
    assert_int_equal(map.count, 1);
    for (size_t cut = 0; cut < sizeof xml - 1; cut++) {
        int rc = gdb_memmap_parse(&env, copy, cut, &map);
        assert_true(rc == 0 || rc == ESPCTL_E_PROTOCOL);
    }
    free(copy);
}

static void test_selector(void **state)
{
    (void)state;
    struct gdb_selector s;
    assert_int_equal(gdb_selector_parse("gdb:127.0.0.1:1234", &s), 0);
    assert_false(s.is_serial);
    assert_string_equal(s.host, "127.0.0.1");
    assert_string_equal(s.port, "1234");
    assert_int_equal(gdb_selector_parse("gdb:[::1]:2000", &s), 0);
    assert_string_equal(s.host, "::1");
    assert_string_equal(s.port, "2000");
    assert_int_equal(gdb_selector_parse("gdb:/dev/ttyACM0", &s), 0);
    assert_true(s.is_serial);
    assert_string_equal(s.path, "/dev/ttyACM0");
    const char *bad[] = {NULL, "", "gdb:", "gdb:host", "gdb::1234", "gdb:host:", "gdb:host:0",
                         "gdb:host:65536", "gdb:host:12a", "gdb:a:b:1", "gdb:[::1]1234",
                         "stlink-tcp:127.0.0.1:7184", "gdb:host:+123"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (gdb_selector_parse(bad[i], &s) == 0)
            fail_msg("selector '%s' accepted", bad[i] ? bad[i] : "(null)");
}

struct seen {
    int count;
    char selector[64];
    char serial[64];
    uint16_t vid, pid;
    uint32_t flags;
};

static int on_found(void *user, const struct espctl_probe_info *info)
{
    struct seen *s = user;
    s->count++;
    snprintf(s->selector, sizeof s->selector, "%s", info->selector);
    snprintf(s->serial, sizeof s->serial, "%s", info->serial ? info->serial : "");
    s->vid = info->vid;
    s->pid = info->pid;
    s->flags = info->flags;
    return 0;
}

static void write_attr(const char *dir, const char *name, const char *value)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "%s\n", value);
    fclose(f);
}

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

/* A fake sysfs: a BMP (GDB interface 0 and UART interface 2) and an unrelated CDC-ACM. */
static void test_enumerate_sysfs(void **state)
{
    (void)state;
    char root[] = "/tmp/gdbremote-sysfs-XXXXXX";
    assert_non_null(mkdtemp(root));
    char dir[512], link[512];
    const struct {
        const char *tty, *usb, *iface, *vid, *pid, *number;
    } devs[] = {
        {"ttyACM0", "1-1", "1-1:1.0", "1d50", "6018", "00"},
        {"ttyACM1", "1-1", "1-1:1.2", "1d50", "6018", "02"},
        {"ttyACM2", "1-2", "1-2:1.0", "2e8a", "000a", "00"},
    };
    for (size_t i = 0; i < 3; i++) {
        snprintf(dir, sizeof dir, "%s/devices/usb1/%s/%s", root, devs[i].usb, devs[i].iface);
        mkdirs(dir);
        write_attr(dir, "bInterfaceNumber", devs[i].number);
        snprintf(dir, sizeof dir, "%s/devices/usb1/%s", root, devs[i].usb);
        write_attr(dir, "idVendor", devs[i].vid);
        write_attr(dir, "idProduct", devs[i].pid);
        write_attr(dir, "serial", "7BB180B4");
        snprintf(dir, sizeof dir, "%s/class/tty/%s", root, devs[i].tty);
        mkdirs(dir);
        snprintf(link, sizeof link, "%s/class/tty/%s/device", root, devs[i].tty);
        snprintf(dir, sizeof dir, "../../../devices/usb1/%s/%s", devs[i].usb, devs[i].iface);
        assert_int_equal(symlink(dir, link), 0);
    }
    struct seen s = {0};
    assert_int_equal(gdb_enumerate(&env, root, "gdbremote", on_found, &s), 0);
    assert_int_equal(s.count, 1);
    assert_string_equal(s.selector, "gdb:/dev/ttyACM0");
    assert_string_equal(s.serial, "7BB180B4");
    assert_int_equal(s.vid, 0x1d50);
    assert_int_equal(s.pid, 0x6018);
    assert_true(s.flags & ESPCTL_PROBE_SERIAL_PORT);

    struct seen none = {0};
    assert_int_equal(gdb_enumerate(&env, "/nonexistent-sysfs", "gdbremote", on_found, &none), 0);
    assert_int_equal(none.count, 0);
    char command[600];
    snprintf(command, sizeof command, "rm -rf '%s'", root);
    assert_int_equal(system(command), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memmap_bmp_style),
        cmocka_unit_test(test_memmap_rejects_malformed),
        cmocka_unit_test(test_memmap_bounded_by_length),
        cmocka_unit_test(test_selector),
        cmocka_unit_test(test_enumerate_sysfs),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
