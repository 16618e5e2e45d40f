/* ST-Link front: stlink-server framing and replies, identity, and robustness against random and
 * truncated requests (never a crash, always a well-formed error reply). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "stlink_front.h"

struct fixture {
    struct sim_target *t;
    struct stlink_probe p;
    uint8_t reply[STLINK_TCP_MAX_FRAME];
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    fx->t = new_g431();
    stlink_probe_init(&fx->p, fx->t, STLINK_V2J37);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    sim_target_free(fx->t);
    free(fx);
    return 0;
}

static struct stlink_tcp_result request(struct fixture *fx, const uint8_t *req, size_t len)
{
    long want = stlink_tcp_frame_len(req, len);
    assert_int_equal(want, (long)len);
    return stlink_tcp_handle(&fx->p, req, len, fx->reply);
}

static uint32_t open_device(struct fixture *fx)
{
    uint8_t open[8] = {0x03, 0, 0, 0, 1, 0, 0, 0};
    struct stlink_tcp_result r = request(fx, open, sizeof open);
    assert_int_equal(r.reply_len, 8);
    assert_int_equal(sim_le_get(fx->reply, 4), STLINK_TCP_OK);
    return sim_le_get(fx->reply + 4, 4);
}

/* SEND_USB_CMD read-direction request. */
static size_t usb_read_req(uint8_t *req, uint32_t cid, const uint8_t *cdb, size_t cdb_len, uint32_t n)
{
    memset(req, 0, 32);
    req[0] = 0x05;
    sim_le_put(req + 4, 4, cid);
    memcpy(req + 8, cdb, cdb_len);
    req[24] = 1;
    sim_le_put(req + 28, 4, n);
    return 32;
}

static void test_server_and_device_info(void **state)
{
    struct fixture *fx = *state;
    uint8_t ver[4] = {0x06, 0x01, 0, 0};
    assert_int_equal(request(fx, ver, 4).reply_len, 16);
    assert_int_equal(sim_le_get(fx->reply, 4), 2); /* API v2: OpenOCD never sends RW_MISC */
    uint8_t nb[1] = {0x01};
    assert_int_equal(request(fx, nb, 1).reply_len, 4);
    assert_int_equal(sim_le_get(fx->reply, 4), 1);
    uint8_t info[8] = {0x02, 0, 0, 0, 41, 0, 0, 0};
    assert_int_equal(request(fx, info, 8).reply_len, 45);
    assert_int_equal(sim_le_get(fx->reply, 4), STLINK_TCP_OK);
    assert_int_equal(sim_le_get(fx->reply + 40, 2), 0x0483);
    assert_int_equal(sim_le_get(fx->reply + 42, 2), 0x3748);
    assert_int_equal(fx->reply[44], 0);
    uint8_t info_bad[8] = {0x02, 1, 0, 0, 41, 0, 0, 0};
    request(fx, info_bad, 8);
    assert_int_equal(sim_le_get(fx->reply, 4), STLINK_TCP_BAD_PARAM);
    uint32_t cid = open_device(fx);
    assert_int_not_equal(cid, 0);
    uint8_t open_again[8] = {0x03, 0, 0, 0, 1, 0, 0, 0};
    request(fx, open_again, 8);
    assert_int_equal(sim_le_get(fx->reply, 4), STLINK_TCP_BAD_PARAM);
}

