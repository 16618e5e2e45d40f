/* The cmsisdap protocol layers (commands, transfers, memory, session) against an
 * in-process CMSIS-DAP probe running espctl-sim's DAP interpreter on a simulated
 * STM32G431: connect sequence, DP/AP access with SELECT caching, pipelined memory
 * streams, WAIT retries, FAULT recovery, damaged responses, reset lines. No I/O. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "fake_host.h"
#include "dap_probe.h"
#include "dap_selector.h"
#include "fake_dap.h"

#include <stdlib.h>
#include <string.h>

#define SRAM 0x20000000u

struct fx {
    struct fake_host fh;
    struct dap_env env;
    struct fake_dap fake;
    struct dap_probe *p;
};

static int open_with(void **state, const char *const *config, uint16_t pkt, uint8_t count)
{
    struct fx *fx = calloc(1, sizeof *fx);
    fake_host_init(&fx->fh, config);
    dap_env_init(&fx->env, &fx->fh.host);
    if (fake_dap_init(&fx->fake, &fx->env, pkt, count))
        return -1;
    if (dap_probe_new(&fx->p, &fx->env, &fx->fake.base)) {
        fprintf(stderr, "probe_new: %s\n", fx->fh.last_error);
        return -1;
    }
    if (dap_connect(fx->p, 0)) {
        fprintf(stderr, "connect: %s\n", fx->fh.last_error);
        return -1;
    }
    *state = fx;
    return 0;
}

static int setup(void **state) { return open_with(state, NULL, 512, 8); }
static int setup_hid(void **state) { return open_with(state, NULL, 64, 4); }
static int setup_low_wait(void **state)
{
    static const char *const cfg[] = {"cmsisdap.wait_retry", "4", "cmsisdap.host_retries", "8", NULL};
    return open_with(state, cfg, 512, 8);
}

static int teardown(void **state)
{
    struct fx *fx = *state;
    dap_probe_free(fx->p);
    fake_dap_fini(&fx->fake);
    free(fx);
    return 0;
}

static void test_selectors(void **state)
{
    (void)state;
    struct dap_selector s;
    assert_int_equal(dap_selector_parse("dap-tcp:127.0.0.1", &s), 0);
    assert_true(s.is_tcp);
    assert_string_equal(s.host, "127.0.0.1");
    assert_int_equal(s.port, 3240);
    assert_int_equal(dap_selector_parse("dap-tcp:dap.local:4000", &s), 0);
    assert_string_equal(s.host, "dap.local");
    assert_int_equal(s.port, 4000);
    assert_int_equal(dap_selector_parse("dap-tcp:[::1]:5000", &s), 0);
    assert_string_equal(s.host, "::1");
    assert_int_equal(s.port, 5000);
    assert_int_equal(dap_selector_parse("0d28:0204:0240000034544e45", &s), 0);
    assert_false(s.is_tcp);
    assert_int_equal(s.vid, 0x0d28);
    assert_int_equal(s.pid, 0x0204);
    assert_string_equal(s.serial, "0240000034544e45");
    assert_int_equal(dap_selector_parse("2E8A:000C", &s), 0);
    assert_int_equal(s.pid, 0x000c);
    assert_string_equal(s.serial, "");
    static const char *const bad[] = {"dap-tcp:", "dap-tcp:host:0", "dap-tcp:host:70000", "dap-tcp:h:-1",
                                      "dap-tcp:[::1", "0d28", "0d28:", "xyz:0204", "0d28:12345", "0d28:0204:"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(dap_selector_parse(bad[i], &s), ESPCTL_E_INVAL);
}

static void test_parsers_reject_malformed(void **state)
{
    (void)state;
    char why[256];
    struct dap_info_value v;
    static const uint8_t size_ok[] = {0x00, 0x02, 0x00, 0x02};
    assert_int_equal(dap_parse_info(size_ok, 4, 0xFF, &v, why, sizeof why), 0);
    assert_int_equal(v.number, 512);
    static const uint8_t size_short[] = {0x00, 0x02, 0x40};
    assert_int_equal(dap_parse_info(size_short, 3, 0xFF, &v, why, sizeof why), ESPCTL_E_PROTOCOL);
    assert_non_null(strstr(why, "offset 1"));
    static const uint8_t count_wide[] = {0x00, 0x02, 0x08, 0x00};
    assert_int_equal(dap_parse_info(count_wide, 4, 0xFE, &v, why, sizeof why), ESPCTL_E_PROTOCOL);
    static const uint8_t str_no_nul[] = {0x00, 0x03, 'a', 'b', 'c'};
    assert_int_equal(dap_parse_info(str_no_nul, 5, 0x01, &v, why, sizeof why), 0);
    assert_string_equal(v.text, "abc");
    static const uint8_t unknown[] = {0xFF};
    assert_int_equal(dap_parse_status(unknown, 1, 0x13, why, sizeof why), ESPCTL_E_PROTOCOL);
    assert_non_null(strstr(why, "does not implement command 0x13"));
    static const uint8_t dap_error[] = {0x11, 0xFF};
    assert_int_equal(dap_parse_status(dap_error, 2, 0x11, why, sizeof why), ESPCTL_E_PROTOCOL);

    struct dap_xfer_status st;
    uint32_t words[4];
    static const uint8_t reqs[2] = {0x02, 0x0F};
    static const uint8_t xfer_ok[] = {0x05, 0x02, 0x01, 1, 0, 0, 0, 2, 0, 0, 0};
    assert_int_equal(dap_parse_transfer(xfer_ok, sizeof xfer_ok, reqs, 2, &st, words, why, sizeof why), 0);
    assert_int_equal(words[1], 2);
    assert_int_equal(dap_parse_transfer(xfer_ok, 7, reqs, 2, &st, words, why, sizeof why), ESPCTL_E_PROTOCOL);
    static const uint8_t xfer_over[] = {0x05, 0x03, 0x01};
    assert_int_equal(dap_parse_transfer(xfer_over, 3, reqs, 2, &st, words, why, sizeof why), ESPCTL_E_PROTOCOL);
    assert_non_null(strstr(why, "exceeds"));
    static const uint8_t xfer_ok_short[] = {0x05, 0x01, 0x01, 0, 0, 0, 0};
    assert_int_equal(dap_parse_transfer(xfer_ok_short, 7, reqs, 2, &st, words, why, sizeof why), ESPCTL_E_PROTOCOL);
    static const uint8_t xfer_fault[] = {0x05, 0x01, 0x04, 9, 0, 0, 0};
    assert_int_equal(dap_parse_transfer(xfer_fault, 7, reqs, 2, &st, words, why, sizeof why), 0);
    assert_int_equal(st.ack, 4);
    assert_int_equal(st.done, 1);
    static const uint8_t block_short[] = {0x06, 0x02, 0x00, 0x01, 1, 0, 0, 0};
    assert_int_equal(dap_parse_block(block_short, sizeof block_short, 2, 1, &st, words, why, sizeof why),
                     ESPCTL_E_PROTOCOL);
    assert_int_equal(dap_parse_block(block_short, 3, 2, 0, &st, words, why, sizeof why), ESPCTL_E_PROTOCOL);
    assert_string_equal(dap_ack_name(0x02), "WAIT");
    assert_string_equal(dap_ack_name(0x0F), "SWD protocol (parity) error");
}

static void test_info_and_connect_sequence(void **state)
{
    struct fx *fx = *state;
    struct dap_probe *p = fx->p;
    assert_int_equal(p->packet_size, 512);
    assert_int_equal(p->packet_count, 8);
    assert_int_equal(p->window, 8);
    assert_true(p->caps & DAP_CAP_SWD);
    assert_string_equal(p->vendor, "espctl-sim");
    assert_string_equal(p->product, "espctl-sim CMSIS-DAP");
    assert_string_equal(p->serial, "FAKE0001");
    assert_string_equal(p->firmware, "0.1.0");
    assert_string_equal(p->protocol, "2.1.0");
    /* the simulated probe saw SWD selected, a line reset and the DPIDR read it then requires */
    assert_int_equal(fx->fake.sim.port, 1);
    assert_true(fx->fake.sim.swd_selected);
    assert_false(fx->fake.sim.need_idcode);
    assert_int_equal(fx->fake.sim.leds & 1, 1);
    assert_int_equal(fx->fake.sim.swj_clock_hz, DAP_DEFAULT_SPEED_KHZ * 1000u);
    assert_int_equal(fx->fake.sim.wait_retry, DAP_DEFAULT_WAIT_RETRY);
    assert_int_equal(fx->fake.requests_by_cmd[DAP_CMD_SWJ_SEQUENCE], 1);
    assert_int_equal(fx->fake.requests_by_cmd[DAP_CMD_SWD_CONFIGURE], 1);
    uint32_t ctrl = 0;
    assert_int_equal(dap_dp_read(p, 0x4, &ctrl), 0);
    assert_int_equal(ctrl & 0xA0000000u, 0xA0000000u); /* debug power-up acknowledged */
}

