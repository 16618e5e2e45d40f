/* The espctl CLI end to end for ESP: build a bundle from an ELF, inspect it, flash it into
 * espctl-sim over TCP and over a pty. */
#include "esp_chip.h"
#include "support.h"

#include <fcntl.h>
#include <jansson.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

struct fixture {
    char dir[256], elf[300], boot[300], bundle[300], out[300], err[300];
    struct sim sim;
};

/* Runs `prefix... espctl args...` (NULL-terminated lists) under a 120 s limit; stdout/stderr to files. */
static int run_wrapped(struct fixture *f, const char *const *prefix, const char *const *args)
{
    const char *argv[40];
    int n = 0;
    for (; prefix && prefix[n]; n++)
        argv[n] = prefix[n];
    argv[n++] = ESPCTL_CLI_PATH;
    for (int i = 0; args[i] && n < 39; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int o = open(f->out, O_WRONLY | O_CREAT | O_TRUNC, 0644), e = open(f->err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(o, 1);
        dup2(e, 2);
        setenv("XDG_CONFIG_HOME", f->dir, 1); /* no user config */
        unsetenv("ESPCTL_PLUGIN_PATH");
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    int status = 0;
    for (int i = 0; i < 12000; i++) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    fail_msg("espctl did not finish within 120 s");
    return -1;
}

static int run_cli(struct fixture *f, const char *const *args)
{
    return run_wrapped(f, NULL, args);
}

static char *slurp(const char *path)
{
    size_t len;
    uint8_t *d = test_read_file(path, &len);
    assert_non_null(d);
    char *s = realloc(d, len + 1);
    s[len] = '\0';
    return s;
}

static json_t *result_json(struct fixture *f)
{
    char *text = slurp(f->out);
    /* the result is the last line of --json output */
    char *last = text, *p;
    while ((p = strstr(last, "\n{")))
        last = p + 1;
    json_error_t je;
    json_t *r = json_loads(last, JSON_DISABLE_EOF_CHECK, &je);
    if (!r)
        fail_msg("no JSON result in: %s", text);
    free(text);
    return r;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    test_tmpdir(f->dir);
    snprintf(f->elf, sizeof f->elf, "%s/app.elf", f->dir);
    snprintf(f->boot, sizeof f->boot, "%s/bootloader.bin", f->dir);
    snprintf(f->bundle, sizeof f->bundle, "%s/app-flash-bundle.tar.gz", f->dir);
    snprintf(f->out, sizeof f->out, "%s/stdout", f->dir);
    snprintf(f->err, sizeof f->err, "%s/stderr", f->dir);
    static uint8_t code[20000], ram[512];
    test_fill(code, sizeof code, 21);
    test_fill(ram, sizeof ram, 22);
    struct test_section secs[] = {{".rwtext", 0x40378000, ram, sizeof ram, 6},
                                  {".text", 0x42000020, code, sizeof code, 6}};
    size_t len;
    uint8_t *elf = test_elf(94, 0x40378000, secs, 2, &len);
    assert_int_equal(test_write_file(f->elf, elf, len), 0);
    free(elf);
    uint8_t *boot = test_bootloader("esp32s3", &len);
    assert_int_equal(test_write_file(f->boot, boot, len), 0);
    free(boot);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    sim_stop(&f->sim);
    test_rmtree(f->dir);
    free(f);
    return 0;
}

static void build_bundle(struct fixture *f)
{
    const char *args[] = {"--json", "build", "--rust-elf", f->elf, "--target", "esp32s3", "--bootloader", f->boot,
                          "--out", f->bundle, NULL};
    int rc = run_cli(f, args);
    if (rc) {
        char *e = slurp(f->err);
        fail_msg("build exited %d: %s", rc, e);
    }
}

static void test_build_and_inspect(void **state)
{
    struct fixture *f = *state;
    build_bundle(f);
    json_t *r = result_json(f);
    assert_int_equal(json_integer_value(json_object_get(r, "image_address")), 0);
    assert_true(json_integer_value(json_object_get(r, "image_size")) > 0x10000);
    json_decref(r);
    const char *inspect[] = {"--json", "bundle", "inspect", f->bundle, NULL};
    assert_int_equal(run_cli(f, inspect), 0);
    r = result_json(f);
    json_t *m = json_object_get(r, "manifest");
    json_t *t = json_object_get(m, "target");
    assert_string_equal(json_string_value(json_object_get(t, "kind")), "esp32");
    assert_string_equal(json_string_value(json_object_get(t, "chip")), "esp32s3");
    assert_string_equal(json_string_value(json_object_get(t, "flash_mode")), "dio");
    assert_string_equal(json_string_value(json_object_get(t, "flash_freq")), "80m");
    assert_string_equal(json_string_value(json_object_get(t, "flash_size")), "4MB");
    assert_string_equal(json_string_value(json_object_get(json_object_get(m, "build"), "idf_version")), "n/a-rust-no_std");
    json_t *img = json_array_get(json_object_get(r, "images"), 0);
    assert_string_equal(json_string_value(json_object_get(img, "format")), "esp-idf-merged");
    assert_string_equal(json_string_value(json_object_get(img, "chip")), "esp32s3");
    assert_string_equal(json_string_value(json_object_get(img, "entry")), "0x40378000");
    assert_string_equal(json_string_value(json_object_get(json_object_get(img, "app"), "sha256")), "ok");
    json_decref(r);
    /* text inspect names the parts */
    const char *text[] = {"bundle", "inspect", f->bundle, NULL};
    assert_int_equal(run_cli(f, text), 0);
    char *out = slurp(f->out);
    assert_non_null(strstr(out, "esp-idf-merged, chip esp32s3"));
    assert_non_null(strstr(out, "factory"));
    free(out);
}

static void test_build_usage_errors(void **state)
{
    struct fixture *f = *state;
    const char *no_boot[] = {"build", "--rust-elf", f->elf, "--target", "esp32s3", "--out", f->bundle, NULL};
    assert_int_equal(run_cli(f, no_boot), 2);
    char *e = slurp(f->err);
    assert_non_null(strstr(e, "bootloader"));
    free(e);
    const char *bad_freq[] = {"build", "--rust-elf", f->elf, "--target", "esp32s3", "--bootloader", f->boot,
                              "--flash-freq", "60m", "--out", f->bundle, NULL};
    assert_int_equal(run_cli(f, bad_freq), 2);
    e = slurp(f->err);
    assert_non_null(strstr(e, "60m"));
    free(e);
    const char *wrong_arch[] = {"build", "--rust-elf", f->elf, "--target", "esp32c3", "--bootloader", f->boot,
                                "--out", f->bundle, NULL};
    assert_int_equal(run_cli(f, wrong_arch), 2);
    assert_int_equal(access(f->bundle, F_OK), -1); /* nothing written */
}

static void flash_into_sim(struct fixture *f, int pty)
{
    build_bundle(f);
    sim_start(&f->sim, f->dir, "esp32s3", pty, NULL);
    const char *args[] = {"flash", f->bundle, "--port", f->sim.endpoint, "--baud", "921600", NULL};
    int rc = run_cli(f, args);
    if (rc) {
        char *e = slurp(f->err);
        fail_msg("flash exited %d: %s", rc, e);
    }
    sim_stop(&f->sim);
    char extracted[320];
    snprintf(extracted, sizeof extracted, "%s/firmware.bin", f->dir);
    const char *extract[] = {"bundle", "extract", f->bundle, "files/firmware.bin", extracted, NULL};
    assert_int_equal(run_cli(f, extract), 0);
    size_t img_len, flash_len;
    uint8_t *img = test_read_file(extracted, &img_len), *flash = test_read_file(f->sim.flash_out, &flash_len);
    assert_non_null(img);
    assert_non_null(flash);
    assert_true(flash_len >= img_len);
    assert_memory_equal(flash, img, img_len);
    free(img);
    free(flash);
    assert_int_equal(sim_stat(&f->sim, "baud"), 921600);
    /* "target reset and running": without RTS the plugin left the loader by a soft reset */
    json_error_t je;
    json_t *st = json_load_file(f->sim.stats, 0, &je);
    assert_non_null(st);
    assert_string_equal(json_string_value(json_object_get(st, "mode")), "app");
    json_decref(st);
}

static void test_flash_over_tcp(void **state)
{
    flash_into_sim(*state, 0);
}

static void test_flash_over_pty(void **state)
{
    flash_into_sim(*state, 1);
}

static void test_flash_wrong_chip(void **state)
{
    struct fixture *f = *state;
    build_bundle(f);
    sim_start(&f->sim, f->dir, "esp32c3", 0, NULL);
    const char *args[] = {"flash", f->bundle, "--port", f->sim.endpoint, NULL};
    assert_int_equal(run_cli(f, args), 2);
    char *e = slurp(f->err);
    assert_non_null(strstr(e, "connect"));
    assert_non_null(strstr(e, "ESP32-C3"));
    free(e);
}

/* `probes list` shows the USB-serial bridges of ESP boards with their port paths; the
 * sysfs tree (CP2102N as ttyUSB0, USB-JTAG-serial as ttyACM0) is faked by umockdev. */
static void test_probes_list_serial_bridges(void **state)
{
    struct fixture *f = *state;
    if (access(UMOCKDEV_RUN, X_OK) != 0)
        skip();
    const char *prefix[] = {UMOCKDEV_RUN, "-d", UMOCKDEV_BRIDGES, "--", NULL};
    const char *args[] = {"--json", "probes", "list", NULL};
    assert_int_equal(run_wrapped(f, prefix, args), 0);
    char *out = slurp(f->out);
    int seen = 0;
    for (char *line = strtok(out, "\n"); line; line = strtok(NULL, "\n")) {
        json_t *j = json_loads(line, 0, NULL);
        const char *driver = json_string_value(json_object_get(j, "driver"));
        if (driver && !strcmp(driver, "esp-serial")) {
            const char *port = json_string_value(json_object_get(j, "port_path"));
            const char *vp = json_string_value(json_object_get(j, "vid_pid"));
            if (!strcmp(vp, "10c4:ea60")) {
                assert_string_equal(port, "/dev/ttyUSB0");
                assert_string_equal(json_string_value(json_object_get(j, "serial")), "a4c1e3f0");
                seen |= 1;
            } else if (!strcmp(vp, "303a:1001")) {
                assert_string_equal(port, "/dev/ttyACM0");
                seen |= 2;
            } else {
                fail_msg("unexpected serial bridge %s", vp);
            }
            assert_true(json_is_true(json_object_get(j, "serial_port")));
        }
        json_decref(j);
    }
    free(out);
    assert_int_equal(seen, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_build_and_inspect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_build_usage_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flash_over_tcp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flash_over_pty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flash_wrong_chip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_probes_list_serial_bridges, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
