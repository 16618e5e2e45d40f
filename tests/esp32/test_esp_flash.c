/* Flashing through the real plugin (dlopen) into espctl-sim, over TCP and over a pty. */
#include "esp_build.h"
#include "esp_chip.h"
#include "esp_monitor.h"
#include "support.h"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <cmocka.h>

struct fixture {
    char dir[256];
    struct fake_host host;
    struct loaded_plugin plugin;
    struct sim sim;
    uint8_t *image;
    size_t image_len;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    test_tmpdir(f->dir);
    fake_host_init(&f->host);
    plugin_load(&f->plugin, &f->host);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    sim_stop(&f->sim);
    plugin_unload(&f->plugin);
    free(f->image);
    test_rmtree(f->dir);
    free(f);
    return 0;
}

/* A merged image (bootloader + table + app) for chip with `app_bytes` of IROM code. */
static void make_image(struct fixture *f, const char *chip_name, size_t app_bytes)
{
    const struct esp_chip_info *chip = esp_chip_by_name(chip_name);
    uint8_t *code = malloc(app_bytes), ram[256];
    test_fill(code, app_bytes, 7);
    test_fill(ram, sizeof ram, 8);
    uint32_t ram_addr = chip->chip_id == 0 ? 0x40080000 : chip->elf_machine == ESP_EM_RISCV ? 0x40380000 : 0x40378000;
    struct test_section secs[] = {{".rwtext", ram_addr, ram, sizeof ram, 6},
                                  {".text", chip->flash_map[0].start + 0x20, code, (uint32_t)app_bytes, 6}};
    size_t elf_len, boot_len;
    uint8_t *elf = test_elf(chip->elf_machine, ram_addr, secs, 2, &elf_len);
    uint8_t *boot = test_bootloader(chip_name, &boot_len);
    struct esp_build_opts o = {.bootloader = boot, .bootloader_len = boot_len};
    struct esp_vec m = {0};
    struct esp_build_result r;
    char err[256];
    if (esp_build_merged(chip, elf, elf_len, &o, &m, &r, err, sizeof err))
        fail_msg("%s", err);
    f->image = m.data;
    f->image_len = m.len;
    free(boot);
    free(elf);
    free(code);
}

static int open_session(struct fixture *f, const char *chip, uint32_t baud, void **session)
{
    struct espctl_target_params p = {.hdr = ESPCTL_ABI_HDR(struct espctl_target_params), .chip = chip,
                                     .port = f->sim.endpoint, .baud = baud};
    return f->plugin.target->open(f->plugin.target->target_data, &p, session);
}

static int flash_image(struct fixture *f, void *session, uint64_t address, uint32_t flags)
{
    struct espctl_segment seg = {address, f->image_len, f->image};
    struct espctl_flash_image img = {.hdr = ESPCTL_ABI_HDR(struct espctl_flash_image), .segment_count = 1,
                                     .segments = &seg};
    return f->plugin.target->flash(session, &img, flags);
}

/* Waits until the simulator has written stats for `sessions` finished sessions. */
static void wait_sessions(struct fixture *f, long long sessions)
{
    for (int i = 0; i < 500; i++) {
        if (sim_stat(&f->sim, "sessions") >= sessions && access(f->sim.flash_out, R_OK) == 0)
            return;
        usleep(10000);
    }
    fail_msg("simulator did not finish session %lld", sessions);
}

static void assert_flash_holds(struct fixture *f, uint64_t address)
{
    size_t len;
    uint8_t *flash = test_read_file(f->sim.flash_out, &len);
    assert_non_null(flash);
    assert_true(len >= address + f->image_len);
    assert_memory_equal(flash + address, f->image, f->image_len);
    free(flash);
}

