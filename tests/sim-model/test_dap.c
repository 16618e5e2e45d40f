/* SW-DP / AHB-AP: power-up, posted reads, TAR increment, lanes, sticky errors, WAIT/FAULT faults. */
#include "helpers.h"

static enum sim_ack dp_w(struct sim_dap *d, unsigned a, uint32_t v) { return sim_dap_transfer(d, 0, 0, a, &v); }
static enum sim_ack dp_r(struct sim_dap *d, unsigned a, uint32_t *v) { return sim_dap_transfer(d, 0, 1, a, v); }
static enum sim_ack ap_w(struct sim_dap *d, unsigned a, uint32_t v) { return sim_dap_transfer(d, 1, 0, a, &v); }
static enum sim_ack ap_r(struct sim_dap *d, unsigned a, uint32_t *v) { return sim_dap_transfer(d, 1, 1, a, v); }

static void test_dpidr_and_power_up(void **state)
{
    (void)state;
    struct sim_target *t = new_g431();
    struct sim_dap *d = &t->dap;
    uint32_t v;
    assert_int_equal(dp_r(d, 0, &v), SIM_ACK_OK);
    assert_int_equal(v, 0x2BA01477u);
    assert_int_equal(dp_w(d, 4, 0x50000020u), SIM_ACK_OK);
    assert_int_equal(dp_r(d, 4, &v), SIM_ACK_OK);
    assert_int_equal(v, 0xF0000000u); /* both ACKs mirrored, STICKYERR not writable */
    sim_target_free(t);
}

static void test_posted_reads_and_increment(void **state)
{
    (void)state;
    struct sim_target *t = new_g431();
    struct sim_dap *d = &t->dap;
    uint32_t v;
    wr32(t, 0x20000FFCu, 0xAABBCCDDu);
    wr32(t, 0x20000000u, 0x11223344u);
    assert_int_equal(dp_w(d, 8, 0), SIM_ACK_OK);                 /* SELECT AP0 bank 0 */
    assert_int_equal(ap_w(d, SIM_AP_CSW, 0xA2000012u), SIM_ACK_OK); /* word, single increment */
    assert_int_equal(ap_w(d, SIM_AP_TAR, 0x20000FFCu), SIM_ACK_OK);
    assert_int_equal(ap_r(d, SIM_AP_DRW, &v), SIM_ACK_OK);       /* posted: stale value */
    assert_int_equal(ap_r(d, SIM_AP_DRW, &v), SIM_ACK_OK);
    assert_int_equal(v, 0xAABBCCDDu);
    assert_int_equal(dp_r(d, 0xC, &v), SIM_ACK_OK);              /* RDBUFF */
    assert_int_equal(v, 0x11223344u);                            /* TAR wrapped to 0x20000000 */
    /* TAR wraps inside a 4 KiB block (never at 1 KiB): 0x20000FFC + 4 + 4 -> 0x20000004. */
    assert_int_equal(ap_r(d, SIM_AP_TAR, &v), SIM_ACK_OK);
    assert_int_equal(dp_r(d, 0xC, &v), SIM_ACK_OK);
    assert_int_equal(v, 0x20000004u);
    /* Byte access: data in the lane of address bits 1:0. */
    assert_int_equal(ap_w(d, SIM_AP_CSW, 0xA2000000u), SIM_ACK_OK);
    assert_int_equal(ap_w(d, SIM_AP_TAR, 0x20000FFEu), SIM_ACK_OK);
    assert_int_equal(ap_w(d, SIM_AP_DRW, 0x00EE0000u), SIM_ACK_OK);
    assert_int_equal(rd32(t, 0x20000FFCu), 0xAAEECCDDu);
    /* Packed increment is not implemented and reads back as "off". */
    assert_int_equal(ap_w(d, SIM_AP_CSW, 0xA2000020u), SIM_ACK_OK);
    assert_int_equal(ap_r(d, SIM_AP_CSW, &v), SIM_ACK_OK);
    assert_int_equal(dp_r(d, 0xC, &v), SIM_ACK_OK);
    assert_int_equal(v & 0x70u, 0x40u);
    sim_target_free(t);
}

