/* Every simulator fault ends in a successful retry or a clear error, in bounded time. */
#include "esp_build.h"
#include "esp_chip.h"
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define APP_BYTES (48 * 1024)

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
    fake_host_set(&f->host, "esp32.timeout_ms", "300");
    plugin_load(&f->plugin, &f->host);
    const struct esp_chip_info *chip = esp_chip_by_name("esp32s3");
    uint8_t *code = malloc(APP_BYTES);
    test_fill(code, APP_BYTES, 11);
    struct test_section secs[] = {{".text", 0x42000020, code, APP_BYTES, 6}};
    size_t elf_len, boot_len;
    uint8_t *elf = test_elf(94, 0x40378000, secs, 1, &elf_len);
    uint8_t *boot = test_bootloader("esp32s3", &boot_len);
    struct esp_build_opts o = {.bootloader = boot, .bootloader_len = boot_len};
    struct esp_vec m = {0};
    struct esp_build_result r;
    char err[256];
    assert_int_equal(esp_build_merged(chip, elf, elf_len, &o, &m, &r, err, sizeof err), 0);
    f->image = m.data;
    f->image_len = m.len;
    free(boot);
    free(elf);
    free(code);
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

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Starts the simulator with `fault` (pty or TCP), flashes the image; returns the result. */
static int flash_with_fault(struct fixture *f, const char *fault, int pty, double *seconds)
{
    const char *extra[] = {"--fault", fault, NULL};
    sim_start(&f->sim, f->dir, "esp32s3", pty, extra);
    struct espctl_target_params p = {.hdr = ESPCTL_ABI_HDR(struct espctl_target_params), .chip = "esp32s3",
                                     .port = f->sim.endpoint, .baud = 460800};
    void *s = NULL;
    double t0 = now_s();
    int rc = f->plugin.target->open(f->plugin.target->target_data, &p, &s);
    assert_int_equal(rc, 0);
    struct espctl_segment seg = {0, f->image_len, f->image};
    struct espctl_flash_image img = {.hdr = ESPCTL_ABI_HDR(struct espctl_flash_image), .segment_count = 1, .segments = &seg};
    rc = f->plugin.target->flash(s, &img, 0);
    f->plugin.target->close(s);
    *seconds = now_s() - t0;
    sim_stop(&f->sim);
    return rc;
}

static void assert_flash_holds(struct fixture *f)
{
    size_t len;
    uint8_t *flash = test_read_file(f->sim.flash_out, &len);
    assert_non_null(flash);
    assert_memory_equal(flash, f->image, f->image_len);
    free(flash);
}

static void expect_recovery(struct fixture *f, const char *fault, int pty)
{
    double secs;
    int rc = flash_with_fault(f, fault, pty, &secs);
    if (rc)
        fail_msg("fault %s: expected a successful retry, got %d: %s", fault, rc, f->host.last_error);
    assert_flash_holds(f);
    assert_true(secs < 60);
}

static void test_rx_bit_error_is_retried(void **state)
{
    expect_recovery(*state, "rx-biterr-at=9000", 0);
}

static void test_rx_dropped_byte_is_retried(void **state)
{
    expect_recovery(*state, "rx-drop-at=12000", 1);
}

static void test_tx_dropped_byte_is_retried(void **state)
{
    expect_recovery(*state, "tx-drop-at=400", 0);
}

static void test_tx_bit_error_is_retried(void **state)
{
    expect_recovery(*state, "tx-biterr-at=420", 1);
}

static void test_checksum_nak_is_retried(void **state)
{
    struct fixture *f = *state;
    expect_recovery(f, "nak-data=3", 0);
    assert_int_equal(sim_stat(&f->sim, "error_responses") >= 1, 1);
}

static void test_short_stall_is_retried(void **state)
{
    expect_recovery(*state, "stall-after=20:450", 0);
}

static void test_endless_stall_is_a_clear_error(void **state)
{
    struct fixture *f = *state;
    double secs;
    int rc = flash_with_fault(f, "stall-after=20:forever", 0, &secs);
    assert_int_equal(rc, ESPCTL_E_TIMEOUT);
    assert_non_null(strstr(f->host.last_error, "program: FLASH_DEFL_DATA block"));
    assert_non_null(strstr(f->host.last_error, " at 0x"));
    assert_non_null(strstr(f->host.last_error, "no reply"));
    assert_true(secs < 20);
}

static void test_silent_chip_fails_to_connect(void **state)
{
    struct fixture *f = *state;
    double secs;
    int rc = flash_with_fault(f, "stall-after=0:forever", 1, &secs);
    assert_int_equal(rc, ESPCTL_E_TIMEOUT);
    assert_non_null(strstr(f->host.last_error, "connect: no SYNC reply"));
    assert_true(secs < 30);
}

static void test_bad_md5_is_a_verify_error(void **state)
{
    struct fixture *f = *state;
    double secs;
    int rc = flash_with_fault(f, "bad-md5", 0, &secs);
    assert_int_equal(rc, ESPCTL_E_VERIFY);
    assert_non_null(strstr(f->host.last_error, "verify: flash at 0x00000000"));
    assert_non_null(strstr(f->host.last_error, "expected"));
}

static void test_random_line_noise_never_hangs(void **state)
{
    struct fixture *f = *state;
    for (int seed = 1; seed <= 3; seed++) {
        char spec[128];
        snprintf(spec, sizeof spec, "rx-biterr=0.00005,tx-biterr=0.0005,rx-drop=0.00002,seed=%d", seed);
        double secs;
        f->host.last_error[0] = '\0';
        int rc = flash_with_fault(f, spec, seed % 2, &secs);
        assert_true(secs < 60);
        if (rc == 0) {
            assert_flash_holds(f);
        } else {
            assert_true(rc == ESPCTL_E_TIMEOUT || rc == ESPCTL_E_TARGET || rc == ESPCTL_E_VERIFY);
            assert_true(strstr(f->host.last_error, "connect:") || strstr(f->host.last_error, " at 0x"));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rx_bit_error_is_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rx_dropped_byte_is_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tx_dropped_byte_is_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tx_bit_error_is_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_checksum_nak_is_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_short_stall_is_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_endless_stall_is_a_clear_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_silent_chip_fails_to_connect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_md5_is_a_verify_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_random_line_noise_never_hangs, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
