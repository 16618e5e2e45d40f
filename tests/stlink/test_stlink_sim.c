/* The built stlink.so (dlopen) against espctl-sim's stlink-server front: identity,
 * DP power-up, AP IDR, CPUID, SRAM transfers of every width, WAIT storms, FAULT
 * replies and a dropped connection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "plugin_loader.h"
#include "sim_child.h"

#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PLUGIN_PATH PLUGIN_DIR "/stlink.so"
#define SRAM 0x20000000u

struct fixture {
    struct sim_child sim;
    struct loaded_plugin pl;
    void *probe;
};

static struct fixture *start_with_config(const char *const *sim_args, const char *const *config)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    if (sim_child_start(&fx->sim, "stlink", "stlink-tcp:", sim_args) != 0) {
        free(fx);
        fail_msg("espctl-sim stlink did not start");
    }
    plugin_load(&fx->pl, PLUGIN_PATH, "stlink", config);
    return fx;
}

static struct fixture *start(const char *const *sim_args)
{
    return start_with_config(sim_args, NULL);
}

static void stop(struct fixture *fx)
{
    if (fx->probe)
        fx->pl.driver->close(fx->probe);
    plugin_unload(&fx->pl);
    sim_child_stop(&fx->sim, 2000);
    free(fx);
}

/* Open, connect, power up the debug domain. */
static void open_and_power_up(struct fixture *fx)
{
    const struct espctl_probe_driver *d = fx->pl.driver;
    assert_int_equal(d->open(d->driver_data, fx->sim.selector, &fx->probe), 0);
    assert_int_equal(d->connect(fx->probe, 0), 0);
    uint32_t v = 0;
    assert_int_equal(d->dp_read(fx->probe, 0x0, &v), 0);
    assert_int_equal(v, 0x2BA01477);
    assert_int_equal(d->dp_write(fx->probe, 0x0, 0x1E), 0);
    assert_int_equal(d->dp_write(fx->probe, 0x8, 0), 0);
    assert_int_equal(d->dp_write(fx->probe, 0x4, 0x50000000), 0);
    int tries = 0;
    do
        assert_int_equal(d->dp_read(fx->probe, 0x4, &v), 0);
    while ((v & 0xA0000000u) != 0xA0000000u && ++tries < 100);
    assert_int_equal(v & 0xA0000000u, 0xA0000000u);
}

static void test_identity_and_cpuid(void **state)
{
    (void)state;
    struct fixture *fx = start(NULL);
    const struct espctl_probe_driver *d = fx->pl.driver;
    open_and_power_up(fx);
    uint32_t v = 0;
    assert_int_equal(d->ap_read(fx->probe, 0, 0xFC, &v), 0);
    assert_int_equal(v, 0x24770011);
    uint8_t word[4];
    assert_int_equal(d->mem_read(fx->probe, 0, 0xE000ED00, 32, word, 4), 0);
    assert_int_equal((uint32_t)word[0] | word[1] << 8 | word[2] << 16 | (uint32_t)word[3] << 24,
                     0x410FC241);
    /* DBGMCU IDCODE names the G431 (0x468) */
    assert_int_equal(d->mem_read(fx->probe, 0, 0xE0042000, 32, word, 4), 0);
    assert_int_equal((word[0] | word[1] << 8) & 0xFFF, 0x468);
    struct espctl_probe_caps caps = {.hdr = ESPCTL_ABI_HDR(struct espctl_probe_caps)};
    assert_int_equal(d->caps(fx->probe, &caps), 0);
    assert_true(caps.flags & ESPCTL_PROBE_CAP_MEM);
    assert_true(caps.flags & ESPCTL_PROBE_CAP_DP_AP);
    /* V2J37 rewrites TAR inside memory commands: one command fills the 6144-byte buffer */
    assert_int_equal(caps.max_mem_block, 6144);
    assert_int_equal(caps.speed_khz, 1800);
    uint32_t mv = 0;
    assert_int_equal(d->target_voltage(fx->probe, &mv), 0);
    assert_in_range(mv, 3200, 3400);
    assert_null(d->get_extension(fx->probe, "espctl.flash-writer/1"));
    assert_int_equal(d->disconnect(fx->probe), 0);
    stop(fx);
}

static void fill(uint8_t *buf, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)(i * 131u + seed * 17u + (i >> 8));
}