static void test_flash_over_tcp_then_skip(void **state)
{
    struct fixture *f = *state;
    sim_start(&f->sim, f->dir, "esp32s3", 0, NULL);
    make_image(f, "esp32s3", 96 * 1024);
    void *s = NULL;
    assert_int_equal(open_session(f, "esp32s3", 921600, &s), 0);
    int rc = flash_image(f, s, 0, 0);
    if (rc)
        fail_msg("flash: %s", f->host.last_error);
    f->plugin.target->close(s);
    wait_sessions(f, 1);
    assert_flash_holds(f, 0);
    assert_int_equal(sim_stat(&f->sim, "baud"), 921600);
    long long defl = sim_command_count(&f->sim, 0x11);
    assert_true(defl > 0);
    assert_int_equal(sim_command_count(&f->sim, 0x03), 0);    /* compressed, not plain */
    assert_int_equal(sim_command_count(&f->sim, 0x04), 1);    /* after=hard without RTS: soft reset */
    assert_true(sim_command_count(&f->sim, 0x13) >= 2);       /* skip check + verify */
    assert_int_equal(fake_host_count(&f->host, ESPCTL_EVENT_STAGE_END, "verify"), 1);
    assert_true(fake_host_count(&f->host, ESPCTL_EVENT_PROGRESS, "program") > 10);
    /* unchanged image: the second flash only compares MD5s */
    assert_int_equal(open_session(f, "esp32s3", 921600, &s), 0);
    assert_int_equal(flash_image(f, s, 0, 0), 0);
    f->plugin.target->close(s);
    wait_sessions(f, 2);
    assert_int_equal(sim_command_count(&f->sim, 0x11), defl);
    assert_true(fake_host_message_contains(&f->host, "skipped"));
    /* ESPCTL_FLASH_NO_SKIP rewrites it */
    assert_int_equal(open_session(f, "esp32s3", 921600, &s), 0);
    assert_int_equal(flash_image(f, s, 0, ESPCTL_FLASH_NO_SKIP), 0);
    f->plugin.target->close(s);
    wait_sessions(f, 3);
    assert_int_equal(sim_command_count(&f->sim, 0x11), 2 * defl);
}

static void test_flash_read_erase_over_pty(void **state)
{
    struct fixture *f = *state;
    sim_start(&f->sim, f->dir, "esp32s3", 1, NULL);
    make_image(f, "esp32s3", 40 * 1024);
    void *s = NULL;
    assert_int_equal(open_session(f, NULL, 460800, &s), 0);
    int rc = flash_image(f, s, 0x20000, 0);
    if (rc)
        fail_msg("flash: %s", f->host.last_error);
    uint8_t back[200];
    assert_int_equal(f->plugin.target->read(s, 0x20000 + 100, back, sizeof back), 0);
    assert_memory_equal(back, f->image + 100, sizeof back);
    struct espctl_segment seg = {0x20000, f->image_len, f->image};
    struct espctl_flash_image img = {.hdr = ESPCTL_ABI_HDR(struct espctl_flash_image), .segment_count = 1, .segments = &seg};
    assert_int_equal(f->plugin.target->verify(s, &img), 0);
    /* erase the app's sector at 0x31000 (rounded out from an unaligned request) */
    assert_int_equal(f->plugin.target->erase(s, 0x31010, 0x10, 0), 0);
    assert_int_equal(f->plugin.target->read(s, 0x31000, back, 64), 0);
    for (int i = 0; i < 64; i++)
        assert_int_equal(back[i], 0xFF);
    assert_int_equal(f->plugin.target->read(s, 0x30FC0, back, 64), 0);
    assert_memory_equal(back, f->image + 0x10FC0, 64);
    assert_int_equal(f->plugin.target->verify(s, &img), ESPCTL_E_VERIFY);
    assert_non_null(strstr(f->host.last_error, "verify: flash at 0x00020000"));
    f->plugin.target->close(s);
    wait_sessions(f, 1);
    assert_int_equal(sim_stat(&f->sim, "baud"), 460800);
    assert_true(sim_stat(&f->sim, "resets") >= 1);
    assert_int_equal(sim_stat(&f->sim, "bytes_at_wrong_baud"), 0);
}

static void test_detect_esp32_by_magic_and_mismatch(void **state)
{
    struct fixture *f = *state;
    sim_start(&f->sim, f->dir, "esp32", 0, NULL);
    make_image(f, "esp32", 8 * 1024);
    void *s = NULL;
    assert_int_equal(open_session(f, NULL, 0, &s), 0);
    assert_int_equal(flash_image(f, s, 0, 0), 0);
    f->plugin.target->close(s);
    wait_sessions(f, 1);
    assert_flash_holds(f, 0);
    assert_true(sim_command_count(&f->sim, 0x0A) >= 1); /* magic read after GET_SECURITY_INFO failed */
    /* the bundle says ESP32-C3: refuse before writing */
    assert_int_equal(open_session(f, "esp32c3", 0, &s), 0);
    assert_int_equal(flash_image(f, s, 0, 0), ESPCTL_E_INVAL);
    assert_non_null(strstr(f->host.last_error, "ESP32-C3"));
    assert_non_null(strstr(f->host.last_error, "connected chip is ESP32"));
    f->plugin.target->close(s);
}