static void test_dp_ap_access_and_select_cache(void **state)
{
    struct fx *fx = *state;
    struct dap_probe *p = fx->p;
    uint32_t v = 0;
    assert_int_equal(dap_dp_read(p, 0x0, &v), 0);
    assert_int_equal(v, 0x2BA01477u);
    assert_int_equal(dap_ap_read(p, 0, 0xFC, &v), 0);
    assert_int_equal(v, 0x24770011u);
    /* same bank again: no SELECT write, just the AP read and the probe's RDBUFF read */
    uint64_t before = fx->fake.target->stats.dap_transactions;
    assert_int_equal(dap_ap_read(p, 0, 0xF8, &v), 0);
    assert_int_equal(v, 0xE00FF003u);
    assert_int_equal(fx->fake.target->stats.dap_transactions - before, 2);
    assert_int_equal(fx->fake.target->dap.select, 0x000000F0u);
    /* bank 0: one SELECT write more */
    before = fx->fake.target->stats.dap_transactions;
    assert_int_equal(dap_ap_write(p, 0, 0x04, SRAM + 0x40), 0);
    assert_int_equal(fx->fake.target->dap.select, 0);
    assert_int_equal(fx->fake.target->dap.tar, SRAM + 0x40);
    assert_int_equal(dap_ap_read(p, 0, 0x04, &v), 0);
    assert_int_equal(v, SRAM + 0x40);
    assert_true(fx->fake.target->stats.dap_transactions - before >= 4);
    /* DP bank 1 of CTRL/STAT goes through DPBANKSEL */
    assert_int_equal(dap_dp_read(p, 0x14, &v), 0);
    assert_int_equal(v, 0x40u);
    assert_int_equal(fx->fake.target->dap.select & 0xF, 1);
    assert_int_equal(dap_ap_read(p, 0, 0xFC, &v), 0);
    assert_int_equal(v, 0x24770011u);
    assert_int_equal(dap_ap_read(p, 256, 0, &v), ESPCTL_E_INVAL);
}