static void test_version_and_memory_commands(void **state)
{
    struct fixture *fx = *state;
    uint8_t req[64];
    uint32_t cid = open_device(fx);
    static const uint8_t f1[1] = {0xF1};
    request(fx, req, usb_read_req(req, cid, f1, 1, 6));
    assert_int_equal(sim_le_get(fx->reply, 4), STLINK_TCP_OK);
    uint16_t v = (uint16_t)(fx->reply[4] << 8 | fx->reply[5]);
    assert_int_equal(v >> 12, 2);
    assert_int_equal((v >> 6) & 0x3F, 37);
    /* WRITEMEM_32BIT 8 bytes into SRAM, then READMEM_32BIT back. */
    uint8_t w[40] = {0x05};
    sim_le_put(w + 4, 4, cid);
    uint8_t wcdb[12] = {0xF2, 0x08, 0x00, 0x01, 0x00, 0x20, 8, 0, 0, 0, 0, 0xA2};
    memcpy(w + 8, wcdb, sizeof wcdb);
    sim_le_put(w + 28, 4, 8);
    memcpy(w + 32, "ABCDEFGH", 8);
    assert_int_equal(request(fx, w, 40).reply_len, 4);
    assert_int_equal(sim_le_get(fx->reply, 4), STLINK_TCP_OK);
    assert_int_equal(rd32(fx->t, 0x20000100u), 0x44434241u);
    uint8_t rcdb[12] = {0xF2, 0x07, 0x00, 0x01, 0x00, 0x20, 8, 0, 0, 0, 0, 0xA2};
    assert_int_equal(request(fx, req, usb_read_req(req, cid, rcdb, 12, 8)).reply_len, 12);
    assert_memory_equal(fx->reply + 4, "ABCDEFGH", 8);
    /* Misaligned 32-bit read: TCP error, and the last-RW status reports an error. */
    uint8_t bad[12] = {0xF2, 0x07, 0x02, 0x01, 0x00, 0x20, 8, 0};
    request(fx, req, usb_read_req(req, cid, bad, 12, 8));
    assert_int_equal(sim_le_get(fx->reply, 4), STLINK_TCP_BAD_PARAM);
    static const uint8_t st2[2] = {0xF2, 0x3E};
    request(fx, req, usb_read_req(req, cid, st2, 2, 12));
    assert_int_not_equal(fx->reply[4], 0x80);
    /* Bus error on an unmapped address: last-RW status is an AP fault. */
    uint8_t unm[12] = {0xF2, 0x07, 0x00, 0x00, 0x00, 0x30, 4, 0};
    request(fx, req, usb_read_req(req, cid, unm, 12, 4));
    request(fx, req, usb_read_req(req, cid, st2, 2, 12));
    assert_int_equal(fx->reply[4], 0x11);
    assert_int_equal(sim_le_get(fx->reply + 8, 4), 0x30000000u);
    /* Unknown command byte: NOT_AVAILABLE, reply still sized as requested. */
    static const uint8_t unk[2] = {0xF2, 0x7F};
    assert_int_equal(request(fx, req, usb_read_req(req, cid, unk, 2, 20)).reply_len, 24);
    assert_int_equal(sim_le_get(fx->reply, 4), STLINK_TCP_NOT_AVAILABLE);
    assert_true(fx->t->stats.round_trips >= 6);
}

static void test_round_trip_cost_model(void **state)
{
    struct fixture *fx = *state;
    uint8_t req[64];
    fx->t->clock.round_trip_ns = 1000000;
    fx->t->clock.byte_ns = 822;
    uint32_t cid = open_device(fx);
    uint64_t t0 = fx->t->clock.now_ns;
    static const uint8_t f1[1] = {0xF1};
    request(fx, req, usb_read_req(req, cid, f1, 1, 6));
    assert_int_equal(fx->t->clock.now_ns - t0, 1000000 + (16 + 6) * 822);
    assert_int_equal(fx->t->stats.round_trips, 1);
    assert_int_equal(fx->t->stats.bytes_to_probe, 16);
    assert_int_equal(fx->t->stats.bytes_from_probe, 6);
    json_t *j = sim_target_stats_json(fx->t);
    assert_int_equal(json_integer_value(json_object_get(j, "round_trips")), 1);
    assert_true(json_real_value(json_object_get(j, "modelled_seconds")) > 0.001);
    json_decref(j);
}

static void test_usb_command_needs_open_device(void **state)
{
    struct fixture *fx = *state;
    uint8_t req[64];
    static const uint8_t f1[1] = {0xF1};
    assert_int_equal(request(fx, req, usb_read_req(req, 0x1234, f1, 1, 6)).reply_len, 10);
    assert_int_equal(sim_le_get(fx->reply, 4), STLINK_TCP_BAD_PARAM);
}