static void test_sram_all_widths(void **state)
{
    (void)state;
    struct fixture *fx = start(NULL);
    const struct espctl_probe_driver *d = fx->pl.driver;
    open_and_power_up(fx);
    static const struct { uint32_t width, offset, len; } cases[] = {
        {8, 0x3F7, 1035},  {8, 0x1001, 1},    {8, 0x7FF, 2},    {16, 0x3FA, 2062},
        {16, 0x1FFE, 6},   {32, 0x3FC, 4100}, {32, 0x1C, 6148}, {32, 0x2000, 4},
    };
    uint8_t *out = malloc(8192), *in = malloc(8192);
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        uint32_t addr = SRAM + cases[k].offset, len = cases[k].len;
        fill(out, len, (unsigned)k);
        memset(in, 0, len);
        assert_int_equal(d->mem_write(fx->probe, 0, addr, cases[k].width, out, len), 0);
        assert_int_equal(d->mem_read(fx->probe, 0, addr, cases[k].width, in, len), 0);
        assert_memory_equal(out, in, len);
    }
    /* cross-check widths: bytes written 8-bit read back as words */
    fill(out, 64, 99);
    assert_int_equal(d->mem_write(fx->probe, 0, SRAM + 0x3000, 8, out, 64), 0);
    assert_int_equal(d->mem_read(fx->probe, 0, SRAM + 0x3000, 32, in, 64), 0);
    assert_memory_equal(out, in, 64);
    /* misaligned requests are refused */
    assert_int_equal(d->mem_read(fx->probe, 0, SRAM + 2, 32, in, 4), ESPCTL_E_INVAL);
    free(out);
    free(in);
    stop(fx);
}

static void test_wait_storm(void **state)
{
    (void)state;
    /* a short storm is absorbed by the bounded retry */
    const char *short_storm[] = {"--fault", "wait=5@20", NULL};
    struct fixture *fx = start(short_storm);
    const struct espctl_probe_driver *d = fx->pl.driver;
    open_and_power_up(fx);
    uint8_t out[256], in[256];
    fill(out, sizeof out, 3);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(d->mem_write(fx->probe, 0, SRAM + 0x100, 32, out, sizeof out), 0);
        assert_int_equal(d->mem_read(fx->probe, 0, SRAM + 0x100, 32, in, sizeof in), 0);
        assert_memory_equal(out, in, sizeof out);
    }
    stop(fx);

    /* an endless storm ends in a clear timeout, and the probe recovers once it passes */
    const char *long_storm[] = {"--fault", "wait=60@20", NULL};
    fx = start(long_storm);
    d = fx->pl.driver;
    open_and_power_up(fx);
    int rc = 0;
    for (int i = 0; i < 10 && rc == 0; i++)
        rc = d->mem_read(fx->probe, 0, SRAM, 32, in, 16);
    assert_int_equal(rc, ESPCTL_E_TIMEOUT);
    assert_non_null(strstr(fx->pl.fh.last_error, "WAIT"));
    rc = ESPCTL_E_TIMEOUT;
    for (int i = 0; i < 10 && rc == ESPCTL_E_TIMEOUT; i++)
        rc = d->mem_read(fx->probe, 0, SRAM, 32, in, 16);
    assert_int_equal(rc, 0);
    stop(fx);
}

static void test_fault_reply(void **state)
{
    (void)state;
    const char *args[] = {"--fault", "fault-at=0x20000404", NULL};
    struct fixture *fx = start(args);
    const struct espctl_probe_driver *d = fx->pl.driver;
    open_and_power_up(fx);
    uint8_t out[64];
    fill(out, sizeof out, 5);
    int rc = d->mem_write(fx->probe, 0, SRAM + 0x400, 32, out, sizeof out);
    assert_int_equal(rc, ESPCTL_E_TARGET);
    assert_non_null(strstr(fx->pl.fh.last_error, "0x20000404"));
    /* sticky errors were cleared: the next access works */
    uint8_t in[64];
    assert_int_equal(d->mem_write(fx->probe, 0, SRAM + 0x400, 32, out, sizeof out), 0);
    assert_int_equal(d->mem_read(fx->probe, 0, SRAM + 0x400, 32, in, sizeof in), 0);
    assert_memory_equal(out, in, sizeof in);
    uint32_t ctrl = 0;
    assert_int_equal(d->dp_read(fx->probe, 0x4, &ctrl), 0);
    assert_int_equal(ctrl & 0x20u, 0); /* STICKYERR clear */
    stop(fx);
}