static void fill(uint8_t *b, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        b[i] = (uint8_t)(seed >> 16);
    }
}

static void test_memory_streams_pipelined(void **state)
{
    struct fx *fx = *state;
    struct dap_probe *p = fx->p;
    static uint8_t out[9000], in[9000];
    fill(out, sizeof out, 7);
    /* 32-bit, crossing eight 1 KiB TAR blocks, starting mid-block */
    unsigned before_tb = (unsigned)fx->fake.requests_by_cmd[DAP_CMD_TRANSFER_BLOCK];
    assert_int_equal(dap_mem_write(p, 0, SRAM + 0x3F0, 32, out, 8192), 0);
    assert_memory_equal(fx->fake.target->sram + 0x3F0, out, 8192);
    assert_int_equal(dap_mem_read(p, 0, SRAM + 0x3F0, 32, in, 8192), 0);
    assert_memory_equal(in, out, 8192);
    assert_true(fx->fake.max_queued > 1);           /* requests were pipelined ... */
    assert_true(fx->fake.max_queued <= p->window);  /* ... within the window */
    assert_true(fx->fake.max_request_len <= 512);
    /* Each 1 KiB block opens with a DAP_Transfer carrying TAR and then 100 writes / 127 reads;
     * TransferBlocks (126 writes / 127 reads) carry the rest: blocks of 4 words (lead only),
     * seven of 256 words (lead + 2 blocks each way) and 252 words (lead + 2 writes / + 1 read) */
    assert_int_equal(fx->fake.requests_by_cmd[DAP_CMD_TRANSFER_BLOCK] - before_tb, (14u + 2u) + (14u + 1u));
    /* 16- and 8-bit streams with byte-lane placement */
    fill(out, sizeof out, 99);
    assert_int_equal(dap_mem_write(p, 0, SRAM + 0x7FE, 16, out, 1030), 0);
    assert_memory_equal(fx->fake.target->sram + 0x7FE, out, 1030);
    assert_int_equal(dap_mem_read(p, 0, SRAM + 0x7FE, 16, in, 1030), 0);
    assert_memory_equal(in, out, 1030);
    assert_int_equal(dap_mem_write(p, 0, SRAM + 0x1001, 8, out + 5, 333), 0);
    assert_memory_equal(fx->fake.target->sram + 0x1001, out + 5, 333);
    assert_int_equal(dap_mem_read(p, 0, SRAM + 0x1003, 8, in, 77), 0);
    assert_memory_equal(in, out + 7, 77);
    /* DBGMCU_IDCODE of the G431 */
    uint8_t id[4];
    assert_int_equal(dap_mem_read(p, 0, 0xE0042000u, 32, id, 4), 0);
    assert_int_equal(dap_get32(id), 0x20016468u);
    /* misaligned requests are refused before touching the probe */
    assert_int_equal(dap_mem_read(p, 0, SRAM + 2, 32, in, 4), ESPCTL_E_INVAL);
    assert_int_equal(dap_mem_write(p, 0, 0xFFFFFFFCull, 32, out, 8), ESPCTL_E_INVAL);
}

