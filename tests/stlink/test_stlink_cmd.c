/* Unit tests of the stlink command layer against the in-test fake ST-Link
 * (fake_stlink.c): version gates, mode switch, speed, voltage, DAP registers,
 * memory splitting, WAIT retry and FAULT recovery, selector parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "fake_host.h"
#include "fake_stlink.h"
#include "stlink_probe.h"
#include "stlink_selector.h"

#include <stdlib.h>
#include <string.h>

struct fixture {
    struct fake_host fh;
    struct fake_stlink fake;
    struct stlink_env env;
    struct stlink_probe *p;
};

static struct fixture *make(unsigned v, unsigned j, const char *const *config)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    fake_host_init(&fx->fh, config);
    fake_stlink_init(&fx->fake, v, j, 7);
    stlink_env_init(&fx->env, &fx->fh.host);
    return fx;
}

static void destroy(struct fixture *fx)
{
    if (fx->p)
        stlink_probe_free(fx->p);
    free(fx);
}

static int setup_v2j37(void **state)
{
    struct fixture *fx = make(2, 37, NULL);
    assert_int_equal(stlink_probe_new(&fx->p, &fx->env, &fx->fake.base), 0);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    destroy(*state);
    return 0;
}

static void test_version_v2_features(void **state)
{
    struct fixture *fx = *state;
    assert_string_equal(fx->p->firmware, "V2J37S7");
    assert_int_equal(fx->p->jtag_ver, 37);
    uint32_t want = STLINK_F_VOLTAGE | STLINK_F_RW_STATUS2 | STLINK_F_SWD_FREQ | STLINK_F_DAP_REG |
                    STLINK_F_MEM16 | STLINK_F_INIT_AP | STLINK_F_DPBANK | STLINK_F_CSW;
    assert_int_equal(fx->p->features, want);
    assert_int_equal(stlink_mem_chunk_limit(fx->p, 8), 64);
    /* J32+ rewrites TAR inside memory commands: the 6144-byte buffer is the only limit */
    assert_true(stlink_firmware_sets_tar(fx->p));
    assert_int_equal(stlink_mem_chunk_limit(fx->p, 32), 6144);
}

static void test_old_firmware_splits_at_tar_block(void **state)
{
    (void)state;
    struct fixture *fx = make(2, 28, NULL);
    assert_int_equal(stlink_probe_new(&fx->p, &fx->env, &fx->fake.base), 0);
    assert_false(stlink_firmware_sets_tar(fx->p));
    assert_int_equal(stlink_mem_chunk_limit(fx->p, 32), 1024);
    destroy(fx);
}

static void test_version_v3_uses_getversion_ex(void **state)
{
    (void)state;
    struct fixture *fx = make(3, 7, NULL);
    assert_int_equal(stlink_probe_new(&fx->p, &fx->env, &fx->fake.base), 0);
    assert_int_equal(fake_count(&fx->fake, 0xFB, -1), 1);
    assert_string_equal(fx->p->firmware, "V3J7M0");
    assert_true(fx->p->features & STLINK_F_COM_FREQ);
    assert_int_equal(stlink_mem_chunk_limit(fx->p, 8), 512);
    uint32_t khz = 0;
    assert_int_equal(stlink_set_speed(fx->p, 10000, &khz), 0);
    assert_int_equal(khz, 8000);
    destroy(fx);
}

static void test_old_firmware_rejected(void **state)
{
    (void)state;
    struct fixture *fx = make(2, 23, NULL);
    assert_int_equal(stlink_probe_new(&fx->p, &fx->env, &fx->fake.base), ESPCTL_E_NOT_SUPPORTED);
    assert_non_null(strstr(fx->fh.last_error, "V2J23S7"));
    assert_non_null(strstr(fx->fh.last_error, "J24"));
    assert_true(fx->fake.destroyed);
    fx->p = NULL;
    destroy(fx);
}

static void test_connect_leaves_dfu_and_enters_swd(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(stlink_connect(fx->p, 0), 0);
    assert_int_equal(fake_count(&fx->fake, 0xF3, 0x07), 1); /* DFU exit */
    assert_int_equal(fake_count(&fx->fake, 0xF2, 0x30), 1); /* enter SWD */
    assert_int_equal(fx->fake.mode, 2);
    /* default 1800 kHz -> divisor 1 */
    int found = 0;
    for (int i = 0; i < fx->fake.log_count; i++)
        if (fx->fake.log[i].cdb[0] == 0xF2 && fx->fake.log[i].cdb[1] == 0x43) {
            assert_int_equal(fx->fake.log[i].cdb[2], 1);
            found = 1;
        }
    assert_true(found);
    assert_int_equal(fx->p->speed_khz, 1800);
    assert_int_equal(stlink_disconnect(fx->p), 0);
    assert_int_equal(fake_count(&fx->fake, 0xF2, 0x21), 1);
}