static void test_dropped_connection(void **state)
{
    (void)state;
    const char *args[] = {"--fault", "drop-after=40", NULL};
    struct fixture *fx = start(args);
    const struct espctl_probe_driver *d = fx->pl.driver;
    open_and_power_up(fx);
    uint8_t buf[64];
    int rc = 0;
    for (int i = 0; i < 100 && rc == 0; i++)
        rc = d->mem_read(fx->probe, 0, SRAM, 32, buf, sizeof buf);
    assert_true(rc == ESPCTL_E_NO_DEVICE || rc == ESPCTL_E_IO);
    assert_non_null(strstr(fx->pl.fh.last_error, "stlink-server"));
    /* later calls fail at once with the same class of error */
    assert_int_equal(d->mem_read(fx->probe, 0, SRAM, 32, buf, sizeof buf), ESPCTL_E_NO_DEVICE);
    uint32_t v;
    assert_int_equal(d->dp_read(fx->probe, 0, &v), ESPCTL_E_NO_DEVICE);
    stop(fx);
}

static void test_silent_server_times_out(void **state)
{
    (void)state;
    static const char *const config[] = {"stlink.timeout_ms", "200", NULL};
    struct fixture *fx = start_with_config(NULL, config);
    const struct espctl_probe_driver *d = fx->pl.driver;
    open_and_power_up(fx);
    assert_int_equal(kill(fx->sim.pid, SIGSTOP), 0);
    uint8_t buf[16];
    int rc = d->mem_read(fx->probe, 0, SRAM, 32, buf, sizeof buf);
    kill(fx->sim.pid, SIGCONT);
    assert_int_equal(rc, ESPCTL_E_TIMEOUT);
    assert_non_null(strstr(fx->pl.fh.last_error, "no reply within 200 ms"));
    /* the stream is out of step now: the probe refuses further use */
    assert_int_equal(d->mem_read(fx->probe, 0, SRAM, 32, buf, sizeof buf), ESPCTL_E_NO_DEVICE);
    stop(fx);
}

static void test_open_errors(void **state)
{
    (void)state;
    struct fixture *fx = start(NULL);
    const struct espctl_probe_driver *d = fx->pl.driver;
    void *probe = NULL;
    assert_int_equal(d->open(d->driver_data, "stlink-tcp:", &probe), ESPCTL_E_INVAL);
    assert_int_equal(d->open(d->driver_data, "nonsense", &probe), ESPCTL_E_INVAL);
    sim_child_stop(&fx->sim, 2000);
    /* nobody listening any more */
    assert_int_equal(d->open(d->driver_data, fx->sim.selector, &probe), ESPCTL_E_NO_DEVICE);
    assert_null(probe);
    assert_non_null(strstr(fx->pl.fh.last_error, "127.0.0.1"));
    stop(fx);
}

static void test_v3_identity(void **state)
{
    (void)state;
    const char *args[] = {"--identity", "v3j7", NULL};
    struct fixture *fx = start(args);
    const struct espctl_probe_driver *d = fx->pl.driver;
    open_and_power_up(fx);
    uint32_t khz = 0;
    assert_int_equal(d->set_speed(fx->probe, 4000, &khz), 0);
    assert_int_equal(khz, 3300);
    uint8_t out[600], in[600];
    fill(out, sizeof out, 7);
    assert_int_equal(d->mem_write(fx->probe, 0, SRAM + 0x3F1, 8, out, 515), 0);
    assert_int_equal(d->mem_read(fx->probe, 0, SRAM + 0x3F1, 8, in, 515), 0);
    assert_memory_equal(out, in, 515);
    stop(fx);
}

static void test_exports_only_entry(void **state)
{
    (void)state;
    void *dl = dlopen(PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
    assert_non_null(dl);
    assert_non_null(dlsym(dl, "espctl_plugin_entry_v1"));
    static const char *const internals[] = {"stlink_mem_read", "stlink_cmd_status", "stlink_tcp_open",
                                            "stlink_usb_enumerate", "stlink_usb_ids"};
    for (size_t i = 0; i < sizeof internals / sizeof internals[0]; i++)
        assert_null(dlsym(dl, internals[i]));
    dlclose(dl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity_and_cpuid),
        cmocka_unit_test(test_sram_all_widths),
        cmocka_unit_test(test_wait_storm),
        cmocka_unit_test(test_fault_reply),
        cmocka_unit_test(test_dropped_connection),
        cmocka_unit_test(test_silent_server_times_out),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_v3_identity),
        cmocka_unit_test(test_exports_only_entry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