static void test_hid_sized_packets(void **state)
{
    struct fx *fx = *state;
    struct dap_probe *p = fx->p;
    assert_int_equal(p->packet_size, 64);
    assert_int_equal(p->window, 4);
    static uint8_t out[4096], in[4096];
    fill(out, sizeof out, 3);
    unsigned before = fx->fake.packets;
    assert_int_equal(dap_mem_write(p, 0, SRAM, 32, out, sizeof out), 0);
    assert_int_equal(dap_mem_read(p, 0, SRAM, 32, in, sizeof in), 0);
    assert_memory_equal(in, out, sizeof in);
    assert_true(fx->fake.max_request_len <= 64);
    /* per KiB: writes = a lead report (CSW/TAR + 10 writes, then TAR + 11) and 18 blocks of up
     * to 14 words; reads = a lead (TAR + 15 reads) and 17 blocks of up to 15 words */
    assert_int_equal(fx->fake.packets - before, 4u * (1u + 18u) + 4u * (1u + 17u));
}

static void test_wait_retried_then_bounded(void **state)
{
    struct fx *fx = *state;
    struct dap_probe *p = fx->p;
    static uint8_t out[2048], in[2048];
    fill(out, sizeof out, 11);
    /* 20 WAITs: the probe gives up after 4 retries, the host re-issues with back-off */
    fx->fake.target->faults.wait_count = 20;
    fx->fake.target->faults.wait_after = fx->fake.target->dap.transactions + 10;
    assert_int_equal(dap_mem_write(p, 0, SRAM + 0x100, 32, out, sizeof out), 0);
    assert_true(p->host_wait_retries > 0);
    assert_true(fx->fh.slept_us > 0);
    assert_int_equal(fx->fake.target->faults.wait_count, 0);
    assert_int_equal(dap_mem_read(p, 0, SRAM + 0x100, 32, in, sizeof in), 0);
    assert_memory_equal(in, out, sizeof in);
    uint32_t v;
    fx->fake.target->faults.wait_count = 5;
    fx->fake.target->faults.wait_after = 0;
    assert_int_equal(dap_ap_read(p, 0, 0xFC, &v), 0);
    assert_int_equal(v, 0x24770011u);
    /* a storm longer than every retry: a clear timeout, not a hang */
    fx->fake.target->faults.wait_count = 1000000;
    fx->fake.target->faults.wait_after = 0;
    assert_int_equal(dap_mem_read(p, 0, SRAM, 32, in, 256), ESPCTL_E_TIMEOUT);
    assert_non_null(strstr(fx->fh.last_error, "WAIT"));
    assert_non_null(strstr(fx->fh.last_error, "0x20000000"));
    assert_int_equal(dap_ap_read(p, 0, 0xFC, &v), ESPCTL_E_TIMEOUT);
    fx->fake.target->faults.wait_count = 0;
    assert_int_equal(dap_mem_read(p, 0, SRAM + 0x100, 32, in, 64), 0);
    assert_memory_equal(in, out, 64);
}