static void test_bus_error_is_sticky(void **state)
{
    (void)state;
    struct sim_target *t = new_g431();
    struct sim_dap *d = &t->dap;
    uint8_t buf[8];
    uint32_t v;
    assert_int_equal(sim_dap_mem_read(d, 0, 0x30000000u, 4, 0xA20000u, buf, 4), SIM_ACK_FAULT);
    assert_int_equal(d->last_error_addr, 0x30000000u);
    assert_int_equal(dp_r(d, 4, &v), SIM_ACK_OK);
    assert_true(v & SIM_DP_STICKYERR);
    assert_int_equal(ap_r(d, SIM_AP_CSW, &v), SIM_ACK_FAULT);
    assert_int_equal(dp_w(d, 0, 0x04u), SIM_ACK_OK); /* ABORT.STKERRCLR */
    assert_int_equal(sim_dap_mem_read(d, 0, 0x20000000u, 4, 0xA20000u, buf, 8), SIM_ACK_OK);
    sim_target_free(t);
}

static void test_injected_wait_and_fault(void **state)
{
    (void)state;
    struct sim_target *t = new_g431();
    struct sim_dap *d = &t->dap;
    char err[128];
    uint8_t buf[4] = {1, 2, 3, 4};
    uint32_t v;
    assert_int_equal(sim_faults_parse(&t->faults, "wait=3@1,fault-at=0x20000010", err, sizeof err), 0);
    assert_int_equal(dp_w(d, 8, 0), SIM_ACK_OK); /* transaction 0 */
    assert_int_equal(dp_r(d, 0, &v), SIM_ACK_OK); /* DPIDR never waits */
    for (int i = 0; i < 3; i++)
        assert_int_equal(ap_r(d, SIM_AP_IDR, &v), SIM_ACK_WAIT);
    assert_int_equal(sim_dap_ap_read(d, 0, SIM_AP_IDR, &v), SIM_ACK_OK);
    assert_int_equal(v, 0x24770011u);
    assert_int_equal(t->stats.wait_acks, 3);
    assert_int_equal(sim_dap_mem_write(d, 0, 0x20000010u, 4, 0xA20000u, buf, 4), SIM_ACK_FAULT);
    assert_int_equal(dp_w(d, 0, 0x1Eu), SIM_ACK_OK);
    assert_int_equal(sim_dap_mem_write(d, 0, 0x20000010u, 4, 0xA20000u, buf, 4), SIM_ACK_OK);
    assert_int_equal(rd32(t, 0x20000010u), 0x04030201u);
    sim_target_free(t);
}

static void test_mem_helpers_roundtrip(void **state)
{
    (void)state;
    struct sim_target *t = new_g431();
    struct sim_dap *d = &t->dap;
    uint8_t out[3000], in[3000];
    for (size_t i = 0; i < sizeof out; i++)
        out[i] = (uint8_t)(i * 7 + 3);
    assert_int_equal(sim_dap_mem_write(d, 0, 0x20000302u, 2, 0xA20000u, out, sizeof out), SIM_ACK_OK);
    assert_int_equal(sim_dap_mem_read(d, 0, 0x20000301u, 1, 0xA20000u, in, 1), SIM_ACK_OK);
    assert_int_equal(sim_dap_mem_read(d, 0, 0x20000302u, 1, 0xA20000u, in, sizeof in), SIM_ACK_OK);
    assert_memory_equal(in, out, sizeof out);
    sim_target_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dpidr_and_power_up),
        cmocka_unit_test(test_posted_reads_and_increment),
        cmocka_unit_test(test_bus_error_is_sticky),
        cmocka_unit_test(test_injected_wait_and_fault),
        cmocka_unit_test(test_mem_helpers_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
