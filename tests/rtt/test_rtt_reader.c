/* The cortexm RTT reader against a fake RAM: finding and validating the control block,
 * ring wraparound, RdOff/WrOff ownership, the attach retry and the all-stop bracket. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fake_mem.h"
#include "rtt.h"
#include "rtt_session.h"

#define BLOCK (FM_RAM_BASE + 0x100u)

static int setup(void **state)
{
    struct fake_mem *fm = malloc(sizeof *fm);
    if (!fm)
        return -1;
    fm_init(fm);
    *state = fm;
    return 0;
}

static int teardown(void **state)
{
    free(*state);
    return 0;
}

static void rtt_for(struct fake_mem *fm, struct cm_rtt *r)
{
    cm_rtt_init(r, &fm->host, &fm->mem, fm->regions, 2);
}

/* Everything but [keep, keep+4) of the RAM equals `before`. */
static void only_word_changed(const uint8_t *before, const struct fake_mem *fm, uint32_t keep)
{
    for (uint32_t i = 0; i < FM_RAM_SIZE; i++) {
        if (i >= keep - FM_RAM_BASE && i < keep - FM_RAM_BASE + 4)
            continue;
        if (before[i] != fm->ram[i])
            fail_msg("RAM byte 0x%08x changed", FM_RAM_BASE + i);
    }
}

static void test_scan_finds_only_ram(void **state)
{
    struct fake_mem *fm = *state;
    fm_make_block(fm, BLOCK, 64, 16);
    struct cm_rtt r;
    rtt_for(fm, &r);
    assert_int_equal(r.ram_count, 1); /* the flash region is not scanned */
    uint32_t at = 0;
    assert_int_equal(cm_rtt_scan(&r, &at), 0);
    assert_int_equal(at, BLOCK);
}

static void test_scan_across_chunk_boundary(void **state)
{
    struct fake_mem *fm = *state;
    uint32_t block = FM_RAM_BASE + CM_RTT_SCAN_CHUNK - 7u;
    fm_make_block(fm, block, 64, 16);
    struct cm_rtt r;
    rtt_for(fm, &r);
    uint32_t at = 0;
    assert_int_equal(cm_rtt_scan(&r, &at), 0);
    assert_int_equal(at, block);
}

static void test_scan_absent_and_duplicate(void **state)
{
    struct fake_mem *fm = *state;
    struct cm_rtt r;
    rtt_for(fm, &r);
    uint32_t at = 0;
    assert_int_equal(cm_rtt_scan(&r, &at), ESPCTL_E_NOT_FOUND);
    assert_non_null(strstr(fm->last_error, "no \"SEGGER RTT\" control block"));
    fm_make_block(fm, BLOCK, 64, 16);
    fm_make_block(fm, BLOCK + 0x1000u, 64, 16);
    assert_int_equal(cm_rtt_scan(&r, &at), ESPCTL_E_TARGET);
    assert_non_null(strstr(fm->last_error, "0x20000100 and 0x20001100"));
}

static void test_read_simple_updates_only_rdoff(void **state)
{
    struct fake_mem *fm = *state;
    fm_make_block(fm, BLOCK, 64, 16);
    struct cm_rtt r;
    rtt_for(fm, &r);
    assert_int_equal(cm_rtt_attach(&r, BLOCK, 0), 0);
    assert_int_equal(fm_produce(fm, BLOCK, (const uint8_t *)"hello 1\n", 8), 8);
    uint8_t before[FM_RAM_SIZE];
    memcpy(before, fm->ram, sizeof before);
    uint8_t buf[128];
    uint32_t got = 0;
    assert_int_equal(cm_rtt_read(&r, buf, sizeof buf, &got), 0);
    assert_int_equal(got, 8);
    assert_memory_equal(buf, "hello 1\n", 8);
    assert_int_equal(fm_get32(fm, fm_desc(BLOCK, 0) + 16), 8);
    only_word_changed(before, fm, fm_desc(BLOCK, 0) + 16);
    /* empty now: nothing read, nothing written */
    unsigned writes = fm->writes;
    assert_int_equal(cm_rtt_read(&r, buf, sizeof buf, &got), 0);
    assert_int_equal(got, 0);
    assert_int_equal(fm->writes, writes);
    cm_rtt_fini(&r);
}