static void test_fault_clears_sticky_error(void **state)
{
    struct fx *fx = *state;
    struct dap_probe *p = fx->p;
    static uint8_t out[1024], in[1024];
    fill(out, sizeof out, 5);
    fx->fake.target->faults.fault_at_armed = true;
    fx->fake.target->faults.fault_at = SRAM + 0x200;
    assert_int_equal(dap_mem_write(p, 0, SRAM, 32, out, sizeof out), ESPCTL_E_TARGET);
    assert_non_null(strstr(fx->fh.last_error, "FAULT"));
    assert_non_null(strstr(fx->fh.last_error, "ABORT"));
    assert_true(fx->fake.requests_by_cmd[DAP_CMD_WRITE_ABORT] >= 1);
    assert_int_equal(fx->fake.target->dap.ctrl_stat & 0xB2u, 0); /* sticky flags cleared */
    assert_int_equal(dap_mem_write(p, 0, SRAM, 32, out, sizeof out), 0);
    assert_int_equal(dap_mem_read(p, 0, SRAM, 32, in, sizeof in), 0);
    assert_memory_equal(in, out, sizeof in);
    /* an unmapped address faults on read too */
    assert_int_equal(dap_mem_read(p, 0, 0x60000000u, 32, in, 8), ESPCTL_E_TARGET);
    uint32_t v;
    assert_int_equal(dap_dp_read(p, 0x0, &v), 0);
}

static void expect_damage(struct fx *fx, enum fake_damage d, unsigned cmd, size_t len, int want_rc,
                          const char *want_text)
{
    struct dap_probe *p = fx->p;
    static uint8_t buf[3000];
    fx->fake.damage = d;
    fx->fake.damage_cmd = cmd;
    fx->fake.damage_len = len;
    int rc = dap_mem_read(p, 0, SRAM, 32, buf, sizeof buf);
    if (rc != want_rc)
        fail_msg("damage %d: rc %d, want %d: %s", d, rc, want_rc, fx->fh.last_error);
    if (!strstr(fx->fh.last_error, want_text))
        fail_msg("error '%s' lacks '%s'", fx->fh.last_error, want_text);
    assert_int_equal(fx->fake.count, 0); /* every outstanding answer was drained */
    assert_int_equal(fx->fake.damage_cmd, 0x100);
    fx->fake.damage = FAKE_INTACT;
    assert_int_equal(dap_mem_read(p, 0, SRAM, 32, buf, sizeof buf), 0); /* and the probe still works */
}

static void test_damaged_responses(void **state)
{
    struct fx *fx = *state;
    expect_damage(fx, FAKE_TRUNCATE, DAP_CMD_TRANSFER_BLOCK, 9, ESPCTL_E_PROTOCOL, "read words");
    expect_damage(fx, FAKE_TRUNCATE, DAP_CMD_TRANSFER_BLOCK, 2, ESPCTL_E_PROTOCOL, "expected at least 4");
    expect_damage(fx, FAKE_TRUNCATE, DAP_CMD_TRANSFER, 0, ESPCTL_E_PROTOCOL, "empty response");
    expect_damage(fx, FAKE_BAD_ECHO, DAP_CMD_TRANSFER_BLOCK, 0, ESPCTL_E_PROTOCOL, "echoed command 0x06");
    expect_damage(fx, FAKE_UNKNOWN, DAP_CMD_TRANSFER, 0, ESPCTL_E_PROTOCOL, "does not implement command 0x05");
    expect_damage(fx, FAKE_BAD_COUNT, DAP_CMD_TRANSFER_BLOCK, 0, ESPCTL_E_PROTOCOL, "exceeds");
    expect_damage(fx, FAKE_SILENT, DAP_CMD_TRANSFER_BLOCK, 0, ESPCTL_E_TIMEOUT, "silent");
    /* a damaged answer to a simple command */
    fx->fake.damage = FAKE_TRUNCATE;
    fx->fake.damage_cmd = DAP_CMD_SWJ_PINS;
    fx->fake.damage_len = 1;
    assert_int_equal(dap_reset(fx->p, ESPCTL_RESET_HW_ASSERT), ESPCTL_E_PROTOCOL);
    fx->fake.damage = FAKE_INTACT;
}

