/*
 * Calibration: Espressif's esptool-js (an implementation of the ROM protocol independent of
 * ours) flashes an image into `espctl-sim esp` over TCP for every chip personality, in ROM
 * mode, compressed and uncompressed; the simulator's flash-out must hold the image.
 */
#include "esp_sim_process.h"

#include <jansson.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#define IMAGE_LEN (160 * 1024)
#define IMAGE_OFFSET 0x10000u

static int run_esptool_js(const char *port, const char *chip_name, const char *image, int compress)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int devnull = open("/dev/null", 1);
        if (devnull >= 0)
            dup2(devnull, 1); /* progress lines; errors stay on stderr */
        execl(NODE_EXECUTABLE, NODE_EXECUTABLE, CALIBRATION_SCRIPT, port, chip_name, image, "0x10000",
              compress ? "1" : "0", (char *)NULL);
        _exit(127);
    }
    int status = 0;
    for (int waited = 0; waited < 90000; waited += 20) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
        usleep(20000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return -1;
}

static void calibrate(const char *chip, const char *chip_name, int compress)
{
    uint8_t *img = malloc(IMAGE_LEN);
    uint32_t seed = 99;
    for (size_t i = 0; i < IMAGE_LEN; i++) {
        seed = seed * 1103515245u + 12345u;
        img[i] = (i / 512) % 2 ? (uint8_t)(seed >> 16) : (uint8_t)i;
    }
    struct sim s;
    const char *args[] = {"--once", NULL};
    sim_start(&s, chip, 0, args);
    char image[160];
    snprintf(image, sizeof image, "%s/image.bin", s.dir);
    FILE *f = fopen(image, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(img, 1, IMAGE_LEN, f), IMAGE_LEN);
    fclose(f);

    assert_int_equal(run_esptool_js(s.endpoint, chip_name, image, compress), 0);
    assert_int_equal(sim_wait_exit(&s, 5000), 0); /* --once: gone after the client left */

    f = fopen(s.flash_out, "rb");
    assert_non_null(f);
    uint8_t *flash = malloc(4u << 20);
    assert_int_equal(fread(flash, 1, 4u << 20, f), 4u << 20);
    fclose(f);
    assert_memory_equal(flash + IMAGE_OFFSET, img, IMAGE_LEN);
    free(flash);

    json_error_t err;
    json_t *st = json_load_file(s.stats, 0, &err);
    assert_non_null(st);
    json_t *cmds = json_object_get(st, "commands");
    const char *data_op = compress ? "0x11" : "0x03";
    assert_true(json_integer_value(json_object_get(cmds, data_op)) > 0);
    assert_int_equal(json_integer_value(json_object_get(cmds, "0x13")), 1);
    assert_int_equal(json_integer_value(json_object_get(st, "bytes_programmed")), IMAGE_LEN);
    json_decref(st);
    unlink(image);
    sim_cleanup(&s);
    free(img);
}

static void test_esp32(void **state) { (void)state; calibrate("esp32", "ESP32", 1); calibrate("esp32", "ESP32", 0); }
static void test_esp32s2(void **state) { (void)state; calibrate("esp32s2", "ESP32-S2", 1); }
static void test_esp32s3(void **state) { (void)state; calibrate("esp32s3", "ESP32-S3", 1); calibrate("esp32s3", "ESP32-S3", 0); }
static void test_esp32c2(void **state) { (void)state; calibrate("esp32c2", "ESP32-C2", 1); }
static void test_esp32c3(void **state) { (void)state; calibrate("esp32c3", "ESP32-C3", 1); }
static void test_esp32c6(void **state) { (void)state; calibrate("esp32c6", "ESP32-C6", 1); calibrate("esp32c6", "ESP32-C6", 0); }
static void test_esp32h2(void **state) { (void)state; calibrate("esp32h2", "ESP32-H2", 1); }

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_esp32),   cmocka_unit_test(test_esp32s2), cmocka_unit_test(test_esp32s3),
        cmocka_unit_test(test_esp32c2), cmocka_unit_test(test_esp32c3), cmocka_unit_test(test_esp32c6),
        cmocka_unit_test(test_esp32h2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