static void test_read_wraparound_and_capacity(void **state)
{
    struct fake_mem *fm = *state;
    fm_make_block(fm, BLOCK, 16, 16);
    struct cm_rtt r;
    rtt_for(fm, &r);
    uint32_t d = fm_desc(BLOCK, 0);
    fm_put32(fm, d + 12, 13);
    fm_put32(fm, d + 16, 13);
    assert_int_equal(cm_rtt_attach(&r, BLOCK, 0), 0);
    const uint8_t data[] = "ABCDEFGHIJ"; /* 10 bytes: 3 at the end, 7 from 0 */
    assert_int_equal(fm_produce(fm, BLOCK, data, 10), 10);
    assert_int_equal(fm_get32(fm, d + 12), 7);
    uint8_t buf[16];
    uint32_t got = 0;
    assert_int_equal(cm_rtt_read(&r, buf, 5, &got), 0); /* capacity cuts inside the wrap */
    assert_int_equal(got, 5);
    assert_memory_equal(buf, "ABCDE", 5);
    assert_int_equal(fm_get32(fm, d + 16), 2);
    assert_int_equal(cm_rtt_read(&r, buf, sizeof buf, &got), 0);
    assert_int_equal(got, 5);
    assert_memory_equal(buf, "FGHIJ", 5);
    assert_int_equal(fm_get32(fm, d + 16), 7);
    /* a full ring (15 of 16 bytes) ending exactly at the buffer end */
    fm_put32(fm, d + 12, 0);
    fm_put32(fm, d + 16, 0);
    assert_int_equal(cm_rtt_attach(&r, BLOCK, 0), 0);
    const uint8_t full[] = "0123456789abcdefXYZ";
    assert_int_equal(fm_produce(fm, BLOCK, full, 19), 15);
    assert_int_equal(cm_rtt_read(&r, buf, sizeof buf, &got), 0);
    assert_int_equal(got, 15);
    assert_memory_equal(buf, "0123456789abcde", 15);
    assert_int_equal(fm_get32(fm, d + 16), 15);
    assert_int_equal(fm_produce(fm, BLOCK, (const uint8_t *)"fg", 2), 2);
    assert_int_equal(cm_rtt_read(&r, buf, sizeof buf, &got), 0);
    assert_int_equal(got, 2);
    assert_memory_equal(buf, "fg", 2);
    assert_int_equal(fm_get32(fm, d + 16), 1);
    cm_rtt_fini(&r);
}

static void test_read_follows_target_rdoff_change(void **state)
{
    struct fake_mem *fm = *state;
    fm_make_block(fm, BLOCK, 32, 16);
    struct cm_rtt r;
    rtt_for(fm, &r);
    assert_int_equal(cm_rtt_attach(&r, BLOCK, 0), 0);
    uint32_t d = fm_desc(BLOCK, 0);
    fm_put32(fm, d + 12, 10); /* the firmware re-initialised the ring at 5..10 */
    fm_put32(fm, d + 16, 5);
    memcpy(fm->ram + (fm_get32(fm, d + 4) - FM_RAM_BASE) + 5, "vwxyz", 5);
    uint8_t buf[32];
    uint32_t got = 0;
    assert_int_equal(cm_rtt_read(&r, buf, sizeof buf, &got), 0);
    assert_int_equal(got, 5);
    assert_memory_equal(buf, "vwxyz", 5);
    assert_int_equal(r.resyncs, 1);
    cm_rtt_fini(&r);
}

