/*
 * Drives the real `espctl-sim esp` binary over a pty and over TCP with the small client in
 * esp_client.c: SYNC, chip detection, attach, compressed write, MD5, then checks the
 * flash-out file and the stats JSON the simulator writes when it is stopped.
 */
#include "esp_client.h"
#include "esp_engine.h"
#include "esp_sim_process.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define IMAGE_OFFSET 0x10000u

static void connect_client(struct esp_client *c, const struct sim *s, int pty)
{
    int rc = pty ? ec_open_pty(c, s->endpoint) : ec_open_tcp(c, (uint16_t)atoi(s->endpoint));
    assert_int_equal(rc, 0);
}

static uint8_t *make_image(size_t len)
{
    uint8_t *d = malloc(len);
    uint32_t seed = 7;
    for (size_t i = 0; i < len; i++) { /* alternating 256-byte runs of noise and of a counter */
        seed = seed * 1103515245u + 12345u;
        d[i] = (i / 256) % 2 ? (uint8_t)(seed >> 16) : (uint8_t)(i / 256);
    }
    return d;
}

static void md5_hex(const uint8_t *d, size_t len, char out[33])
{
    uint8_t dig[16];
    unsigned n = 0;
    assert_true(EVP_Digest(d, len, dig, &n, EVP_md5(), NULL));
    for (int i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", dig[i]);
}

static uint32_t detect_chip_id(struct esp_client *c)
{
    int rc = ec_command(c, ESP_OP_GET_SECURITY_INFO, NULL, 0, 0, 3000);
    if (rc == 0 && ec_status(c) == 0 && c->reply_len == 32)
        return c->reply[8 + 12] | c->reply[8 + 13] << 8;
    assert_int_equal(rc, -2); /* ESP32 ROM: unsupported command */
    uint8_t a[4] = {0x00, 0x10, 0x00, 0x40};
    assert_int_equal(ec_command(c, ESP_OP_READ_REG, a, 4, 0, 3000), 0);
    return ec_value(c) == 0x00F01D83u ? 0 : 0xFFFF;
}

static void attach_and_params(struct esp_client *c)
{
    uint8_t attach[8] = {0};
    assert_int_equal(ec_command(c, ESP_OP_SPI_ATTACH, attach, 8, 0, 3000), 0);
    assert_int_equal(ec_status(c), 0);
    uint8_t params[24] = {0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 1, 0, 0, 0x10, 0, 0, 0, 1, 0, 0, 0xFF, 0xFF, 0, 0};
    assert_int_equal(ec_command(c, ESP_OP_SPI_SET_PARAMS, params, 24, 0, 3000), 0);
    assert_int_equal(ec_status(c), 0);
}

static json_t *load_stats(const struct sim *s)
{
    json_error_t err;
    json_t *j = json_load_file(s->stats, 0, &err);
    assert_non_null(j);
    return j;
}

static double jnum(json_t *j, const char *k)
{
    json_t *v = json_object_get(j, k);
    assert_non_null(v);
    return json_number_value(v);
}

/* Full sequence; returns modelled seconds. */
static double full_write(const char *chip, uint32_t expect_id, int pty, uint32_t baud, size_t image_len,
                         const char *fault, unsigned *retries_out)
{
    struct sim s;
    const char *fault_args[] = {"--fault", fault, NULL};
    sim_start(&s, chip, pty, fault ? fault_args : NULL);
    struct esp_client c;
    connect_client(&c, &s, pty);
    assert_int_equal(ec_sync(&c, 5), 0);
    assert_int_equal(detect_chip_id(&c), expect_id);
    attach_and_params(&c);
    if (baud != 115200)
        assert_int_equal(ec_change_baud(&c, baud, 0), 0);
    uint8_t *img = make_image(image_len);
    unsigned retries = 0;
    assert_int_equal(ec_flash_defl(&c, expect_id == 0 ? 16 : 20, IMAGE_OFFSET, img, image_len, &retries), 0);
    char got[33], want[33];
    assert_int_equal(ec_md5(&c, IMAGE_OFFSET, (uint32_t)image_len, got), 0);
    md5_hex(img, image_len, want);
    assert_string_equal(got, want);
    ec_close(&c);
    sim_stop(&s);

    FILE *f = fopen(s.flash_out, "rb");
    assert_non_null(f);
    uint8_t *flash = malloc(4u << 20);
    assert_int_equal(fread(flash, 1, 4u << 20, f), 4u << 20);
    fclose(f);
    assert_memory_equal(flash + IMAGE_OFFSET, img, image_len);
    for (size_t i = 0; i < IMAGE_OFFSET; i++)
        assert_int_equal(flash[i], 0xFF);
    free(flash);

    json_t *st = load_stats(&s);
    assert_string_equal(json_string_value(json_object_get(st, "chip")), chip);
    assert_int_equal((long)jnum(st, "bytes_programmed"), (long)image_len);
    assert_true(jnum(st, "sectors_erased") >= (double)(image_len / 4096));
    assert_int_equal((long)jnum(st, "baud"), (long)baud);
    assert_true(jnum(st, "bytes_from_host") > image_len / 3.0);
    json_t *cmds = json_object_get(st, "commands");
    assert_true(json_integer_value(json_object_get(cmds, "0x11")) >= 1);
    assert_int_equal(json_integer_value(json_object_get(cmds, "0x13")), 1);
    double modelled = jnum(st, "modelled_seconds");
    double wire_floor = jnum(st, "bytes_from_host") * 10.0 / 921600.0;
    assert_true(modelled > wire_floor + jnum(st, "flash_seconds") * 0.99);
    printf("# %s %s %u baud, %zu-byte half-compressible image: modelled %.3f s (wire %.3f s, flash %.3f s), "
           "%.0f bytes to chip, %.0f bytes back, retries %u\n",
           chip, pty ? "pty" : "tcp", baud, image_len, modelled, jnum(st, "wire_seconds"), jnum(st, "flash_seconds"),
           jnum(st, "bytes_from_host"), jnum(st, "bytes_to_host"), retries);
    json_decref(st);
    free(img);
    sim_cleanup(&s);
    if (retries_out)
        *retries_out = retries;
    return modelled;
}

static void test_pty_esp32s3_921600(void **state)
{
    (void)state;
    full_write("esp32s3", 9, 1, 921600, 256 * 1024, NULL, NULL);
}

static void test_tcp_esp32_magic_fallback(void **state)
{
    (void)state;
    full_write("esp32", 0, 0, 115200, 128 * 1024, NULL, NULL);
}

static void test_tcp_figures_1mib(void **state)
{
    (void)state;
    double slow = full_write("esp32c3", 5, 0, 115200, 1u << 20, NULL, NULL);
    double fast = full_write("esp32c3", 5, 0, 921600, 1u << 20, NULL, NULL);
    assert_true(fast < slow);
}

static void test_bit_error_is_retried(void **state)
{
    (void)state;
    unsigned retries = 0;
    /* Byte 3000 from the host lies inside the first FLASH_DEFL_DATA block. */
    full_write("esp32c6", 13, 0, 115200, 64 * 1024, "rx-biterr-at=3000", &retries);
    assert_true(retries >= 1);
}

static void test_lost_reply_is_resent_and_acknowledged(void **state)
{
    (void)state;
    unsigned retries = 0;
    /* Chip-to-host byte 235 lies inside the reply to the 4th FLASH_DEFL_DATA (8 SYNC replies,
     * security info, attach, params, begin come first): the host times out and resends the
     * block, which the ROM model acknowledges without inflating it twice. */
    full_write("esp32c6", 13, 0, 115200, 64 * 1024, "tx-drop-at=235", &retries);
    assert_int_equal(retries, 1);
}

static void test_flash_in_is_served(void **state)
{
    (void)state;
    uint8_t *img = make_image(0x3000);
    char dir[] = "/tmp/esp-sim-in.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/in.bin", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(img, 1, 0x3000, f), 0x3000);
    fclose(f);
    struct sim s;
    const char *args[] = {"--flash-in", path, "--flash-size", "2MB", NULL};
    sim_start(&s, "esp32s2", 1, args);
    struct esp_client c;
    connect_client(&c, &s, 1);
    assert_int_equal(ec_sync(&c, 5), 0);
    attach_and_params(&c);
    char got[33], want[33];
    assert_int_equal(ec_md5(&c, 0, 0x3000, got), 0);
    md5_hex(img, 0x3000, want);
    assert_string_equal(got, want);
    uint8_t q[16] = {0, 0, 0x20, 0, 0, 0x10, 0, 0}; /* past the end of the 2 MB flash */
    assert_int_equal(ec_command(&c, ESP_OP_SPI_FLASH_MD5, q, 16, 0, 3000), 0);
    assert_int_equal(ec_status(&c), 1);
    ec_close(&c);
    sim_stop(&s);
    f = fopen(s.flash_out, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    assert_int_equal(ftell(f), 2 << 20);
    fclose(f);
    sim_cleanup(&s);
    unlink(path);
    rmdir(dir);
    free(img);
}

static int run_cli(const char *const *argv)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        dup2(devnull, 2);
        execv(ESPCTL_SIM_PATH, (char *const *)argv);
        _exit(127);
    }
    int status = 0;
    for (int i = 0; i < 500; i++) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