static void test_probe_open_rejects_bad_info(void **state)
{
    (void)state;
    struct fake_host fh;
    struct dap_env env;
    fake_host_init(&fh, NULL);
    dap_env_init(&env, &fh.host);
    struct fake_dap fake;
    assert_int_equal(fake_dap_init(&fake, &env, 512, 8), 0);
    fake.damage = FAKE_TRUNCATE;
    fake.damage_at = 1;
    fake.damage_len = 3;
    struct dap_probe *p = NULL;
    assert_int_equal(dap_probe_new(&p, &env, &fake.base), ESPCTL_E_PROTOCOL);
    assert_null(p);
    assert_non_null(strstr(fh.last_error, "DAP_Info 0xFF"));
    fake_dap_fini(&fake);
}

static void test_reset_lines_and_disconnect(void **state)
{
    struct fx *fx = *state;
    struct dap_probe *p = fx->p;
    struct sim_target *t = fx->fake.target;
    assert_int_equal(dap_reset(p, ESPCTL_RESET_HW_ASSERT), 0);
    assert_true(t->core.in_reset);
    assert_int_equal(fx->fake.sim.nreset_low, 1);
    assert_int_equal(dap_reset(p, ESPCTL_RESET_HW_DEASSERT), 0);
    assert_false(t->core.in_reset);
    t->core.reset_st = false;
    unsigned pins = (unsigned)fx->fake.requests_by_cmd[DAP_CMD_SWJ_PINS];
    assert_int_equal(dap_reset(p, ESPCTL_RESET_HW_PULSE), 0);
    assert_int_equal(fx->fake.requests_by_cmd[DAP_CMD_RESET_TARGET], 1); /* tried first: no sequence */
    assert_int_equal(fx->fake.requests_by_cmd[DAP_CMD_SWJ_PINS] - pins, 2); /* then nRESET low, high */
    assert_true(t->core.reset_st);
    assert_true(fx->fh.slept_us >= 20000);
    t->core.reset_st = false;
    assert_int_equal(dap_reset(p, ESPCTL_RESET_SYSTEM), 0); /* AIRCR SYSRESETREQ */
    assert_true(t->core.reset_st);
    assert_int_equal(dap_reset(p, 99), ESPCTL_E_INVAL);
    uint32_t khz = 0;
    assert_int_equal(dap_set_speed(p, 4000, &khz), 0);
    assert_int_equal(khz, 4000);
    assert_int_equal(fx->fake.sim.swj_clock_hz, 4000000u);
    assert_int_equal(dap_disconnect(p), 0);
    assert_int_equal(fx->fake.sim.port, 0);
    assert_int_equal(fx->fake.sim.leds & 1, 0);
    /* after disconnect, transfers get no ACK: a clear error */
    uint32_t v;
    assert_int_equal(dap_dp_read(p, 0, &v), ESPCTL_E_NO_DEVICE);
    assert_non_null(strstr(fx->fh.last_error, "no ACK"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_selectors),
        cmocka_unit_test(test_parsers_reject_malformed),
        cmocka_unit_test(test_probe_open_rejects_bad_info),
        cmocka_unit_test_setup_teardown(test_info_and_connect_sequence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dp_ap_access_and_select_cache, setup, teardown),
        cmocka_unit_test_setup_teardown(test_memory_streams_pipelined, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hid_sized_packets, setup_hid, teardown),
        cmocka_unit_test_setup_teardown(test_wait_retried_then_bounded, setup_low_wait, teardown),
        cmocka_unit_test_setup_teardown(test_fault_clears_sticky_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_responses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reset_lines_and_disconnect, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