static void test_speed_and_voltage(void **state)
{
    struct fixture *fx = *state;
    uint32_t khz = 0, mv = 0;
    assert_int_equal(stlink_set_speed(fx->p, 1000, &khz), 0);
    assert_int_equal(khz, 950);
    assert_int_equal(stlink_set_speed(fx->p, 1, &khz), 0);
    assert_int_equal(khz, 5);
    assert_int_equal(stlink_target_voltage(fx->p, &mv), 0);
    assert_int_equal(mv, 3300);
}

static void test_dap_registers(void **state)
{
    struct fixture *fx = *state;
    uint32_t v = 0;
    assert_int_equal(stlink_dp_write(fx->p, 0x4, 0x50000001), 0);
    /* CORUNDETECT is stripped, acks mirrored by the fake */
    assert_int_equal(stlink_dp_read(fx->p, 0x4, &v), 0);
    assert_int_equal(v, 0xF0000000);
    assert_int_equal(stlink_ap_write(fx->p, 0, 0x00, 0xA2000022), 0);
    assert_int_equal(fx->fake.ap_regs[0], 0xA2000012); /* packed -> single increment */
    assert_int_equal(fake_count(&fx->fake, 0xF2, 0x4B), 1); /* INIT_AP once */
    assert_int_equal(stlink_ap_read(fx->p, 0, 0x04, &v), 0);
    assert_int_equal(fake_count(&fx->fake, 0xF2, 0x4B), 1);
    assert_int_equal(stlink_dp_read(fx->p, 0x3, &v), ESPCTL_E_INVAL);
    assert_int_equal(stlink_ap_read(fx->p, 256, 0, &v), ESPCTL_E_INVAL);
}

/* Every memory command stays within the limits; with `tar_block` non-zero, also inside
 * one TAR block of that size. */
static void check_split(struct fake_stlink *f, uint32_t limit8, uint32_t limit, uint32_t tar_block)
{
    for (int i = 0; i < f->log_count; i++) {
        const uint8_t *c = f->log[i].cdb;
        if (c[0] != 0xF2)
            continue;
        uint8_t op = c[1];
        if (op != 0x07 && op != 0x08 && op != 0x0C && op != 0x0D && op != 0x47 && op != 0x48)
            continue;
        uint32_t addr = (uint32_t)c[2] | (uint32_t)c[3] << 8 | (uint32_t)c[4] << 16 | (uint32_t)c[5] << 24;
        uint32_t n = (uint32_t)(c[6] | c[7] << 8);
        assert_true(n > 0);
        assert_true(n <= limit);
        if (op == 0x0C || op == 0x0D)
            assert_true(n <= limit8);
        if (tar_block)
            assert_int_equal(addr / tar_block, (addr + n - 1) / tar_block);
    }
}

/* Round trips of odd sizes and alignments; returns the number of memory commands. */
static int split_roundtrips(struct fixture *fx, uint32_t limit, uint32_t tar_block)
{
    static const struct { uint32_t width, addr, len; } cases[] = {
        {8, FAKE_RAM_BASE + 0x3FD, 1027},
        {8, FAKE_RAM_BASE + 0x101, 1},
        {16, FAKE_RAM_BASE + 0x3FE, 2050},
        {32, FAKE_RAM_BASE + 0x3F4, 3084},
        {32, FAKE_RAM_BASE + 0x1000, 4},
        {32, FAKE_RAM_BASE + 0x10, 7000},
    };
    int commands = 0;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        static uint8_t out[8192], in[8192];
        for (uint32_t i = 0; i < cases[k].len; i++)
            out[i] = (uint8_t)(i * 7 + k);
        memset(in, 0xEE, sizeof in);
        fx->fake.log_count = 0;
        assert_int_equal(stlink_mem_write(fx->p, 0, cases[k].addr, cases[k].width, out, cases[k].len), 0);
        assert_int_equal(stlink_mem_read(fx->p, 0, cases[k].addr, cases[k].width, in, cases[k].len), 0);
        assert_memory_equal(out, in, cases[k].len);
        assert_memory_equal(fx->fake.ram + (cases[k].addr - FAKE_RAM_BASE), out, cases[k].len);
        check_split(&fx->fake, 64, limit, tar_block);
        commands += fake_count(&fx->fake, 0xF2, -1);
    }
    return commands;
}