static void test_write_down_space_rules(void **state)
{
    struct fake_mem *fm = *state;
    fm_make_block(fm, BLOCK, 64, 8);
    struct cm_rtt r;
    rtt_for(fm, &r);
    assert_int_equal(cm_rtt_attach(&r, BLOCK, 0), 0);
    uint32_t d = fm_desc(BLOCK, 1);
    uint32_t buf = fm_get32(fm, d + 4);
    uint8_t before[FM_RAM_SIZE];
    memcpy(before, fm->ram, sizeof before);
    uint32_t n = 0;
    /* RdOff == 0: size - 1 bytes fit */
    assert_int_equal(cm_rtt_write(&r, (const uint8_t *)"abcdefghij", 10, &n), 0);
    assert_int_equal(n, 7);
    assert_int_equal(fm_get32(fm, d + 12), 7);
    assert_int_equal(fm_get32(fm, d + 16), 0); /* the host never writes RdOff */
    assert_memory_equal(fm->ram + (buf - FM_RAM_BASE), "abcdefg", 7);
    for (uint32_t i = 0; i < FM_RAM_SIZE; i++) {
        uint32_t a = FM_RAM_BASE + i;
        if ((a >= buf && a < buf + 7) || (a >= d + 12 && a < d + 16))
            continue;
        assert_int_equal(before[i], fm->ram[i]);
    }
    /* full */
    assert_int_equal(cm_rtt_write(&r, (const uint8_t *)"z", 1, &n), 0);
    assert_int_equal(n, 0);
    /* the firmware consumed 5: 1 byte at the end, then 4 from 0 (one stays free) */
    fm_put32(fm, d + 16, 5);
    assert_int_equal(cm_rtt_write(&r, (const uint8_t *)"KLMNOP", 6, &n), 0);
    assert_int_equal(n, 5);
    assert_int_equal(fm_get32(fm, d + 12), 4);
    assert_int_equal(fm->ram[buf - FM_RAM_BASE + 7], 'K');
    assert_memory_equal(fm->ram + (buf - FM_RAM_BASE), "LMNO", 4);
    cm_rtt_fini(&r);
}

static void test_write_without_down_channel(void **state)
{
    struct fake_mem *fm = *state;
    fm_make_block(fm, BLOCK, 64, 8);
    fm_put32(fm, BLOCK + 20, 0); /* MaxNumDownBuffers = 0 */
    struct cm_rtt r;
    rtt_for(fm, &r);
    assert_int_equal(cm_rtt_attach(&r, BLOCK, 0), 0);
    uint32_t n;
    assert_int_equal(cm_rtt_write(&r, (const uint8_t *)"x", 1, &n), ESPCTL_E_NOT_SUPPORTED);
    assert_non_null(strstr(fm->last_error, "no down channel 0"));
    cm_rtt_fini(&r);
}

static void test_read_busy_ring_in_one_request(void **state)
{
    struct fake_mem *fm = *state;
    fm_make_block(fm, BLOCK, 64, 16);
    struct cm_rtt r;
    rtt_for(fm, &r);
    assert_int_equal(cm_rtt_attach(&r, BLOCK, 0), 0);
    assert_non_null(r.span); /* the ring follows the descriptors */
    uint8_t data[200], buf[64];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 13u + 1u);
    uint32_t sent = 0, seen = 0, got = 0;
    for (int round = 0; round < 8; round++) {
        sent += fm_produce(fm, BLOCK, data + sent, 40);
        unsigned reads = fm->reads;
        assert_int_equal(cm_rtt_read(&r, buf, sizeof buf, &got), 0);
        assert_int_equal(got, 40);
        assert_memory_equal(buf, data + seen, got);
        seen += got;
        /* after a busy poll: one request for offsets and ring together */
        assert_int_equal(fm->reads - reads, round == 0 ? 2u : 1u);
        if (sent + 40 > sizeof data)
            break;
    }
    assert_true(r.span_reads >= 4);
    /* idle: back to the small offsets read */
    assert_int_equal(cm_rtt_read(&r, buf, sizeof buf, &got), 0);
    assert_int_equal(got, 0);
    unsigned reads = fm->reads;
    assert_int_equal(cm_rtt_read(&r, buf, sizeof buf, &got), 0);
    assert_int_equal(fm->reads - reads, 1u);
    cm_rtt_fini(&r);
    /* a ring far from its descriptor is never read with it */
    fm_make_block(fm, BLOCK, 64, 16);
    fm_put32(fm, fm_desc(BLOCK, 0) + 4, FM_RAM_BASE + 0x2000u);
    assert_int_equal(cm_rtt_attach(&r, BLOCK, 0), 0);
    assert_null(r.span);
    cm_rtt_fini(&r);
}

/* A corruption applied to a good block, the error it must give and a word of its text. */
struct corruption {
    uint32_t offset; /* from the block */
    uint32_t value;
    int code;
    const char *text;
};