static void test_cli_rejects_bad_usage(void **state)
{
    (void)state;
    const char *unknown_chip[] = {ESPCTL_SIM_PATH, "esp", "--chip", "esp8266", "--pty", NULL};
    const char *no_transport[] = {ESPCTL_SIM_PATH, "esp", "--chip", "esp32", NULL};
    const char *both[] = {ESPCTL_SIM_PATH, "esp", "--chip", "esp32", "--pty", "--tcp", "0", NULL};
    const char *not_loopback[] = {ESPCTL_SIM_PATH, "esp", "--chip", "esp32", "--tcp", "0", "--listen", "0.0.0.0", NULL};
    const char *bad_fault[] = {ESPCTL_SIM_PATH, "esp", "--chip", "esp32", "--pty", "--fault", "rx-biterr=7", NULL};
    const char *bad_size[] = {ESPCTL_SIM_PATH, "esp", "--chip", "esp32", "--pty", "--flash-size", "3MB", NULL};
    const char *missing_in[] = {ESPCTL_SIM_PATH, "esp", "--chip", "esp32", "--pty", "--flash-in", "/nonexistent/x", NULL};
    const char *help[] = {ESPCTL_SIM_PATH, "esp", "--help", NULL};
    assert_int_equal(run_cli(unknown_chip), 2);
    assert_int_equal(run_cli(no_transport), 2);
    assert_int_equal(run_cli(both), 2);
    assert_int_equal(run_cli(not_loopback), 2);
    assert_int_equal(run_cli(bad_fault), 2);
    assert_int_equal(run_cli(bad_size), 2);
    assert_int_equal(run_cli(missing_in), 2);
    assert_int_equal(run_cli(help), 0);
}