static void test_chip_erase_and_after_soft(void **state)
{
    struct fixture *f = *state;
    sim_start(&f->sim, f->dir, "esp32c3", 0, (const char *const[]){"--flash-size", "2MB", NULL});
    make_image(f, "esp32c3", 4 * 1024);
    fake_host_set(&f->host, "esp32.after", "soft_reset");
    fake_host_set(&f->host, "esp32.flash_size", "2MB");
    void *s = NULL;
    assert_int_equal(open_session(f, "esp32c3", 0, &s), 0);
    assert_int_equal(f->plugin.target->erase(s, 0, 0, ESPCTL_FLASH_CHIP_ERASE), 0);
    assert_int_equal(flash_image(f, s, 0, 0), 0);
    f->plugin.target->close(s); /* soft reset: FLASH_BEGIN(0) + FLASH_END(run) -> the app runs */
    wait_sessions(f, 1);
    assert_int_equal(sim_command_count(&f->sim, 0x04), 1);
    assert_true(sim_stat(&f->sim, "sectors_erased") >= 512);
    /* a wrong after value in the config is a config error */
    fake_host_set(&f->host, "esp32.after", "reboot");
    assert_int_equal(open_session(f, "esp32c3", 0, &s), ESPCTL_E_CONFIG);
    assert_non_null(strstr(f->host.last_error, "reboot"));
}

static void test_monitor_lines_and_raw(void **state)
{
    struct fixture *f = *state;
    int master, slave;
    char name[128];
    assert_int_equal(openpty(&master, &slave, name, NULL, NULL), 0);
    struct termios t;
    tcgetattr(master, &t);
    cfmakeraw(&t);
    tcsetattr(master, TCSANOW, &t);
    fake_host_set(&f->host, "esp32.before", "no-reset");
    struct espctl_target_params p = {.hdr = ESPCTL_ABI_HDR(struct espctl_target_params), .port = name};
    void *s = NULL;
    assert_int_equal(f->plugin.target->open(f->plugin.target->target_data, &p, &s), 0);
    struct espctl_monitor_params mp = {.hdr = ESPCTL_ABI_HDR(struct espctl_monitor_params), .mode = ESPCTL_MONITOR_UART,
                                       .flags = ESP32_MONITOR_LINES};
    assert_int_equal(f->plugin.target->monitor_open(s, &mp), 0);
    const char *boot = "I (31) boot: ESP-IDF\r\nhello, par";
    assert_int_equal(write(master, boot, strlen(boot)), (ssize_t)strlen(boot));
    char buf[128];
    uint32_t got = 0;
    assert_int_equal(f->plugin.target->monitor_read(s, (uint8_t *)buf, sizeof buf, &got, 500), 0);
    assert_int_equal(got, strlen("I (31) boot: ESP-IDF\r\n"));
    assert_memory_equal(buf, "I (31) boot: ESP-IDF\r\n", got);
    /* the partial line waits for its end */
    assert_int_equal(f->plugin.target->monitor_read(s, (uint8_t *)buf, sizeof buf, &got, 100), 0);
    assert_int_equal(got, 0);
    assert_int_equal(write(master, "tial\n", 5), 5);
    assert_int_equal(f->plugin.target->monitor_read(s, (uint8_t *)buf, sizeof buf, &got, 500), 0);
    assert_int_equal(got, strlen("hello, partial\n"));
    assert_memory_equal(buf, "hello, partial\n", got);
    /* input to the app */
    assert_int_equal(f->plugin.target->monitor_write(s, (const uint8_t *)"help\n", 5), 0);
    struct pollfd pf = {master, POLLIN, 0};
    assert_int_equal(poll(&pf, 1, 1000), 1);
    assert_int_equal(read(master, buf, sizeof buf), 5);
    assert_memory_equal(buf, "help\n", 5);
    f->plugin.target->monitor_close(s);
    /* raw mode: bytes as they come */
    mp.flags = 0;
    assert_int_equal(f->plugin.target->monitor_open(s, &mp), 0);
    assert_int_equal(write(master, "abc", 3), 3);
    assert_int_equal(f->plugin.target->monitor_read(s, (uint8_t *)buf, sizeof buf, &got, 500), 0);
    assert_int_equal(got, 3);
    assert_memory_equal(buf, "abc", 3);
    f->plugin.target->monitor_close(s);
    mp.mode = ESPCTL_MONITOR_RTT;
    assert_int_equal(f->plugin.target->monitor_open(s, &mp), ESPCTL_E_NOT_SUPPORTED);
    f->plugin.target->close(s);
    close(master);
    close(slave);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_flash_over_tcp_then_skip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flash_read_erase_over_pty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_detect_esp32_by_magic_and_mismatch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chip_erase_and_after_soft, setup, teardown),
        cmocka_unit_test_setup_teardown(test_monitor_lines_and_raw, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