static void test_memory_split_roundtrip(void **state)
{
    struct fixture *fx = *state;
    /* V2J37 rewrites TAR itself: 32-bit commands span 1 KiB lines up to 6144 bytes */
    fx->fake.log_count = 0;
    uint8_t big[7000] = {0};
    assert_int_equal(stlink_mem_read(fx->p, 0, FAKE_RAM_BASE + 0x10, 32, big, sizeof big), 0);
    assert_int_equal(fake_count(&fx->fake, 0xF2, 0x07), 2);
    int spanning = split_roundtrips(fx, 6144, 0);
    /* firmware before J32 does not: every command stays inside one 1 KiB block */
    struct fixture *old = make(2, 28, NULL);
    assert_int_equal(stlink_probe_new(&old->p, &old->env, &old->fake.base), 0);
    int split = split_roundtrips(old, 1024, 1024);
    assert_true(split > spanning);
    destroy(old);
    /* a 1-byte read asks the probe for 2 bytes */
    fx->fake.log_count = 0;
    uint8_t b;
    assert_int_equal(stlink_mem_read(fx->p, 0, FAKE_RAM_BASE + 3, 8, &b, 1), 0);
    assert_int_equal(fx->fake.log[0].len, 2);
    /* misaligned requests are refused before anything is sent */
    fx->fake.log_count = 0;
    uint8_t small[4];
    assert_int_equal(stlink_mem_read(fx->p, 0, FAKE_RAM_BASE + 2, 32, small, 4), ESPCTL_E_INVAL);
    assert_int_equal(stlink_mem_read(fx->p, 0, FAKE_RAM_BASE, 16, small, 3), ESPCTL_E_INVAL);
    assert_int_equal(fx->fake.log_count, 0);
}

static void test_wait_is_retried_bounded(void **state)
{
    struct fixture *fx = *state;
    uint8_t buf[16] = {1, 2, 3, 4};
    fx->fake.wait_left = 3;
    assert_int_equal(stlink_mem_write(fx->p, 0, FAKE_RAM_BASE, 32, buf, 16), 0);
    assert_int_equal(fake_count(&fx->fake, 0xF2, 0x08), 4);
    fx->fake.wait_left = 3;
    uint32_t v;
    assert_int_equal(stlink_dp_read(fx->p, 0x4, &v), 0);
    /* a WAIT storm ends with a timeout after a bounded number of attempts */
    fx->fake.wait_left = -1;
    fx->fake.log_count = 0;
    fx->fh.slept_us = 0;
    assert_int_equal(stlink_mem_read(fx->p, 0, FAKE_RAM_BASE, 32, buf, 16), ESPCTL_E_TIMEOUT);
    assert_int_equal(fake_count(&fx->fake, 0xF2, 0x07), STLINK_WAIT_RETRIES + 1);
    assert_non_null(strstr(fx->fh.last_error, "0x20000000"));
    assert_true(fx->fh.slept_us < 1000000);
    fx->fake.log_count = 0;
    assert_int_equal(stlink_dp_read(fx->p, 0x4, &v), ESPCTL_E_TIMEOUT);
    assert_int_equal(fake_count(&fx->fake, 0xF2, 0x45), STLINK_WAIT_RETRIES + 1);
}

static void test_fault_clears_sticky_and_names_address(void **state)
{
    struct fixture *fx = *state;
    uint8_t buf[64] = {0};
    fx->fake.fault_lo = FAKE_RAM_BASE + 0x410;
    fx->fake.fault_hi = FAKE_RAM_BASE + 0x420;
    fx->fake.fault_status = 0x11;
    int rc = stlink_mem_write(fx->p, 0, FAKE_RAM_BASE + 0x400, 32, buf, 64);
    assert_int_equal(rc, ESPCTL_E_TARGET);
    assert_non_null(strstr(fx->fh.last_error, "0x20000410"));
    assert_non_null(strstr(fx->fh.last_error, "SWD_AP_FAULT"));
    /* ABORT = 0x1E written to DP register 0 */
    assert_int_equal(fx->fake.dp[0], 0x1E);
    /* the probe stays usable */
    fx->fake.fault_hi = 0;
    assert_int_equal(stlink_mem_write(fx->p, 0, FAKE_RAM_BASE + 0x400, 32, buf, 64), 0);
}