static void test_drop_fault(void **state)
{
    struct fixture *fx = *state;
    uint8_t req[64];
    char err[64];
    assert_int_equal(sim_faults_parse(&fx->t->faults, "drop-after=2", err, sizeof err), 0);
    uint32_t cid = open_device(fx);
    static const uint8_t f5[1] = {0xF5};
    assert_int_equal(request(fx, req, usb_read_req(req, cid, f5, 1, 2)).drop, 0);
    assert_int_equal(request(fx, req, usb_read_req(req, cid, f5, 1, 2)).drop, 0);
    assert_int_equal(request(fx, req, usb_read_req(req, cid, f5, 1, 2)).drop, 1);
    assert_int_equal(request(fx, req, usb_read_req(req, cid, f5, 1, 2)).drop, 0); /* one-shot */
}

static void test_framing_rejects_garbage(void **state)
{
    (void)state;
    static const uint8_t unknown[1] = {0x42};
    assert_int_equal(stlink_tcp_frame_len(unknown, 1), -1);
    uint8_t big[32] = {0x05};
    sim_le_put(big + 28, 4, 0xFFFFFFF0u);
    assert_int_equal(stlink_tcp_frame_len(big, 32), -1);
    big[24] = 1;
    assert_int_equal(stlink_tcp_frame_len(big, 32), -1);
    assert_int_equal(stlink_tcp_frame_len(big, 31), 0);
}

/* Deterministic pseudo-random bytes. */
static uint32_t xorshift(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static void test_random_and_truncated_requests(void **state)
{
    struct fixture *fx = *state;
    static uint8_t req[STLINK_TCP_MAX_FRAME];
    uint32_t seed = 0x12345678u;
    uint32_t cid = open_device(fx);
    FILE *saved = stderr;
    stderr = fopen("/dev/null", "w"); /* the front logs every malformed request */
    for (int round = 0; round < 20000; round++) {
        size_t len = 1 + xorshift(&seed) % 96;
        for (size_t i = 0; i < len; i++)
            req[i] = (uint8_t)xorshift(&seed);
        int kind = round % 4;
        if (kind >= 1) {
            /* Mostly well-formed USB commands with random CDBs, directions and lengths. */
            len = 32;
            req[0] = 0x05;
            sim_le_put(req + 4, 4, kind == 3 ? xorshift(&seed) : cid);
            req[8] = (uint8_t[]){0xF1, 0xF2, 0xF5, 0xF7, 0xFB, 0xF3, 0xF4}[xorshift(&seed) % 7];
            if (kind == 2)
                memset(req + 12, 0, 12); /* small addresses/lengths are more interesting */
            req[24] = (uint8_t)(xorshift(&seed) % 4);
            uint32_t n = xorshift(&seed) % 6200;
            sim_le_put(req + 28, 4, n);
            if (req[24] == 0)
                len += n;
        }
        /* A prefix either asks for more bytes or already frames the request the same way. */
        long want = stlink_tcp_frame_len(req, len);
        size_t cut = xorshift(&seed) % (len + 1);
        long want_prefix = stlink_tcp_frame_len(req, cut);
        assert_true(want_prefix == 0 || want_prefix == want);
        struct stlink_tcp_result r = stlink_tcp_handle(&fx->p, req, want > 0 ? (size_t)want : len, fx->reply);
        assert_true(r.drop || (r.reply_len >= 4 && r.reply_len <= STLINK_TCP_MAX_FRAME));
        if (want <= 0)
            assert_int_equal(sim_le_get(fx->reply, 4), STLINK_TCP_BAD_PARAM);
        if (!fx->p.connect_id)
            cid = open_device(fx);
    }
    fclose(stderr);
    stderr = saved;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_server_and_device_info, setup, teardown),
        cmocka_unit_test_setup_teardown(test_version_and_memory_commands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip_cost_model, setup, teardown),
        cmocka_unit_test_setup_teardown(test_usb_command_needs_open_device, setup, teardown),
        cmocka_unit_test_setup_teardown(test_drop_fault, setup, teardown),
        cmocka_unit_test(test_framing_rejects_garbage),
        cmocka_unit_test_setup_teardown(test_random_and_truncated_requests, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