static void test_validation(void **state)
{
    struct fake_mem *fm = *state;
    const struct corruption cases[] = {
        {16, 1000, ESPCTL_E_TARGET, "MaxNumUpBuffers = 1000"},
        {20, 0xFFFFFFFFu, ESPCTL_E_TARGET, "MaxNumDownBuffers = 4294967295"},
        {24 + 4, 0x08000000u, ESPCTL_E_TARGET, "pBuffer = 0x08000000"},
        {24 + 4, 0x30000000u, ESPCTL_E_TARGET, "outside RAM"},
        {24 + 8, FM_RAM_SIZE, ESPCTL_E_TARGET, "SizeOfBuffer = 16384"},
        {24 + 8, 0, ESPCTL_E_TARGET, "SizeOfBuffer = 0"},
        {24 + 12, 64, ESPCTL_E_TARGET, "WrOff = 64"},
        {24 + 16, 99, ESPCTL_E_TARGET, "RdOff = 99"},
        {48 + 4, 0xE0000000u, ESPCTL_E_TARGET, "down channel 0 buffer pBuffer = 0xe0000000"},
        {48 + 12, 16, ESPCTL_E_TARGET, "down channel 0 WrOff = 16"},
        {24 + 4, 0, ESPCTL_E_INVAL, "not configured"},
        {0, 0x47474747u, ESPCTL_E_NOT_FOUND, "id is not there"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fm_make_block(fm, BLOCK, 64, 16);
        fm_put32(fm, BLOCK + cases[i].offset, cases[i].value);
        struct cm_rtt r;
        rtt_for(fm, &r);
        fm->last_error[0] = '\0';
        int rc = cm_rtt_attach(&r, BLOCK, 0);
        if (rc != cases[i].code || !strstr(fm->last_error, cases[i].text))
            fail_msg("case %zu: got %d '%s', want %d '%s'", i, rc, fm->last_error, cases[i].code,
                     cases[i].text);
    }
    /* a block address outside RAM, a channel the block does not have */
    fm_make_block(fm, BLOCK, 64, 16);
    struct cm_rtt r;
    rtt_for(fm, &r);
    assert_int_equal(cm_rtt_attach(&r, 0x08000000u, 0), ESPCTL_E_TARGET);
    assert_non_null(strstr(fm->last_error, "not in the chip's RAM"));
    assert_int_equal(cm_rtt_attach(&r, FM_RAM_BASE + FM_RAM_SIZE - 8u, 0), ESPCTL_E_TARGET);
    uint32_t late = FM_RAM_BASE + FM_RAM_SIZE - 200u; /* 20 up channels do not fit there */
    fm_make_block(fm, late, 16, 16);
    fm_put32(fm, late + 16, 20);
    assert_int_equal(cm_rtt_attach(&r, late, 0), ESPCTL_E_TARGET);
    assert_non_null(strstr(fm->last_error, "MaxNumUpBuffers = 20 and MaxNumDownBuffers = 1 make it run past"));
    assert_int_equal(cm_rtt_attach(&r, BLOCK, 3), ESPCTL_E_INVAL);
    assert_non_null(strstr(fm->last_error, "channel 3 does not exist"));
    /* offsets corrupted after attach: the next read names them */
    assert_int_equal(cm_rtt_attach(&r, BLOCK, 0), 0);
    fm_put32(fm, fm_desc(BLOCK, 0) + 12, 0x7FFFFFFFu);
    uint8_t buf[8];
    uint32_t got = 0;
    assert_int_equal(cm_rtt_read(&r, buf, sizeof buf, &got), ESPCTL_E_TARGET);
    assert_non_null(strstr(fm->last_error, "WrOff = 2147483647"));
    assert_int_equal(got, 0);
    cm_rtt_fini(&r);
}

static struct espctl_monitor_params params(uint64_t address, uint32_t timeout_ms)
{
    return (struct espctl_monitor_params){.hdr = ESPCTL_ABI_HDR(struct espctl_monitor_params),
                                          .mode = ESPCTL_MONITOR_RTT,
                                          .rtt_address = address,
                                          .rtt_timeout_ms = timeout_ms};
}

static struct cm_rtt_env env_for(struct fake_mem *fm)
{
    return (struct cm_rtt_env){.host = &fm->host, .mem = &fm->mem, .chip = &fm->chip,
                               .drv = &fm->drv, .probe = fm};
}

static void test_monitor_absent_times_out(void **state)
{
    struct fake_mem *fm = *state;
    struct cm_rtt_env env = env_for(fm);
    struct espctl_monitor_params p = params(0, 500);
    struct cm_rtt_monitor *m = NULL;
    uint64_t t0 = fm->now_us;
    assert_int_equal(cm_rtt_monitor_open(&m, &env, &p), ESPCTL_E_TIMEOUT);
    assert_null(m);
    assert_true(fm->now_us - t0 >= 500000u);
    assert_true(fm->now_us - t0 < 600000u);
    assert_non_null(strstr(fm->last_error, "within 500 ms"));
}

static void appear_after_polls(struct fake_mem *fm)
{
    if (--fm->hook_arg == 0)
        fm_make_block(fm, BLOCK, 64, 16);
}

static void test_monitor_block_appears_late(void **state)
{
    struct fake_mem *fm = *state;
    fm->hook = appear_after_polls;
    fm->hook_arg = 5;
    struct cm_rtt_env env = env_for(fm);
    struct espctl_monitor_params p = params(BLOCK, 2000);
    struct cm_rtt_monitor *m = NULL;
    assert_int_equal(cm_rtt_monitor_open(&m, &env, &p), 0);
    fm->hook = NULL;
    uint8_t buf[64];
    uint32_t got = 9;
    uint64_t t0 = fm->now_us;
    assert_int_equal(cm_rtt_monitor_read(m, buf, sizeof buf, &got, 200), 0);
    assert_int_equal(got, 0); /* idle: waits the whole timeout, backing off */
    assert_true(fm->now_us - t0 >= 200000u);
    fm_produce(fm, BLOCK, (const uint8_t *)"ping\n", 5);
    assert_int_equal(cm_rtt_monitor_read(m, buf, sizeof buf, &got, 200), 0);
    assert_int_equal(got, 5);
    assert_int_equal(cm_rtt_monitor_write(m, (const uint8_t *)"0123456789abcdefghij", 20),
                     ESPCTL_E_TIMEOUT); /* 15 fit, the firmware never reads the rest */
    assert_non_null(strstr(fm->last_error, "15 of 20 bytes sent"));
    cm_rtt_monitor_close(m);
}

static void test_monitor_all_stop_brackets(void **state)
{
    struct fake_mem *fm = *state;
    fm->all_stop = 1;
    fm->halted = 1; /* the session attached with the core halted */
    fm_make_block(fm, BLOCK, 64, 16);
    struct cm_rtt_env env = env_for(fm);
    struct espctl_monitor_params p = params(0, 100);
    struct cm_rtt_monitor *m = NULL;
    assert_int_equal(cm_rtt_monitor_open(&m, &env, &p), 0);
    assert_int_equal(fm->halted, 0); /* the firmware runs after open */
    fm_produce(fm, BLOCK, (const uint8_t *)"abc", 3);
    uint8_t buf[16];
    uint32_t got = 0;
    unsigned halts = fm->halts;
    assert_int_equal(cm_rtt_monitor_read(m, buf, sizeof buf, &got, 100), 0);
    assert_int_equal(got, 3);
    assert_int_equal(fm->halts, halts + 1); /* one halt for the whole poll */
    assert_int_equal(fm->halted, 0);
    assert_int_equal(cm_rtt_monitor_write(m, (const uint8_t *)"hi", 2), 0);
    assert_int_equal(fm->running_accesses, 0);
    assert_int_equal(fm->halted, 0);
    cm_rtt_monitor_close(m);
}

static void test_monitor_rejects_uart(void **state)
{
    struct fake_mem *fm = *state;
    struct cm_rtt_env env = env_for(fm);
    struct espctl_monitor_params p = params(0, 100);
    p.mode = ESPCTL_MONITOR_UART;
    struct cm_rtt_monitor *m = NULL;
    assert_int_equal(cm_rtt_monitor_open(&m, &env, &p), ESPCTL_E_NOT_SUPPORTED);
    assert_non_null(strstr(fm->last_error, "RTT only"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_scan_finds_only_ram, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_across_chunk_boundary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan_absent_and_duplicate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_simple_updates_only_rdoff, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_wraparound_and_capacity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_follows_target_rdoff_change, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_down_space_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_without_down_channel, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_busy_ring_in_one_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_monitor_absent_times_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_monitor_block_appears_late, setup, teardown),
        cmocka_unit_test_setup_teardown(test_monitor_all_stop_brackets, setup, teardown),
        cmocka_unit_test_setup_teardown(test_monitor_rejects_uart, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