static void test_tar_block_config(void **state)
{
    (void)state;
    static const char *const cfg[] = {"stlink.tar_block", "4096", "stlink.speed_khz", "480", NULL};
    struct fixture *fx = make(2, 37, cfg);
    assert_int_equal(fx->env.tar_block, 4096);
    assert_int_equal(fx->env.speed_khz, 480);
    assert_int_equal(stlink_probe_new(&fx->p, &fx->env, &fx->fake.base), 0);
    assert_int_equal(stlink_mem_chunk_limit(fx->p, 32), 4096);
    /* an api-1 stlink-server caps every transfer at 1 KiB */
    fx->fake.base.max_data = 1024;
    assert_int_equal(stlink_mem_chunk_limit(fx->p, 32), 1024);
    uint8_t big[4096];
    memset(big, 0x33, sizeof big);
    fx->fake.log_count = 0;
    assert_int_equal(stlink_mem_write(fx->p, 0, FAKE_RAM_BASE, 32, big, sizeof big), 0);
    assert_int_equal(fake_count(&fx->fake, 0xF2, 0x08), 4);
    destroy(fx);
    static const char *const bad[] = {"stlink.timeout_ms", "soon", NULL};
    fx = make(2, 37, bad);
    assert_int_equal(fx->env.timeout_ms, STLINK_DEFAULT_TIMEOUT_MS);
    assert_non_null(strstr(fx->fh.last_log, "stlink.timeout_ms"));
    destroy(fx);
}

/* connect picks the TAR block from CPUID: 4 KiB on Cortex-M3/M4, 1 KiB on others or
 * when CPUID faults; a configured stlink.tar_block wins. Firmware before J32 splits there;
 * J32+ rewrites TAR itself, so its commands do not split unless a block was configured. */
static void test_tar_block_from_cpuid(void **state)
{
    (void)state;
    static const struct { unsigned j; uint32_t cpuid; const char *configured; uint32_t block, limit; } cases[] = {
        {28, 0x410FC241u, NULL, 4096, 4096},   /* Cortex-M4 r0p1 */
        {28, 0x412FC231u, NULL, 4096, 4096},   /* Cortex-M3 r2p1 */
        {28, 0x410CC601u, NULL, 1024, 1024},   /* Cortex-M0+ */
        {28, 0x411FC272u, NULL, 1024, 1024},   /* Cortex-M7 */
        {28, 0, NULL, 1024, 1024},             /* CPUID read faults */
        {37, 0x411FC272u, NULL, 1024, 6144},   /* Cortex-M7 behind J37 */
        {37, 0x410FC241u, "1024", 1024, 1024}, /* configuration wins */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const char *cfg[] = {"stlink.tar_block", cases[k].configured, NULL};
        struct fixture *fx = make(2, cases[k].j, cases[k].configured ? cfg : NULL);
        fx->fake.cpuid = cases[k].cpuid;
        assert_int_equal(stlink_probe_new(&fx->p, &fx->env, &fx->fake.base), 0);
        assert_int_equal(stlink_connect(fx->p, 0), 0);
        assert_int_equal(fx->p->env.tar_block, cases[k].block);
        assert_int_equal(stlink_mem_chunk_limit(fx->p, 32), cases[k].limit);
        uint8_t big[4096];
        memset(big, (int)k, sizeof big);
        fx->fake.log_count = 0;
        assert_int_equal(stlink_mem_write(fx->p, 0, FAKE_RAM_BASE, 32, big, sizeof big), 0);
        uint32_t per_command = cases[k].limit < sizeof big ? cases[k].limit : sizeof big;
        assert_int_equal(fake_count(&fx->fake, 0xF2, 0x08), (int)(sizeof big / per_command));
        assert_memory_equal(fx->fake.ram, big, sizeof big);
        destroy(fx);
    }
}

/* A lone aligned word on AP 0 is one READDEBUGREG/WRITEDEBUGREG round trip whose reply
 * carries the status: no GETLASTRWSTATUS follows, and WAIT and FAULT keep their rules. */