static void test_pty_wrong_local_baud_is_lost(void **state)
{
    (void)state;
    struct sim s;
    sim_start(&s, "esp32h2", 1, NULL);
    struct esp_client c;
    connect_client(&c, &s, 1);
    assert_int_equal(ec_sync(&c, 5), 0);
    assert_int_equal(ec_change_baud(&c, 921600, 1), 0); /* but the pty stays at 115200 */
    uint8_t a[4] = {0x00, 0x10, 0x00, 0x40};
    assert_int_not_equal(ec_command(&c, ESP_OP_READ_REG, a, 4, 0, 300), 0);
    ec_close(&c);
    sim_stop(&s);
    json_t *st = load_stats(&s);
    assert_true(jnum(st, "bytes_at_wrong_baud") > 0);
    json_decref(st);
    sim_cleanup(&s);
}

static void test_stall_forever_times_out(void **state)
{
    (void)state;
    struct sim s;
    const char *args[] = {"--fault", "stall-after=2:forever", NULL};
    sim_start(&s, "esp32c2", 0, args);
    struct esp_client c;
    connect_client(&c, &s, 0);
    assert_int_equal(ec_sync(&c, 5), 0);
    uint8_t a[4] = {0x00, 0x10, 0x00, 0x40};
    assert_int_equal(ec_command(&c, ESP_OP_READ_REG, a, 4, 0, 1000), -1); /* second command: silence */
    ec_close(&c);
    sim_stop(&s);
    json_t *st = load_stats(&s);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(st, "faults"), "stalls")), 1);
    json_decref(st);
    sim_cleanup(&s);
}

static void test_pty_require_reset(void **state)
{
    (void)state;
    struct sim s;
    const char *args[] = {"--require-reset", NULL};
    sim_start(&s, "esp32c3", 1, args);
    struct esp_client c;
    connect_client(&c, &s, 1);
    assert_int_equal(ec_sync(&c, 3), -1); /* the app is running: no loader */
    assert_int_equal(tcflush(c.fd, TCIFLUSH), 0); /* what a flasher does right after its reset pulse */
    assert_int_equal(ec_sync(&c, 5), 0);
    ec_close(&c);
    sim_stop(&s);
    json_t *st = load_stats(&s);
    assert_int_equal((long)jnum(st, "resets"), 2); /* power-on into the app, then the reset */
    assert_true(jnum(st, "ignored_bytes") > 0);
    json_decref(st);
    sim_cleanup(&s);
}

static void test_tcp_require_reset_prints_banner(void **state)
{
    (void)state;
    struct sim s;
    const char *args[] = {"--require-reset", NULL};
    sim_start(&s, "esp32", 0, args);
    struct esp_client c;
    connect_client(&c, &s, 0);
    char banner[256] = {0};
    size_t got = 0;
    while (got < sizeof banner - 1 && !strstr(banner, "waiting for download")) {
        struct pollfd p = {c.fd, POLLIN, 0};
        assert_int_equal(poll(&p, 1, 3000), 1);
        ssize_t n = read(c.fd, banner + got, sizeof banner - 1 - got);
        assert_true(n > 0);
        got += (size_t)n;
    }
    assert_int_equal(ec_sync(&c, 5), 0);
    ec_close(&c);
    sim_stop(&s);
    sim_cleanup(&s);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pty_esp32s3_921600),
        cmocka_unit_test(test_tcp_esp32_magic_fallback),
        cmocka_unit_test(test_tcp_figures_1mib),
        cmocka_unit_test(test_bit_error_is_retried),
        cmocka_unit_test(test_lost_reply_is_resent_and_acknowledged),
        cmocka_unit_test(test_flash_in_is_served),
        cmocka_unit_test(test_cli_rejects_bad_usage),
        cmocka_unit_test(test_pty_wrong_local_baud_is_lost),
        cmocka_unit_test(test_stall_forever_times_out),
        cmocka_unit_test(test_pty_require_reset),
        cmocka_unit_test(test_tcp_require_reset_prints_banner),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