static void test_single_word_one_round_trip(void **state)
{
    struct fixture *fx = *state;
    uint8_t word[4] = {0x78, 0x56, 0x34, 0x12}, back[4] = {0};
    fx->fake.log_count = 0;
    assert_int_equal(stlink_mem_write(fx->p, 0, FAKE_RAM_BASE + 0x20, 32, word, 4), 0);
    assert_int_equal(stlink_mem_read(fx->p, 0, FAKE_RAM_BASE + 0x20, 32, back, 4), 0);
    assert_memory_equal(back, word, 4);
    assert_memory_equal(fx->fake.ram + 0x20, word, 4);
    assert_int_equal(fake_count(&fx->fake, 0xF2, 0x35), 1);
    assert_int_equal(fake_count(&fx->fake, 0xF2, 0x36), 1);
    assert_int_equal(fake_count(&fx->fake, 0xF2, 0x3E) + fake_count(&fx->fake, 0xF2, 0x3B), 0);
    fx->fake.wait_left = 2;
    assert_int_equal(stlink_mem_read(fx->p, 0, FAKE_RAM_BASE + 0x20, 32, back, 4), 0);
    assert_memory_equal(back, word, 4);
    fx->fake.fault_lo = FAKE_RAM_BASE + 0x20;
    fx->fake.fault_hi = FAKE_RAM_BASE + 0x24;
    fx->fake.fault_status = 0x11;
    assert_int_equal(stlink_mem_write(fx->p, 0, FAKE_RAM_BASE + 0x20, 32, word, 4), ESPCTL_E_TARGET);
    assert_non_null(strstr(fx->fh.last_error, "0x20000020"));
    assert_int_equal(fx->fake.dp[0], 0x1E);
    fx->fake.wait_left = -1;
    assert_int_equal(stlink_mem_read(fx->p, 0, FAKE_RAM_BASE, 32, back, 4), ESPCTL_E_TIMEOUT);
}

static void test_selectors(void **state)
{
    (void)state;
    struct stlink_selector s;
    assert_int_equal(stlink_selector_parse("stlink-tcp:127.0.0.1", &s), 0);
    assert_true(s.is_tcp);
    assert_string_equal(s.host, "127.0.0.1");
    assert_int_equal(s.port, 7184);
    assert_int_equal(stlink_selector_parse("stlink-tcp:localhost:4242", &s), 0);
    assert_int_equal(s.port, 4242);
    assert_int_equal(stlink_selector_parse("0483:374B:066DFF535254", &s), 0);
    assert_false(s.is_tcp);
    assert_int_equal(s.vid, 0x0483);
    assert_int_equal(s.pid, 0x374b);
    assert_string_equal(s.serial, "066DFF535254");
    assert_int_equal(stlink_selector_parse("0483:3748", &s), 0);
    assert_string_equal(s.serial, "");
    const char *bad[] = {"stlink-tcp:", "stlink-tcp:h:0", "stlink-tcp:h:70000", "stlink-tcp:h:x",
                         "0483", "0483:", "04833:3748", "zz:3748", "0483:3748:", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(stlink_selector_parse(bad[i], &s), ESPCTL_E_INVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_version_v2_features, setup_v2j37, teardown),
        cmocka_unit_test(test_version_v3_uses_getversion_ex),
        cmocka_unit_test(test_old_firmware_rejected),
        cmocka_unit_test_setup_teardown(test_connect_leaves_dfu_and_enters_swd, setup_v2j37, teardown),
        cmocka_unit_test_setup_teardown(test_speed_and_voltage, setup_v2j37, teardown),
        cmocka_unit_test_setup_teardown(test_dap_registers, setup_v2j37, teardown),
        cmocka_unit_test_setup_teardown(test_memory_split_roundtrip, setup_v2j37, teardown),
        cmocka_unit_test_setup_teardown(test_wait_is_retried_bounded, setup_v2j37, teardown),
        cmocka_unit_test_setup_teardown(test_fault_clears_sticky_and_names_address, setup_v2j37, teardown),
        cmocka_unit_test(test_tar_block_config),
        cmocka_unit_test(test_old_firmware_splits_at_tar_block),
        cmocka_unit_test(test_tar_block_from_cpuid),
        cmocka_unit_test_setup_teardown(test_single_word_one_round_trip, setup_v2j37, teardown),
        cmocka_unit_test(test_selectors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
