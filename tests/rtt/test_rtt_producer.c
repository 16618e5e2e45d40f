/* The simulator's RTT producer against the target model directly: rate in virtual time,
 * blocking and non-blocking modes, echo, halts, resets, adopting a block found in SRAM,
 * and the spec parser. The host side is played by plain SRAM accesses here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sim/rtt_producer.h"
#include "sim/target.h"

#define BLOCK 0x20000100u
#define UP_DESC (BLOCK + 24u)
#define DOWN_DESC (BLOCK + 48u)

static struct sim_target *new_target(void)
{
    struct sim_target *t = sim_target_new(sim_chip_find("stm32g431rb"));
    assert_non_null(t);
    return t;
}

static uint32_t rd32(struct sim_target *t, uint32_t addr)
{
    return sim_le_get(t->sram + (addr - t->chip->sram_base), 4);
}

static void wr32(struct sim_target *t, uint32_t addr, uint32_t v)
{
    sim_le_put(t->sram + (addr - t->chip->sram_base), 4, v);
}

/* Advance virtual time and let the producer see it, as a probe access would. */
static void tick(struct sim_target *t, uint64_t ns)
{
    sim_clock_advance(&t->clock, ns);
    uint32_t v;
    assert_int_equal(sim_bus_read(&t->bus, t->chip->sram_base, 4, &v), 0);
}

/* Drain the up ring like a host: copy out, advance RdOff. Returns the byte count. */
static uint32_t drain(struct sim_target *t, uint8_t *out, uint32_t cap)
{
    uint32_t buf = rd32(t, UP_DESC + 4), size = rd32(t, UP_DESC + 8);
    uint32_t w = rd32(t, UP_DESC + 12), r = rd32(t, UP_DESC + 16), n = 0;
    while (r != w && n < cap) {
        out[n++] = t->sram[buf - t->chip->sram_base + r];
        r = r + 1 == size ? 0 : r + 1;
    }
    wr32(t, UP_DESC + 16, r);
    return n;
}

static struct sim_rtt_config config(const char *spec)
{
    struct sim_rtt_config c;
    char err[256];
    assert_int_equal(sim_rtt_parse(&c, spec, err, sizeof err), 0);
    c.have_address = 1;
    c.address = BLOCK;
    return c;
}

static int64_t stat(struct sim_target *t, const char *key)
{
    json_t *j = sim_rtt_producer_stats_json(t->rtt);
    int64_t v = (int64_t)json_integer_value(json_object_get(j, key));
    json_decref(j);
    return v;
}

static void test_parse(void **state)
{
    (void)state;
    struct sim_rtt_config c;
    char err[256];
    assert_int_equal(sim_rtt_parse(&c, "rate=140k,mode=nonblocking,bytes=2M,pattern=lines,echo,size=4096",
                                   err, sizeof err), 0);
    assert_int_equal(c.rate, 140000);
    assert_int_equal(c.blocking, 0);
    assert_int_equal(c.total, 2000000);
    assert_int_equal(c.pattern, SIM_RTT_LINES);
    assert_int_equal(c.echo, 1);
    assert_int_equal(c.up_size, 4096);
    assert_int_equal(sim_rtt_parse(&c, "mode=blocking", err, sizeof err), -1);
    assert_non_null(strstr(err, "rate= and mode= are required"));
    assert_int_equal(sim_rtt_parse(&c, "rate=1,mode=blocking,size=8", err, sizeof err), -1);
    assert_non_null(strstr(err, "size=8"));
    assert_int_equal(sim_rtt_parse(&c, "rate=-5,mode=blocking", err, sizeof err), -1);
    assert_int_equal(sim_rtt_parse(&c, "rate=1,mode=sometimes", err, sizeof err), -1);
    assert_non_null(strstr(err, "mode=sometimes"));
}

static void test_rate_in_virtual_time_blocking(void **state)
{
    (void)state;
    struct sim_target *t = new_target();
    struct sim_rtt_config c = config("rate=100k,mode=blocking,size=64");
    assert_non_null(sim_rtt_producer_attach(t, &c));
    tick(t, 0); /* boot: the block appears, id last */
    assert_memory_equal(t->sram + (BLOCK - t->chip->sram_base), "SEGGER RTT\0\0\0\0\0", 16);
    assert_int_equal(rd32(t, UP_DESC + 8), 64);
    assert_int_equal(rd32(t, UP_DESC + 20), 2); /* BlockIfFull */
    tick(t, 100000); /* 100 us at 100 kB/s = 10 bytes */
    assert_int_equal(rd32(t, UP_DESC + 12), 10);
    tick(t, 10000000); /* 10 ms = 1000 bytes owed, but only 63 fit: it waits */
    assert_int_equal(rd32(t, UP_DESC + 12), 63);
    uint8_t got[2048];
    uint64_t total = 0;
    for (int i = 0; i < 40; i++) {
        uint32_t n = drain(t, got, sizeof got);
        for (uint32_t k = 0; k < n; k++)
            assert_int_equal(got[k], sim_rtt_pattern_byte(SIM_RTT_COUNTER, total + k));
        total += n;
        tick(t, 100000);
    }
    assert_int_equal(stat(t, "dropped"), 0);
    assert_int_equal(stat(t, "consumed"), (int64_t)total);
    assert_true(stat(t, "latency_max_us") >= 100);
    sim_target_free(t);
}

static void test_nonblocking_drops_and_counts(void **state)
{
    (void)state;
    struct sim_target *t = new_target();
    struct sim_rtt_config c = config("rate=1M,mode=nonblocking,size=32,pattern=lines");
    assert_non_null(sim_rtt_producer_attach(t, &c));
    tick(t, 0);
    tick(t, 100000); /* 100 bytes due, 31 fit */
    assert_int_equal(stat(t, "produced"), 31);
    assert_int_equal(stat(t, "dropped"), 69);
    uint8_t got[64];
    assert_int_equal(drain(t, got, sizeof got), 31);
    assert_memory_equal(got, "rtt 00000000\nrtt 00000001\nrtt 0", 31);
    tick(t, 10000); /* 10 more: stream position continues after the dropped bytes */
    assert_int_equal(drain(t, got, sizeof got), 10);
    for (int k = 0; k < 10; k++)
        assert_int_equal(got[k], sim_rtt_pattern_byte(SIM_RTT_LINES, 100 + (uint64_t)k));
    sim_target_free(t);
}

static void test_pauses_while_halted_and_restarts_on_reset(void **state)
{
    (void)state;
    struct sim_target *t = new_target();
    struct sim_rtt_config c = config("rate=1M,mode=blocking,size=256,bytes=50");
    assert_non_null(sim_rtt_producer_attach(t, &c));
    tick(t, 0);
    t->core.halted = true;
    tick(t, 1000000);
    assert_int_equal(rd32(t, UP_DESC + 12), 0); /* halted firmware writes nothing */
    t->core.halted = false;
    tick(t, 20000);
    assert_int_equal(rd32(t, UP_DESC + 12), 20);
    tick(t, 1000000);
    assert_int_equal(rd32(t, UP_DESC + 12), 50); /* bytes=50 */
    assert_int_equal(stat(t, "boots"), 1);
    memset(t->sram + (BLOCK - t->chip->sram_base), 0, 16); /* a host clears the id */
    sim_target_system_reset(t);
    t->core.halted = false;
    tick(t, 5000);
    assert_int_equal(stat(t, "boots"), 2);
    assert_memory_equal(t->sram + (BLOCK - t->chip->sram_base), "SEGGER RTT", 10);
    assert_int_equal(rd32(t, UP_DESC + 16), 0); /* a fresh ring */
    sim_target_free(t);
}

static void test_echo(void **state)
{
    (void)state;
    struct sim_target *t = new_target();
    struct sim_rtt_config c = config("rate=0,mode=blocking,echo");
    assert_non_null(sim_rtt_producer_attach(t, &c));
    tick(t, 0);
    uint32_t down = rd32(t, DOWN_DESC + 4);
    memcpy(t->sram + (down - t->chip->sram_base), "hi!\n", 4);
    wr32(t, DOWN_DESC + 12, 4); /* host publishes WrOff */
    tick(t, 1000);
    assert_int_equal(rd32(t, DOWN_DESC + 16), 4); /* taken */
    uint8_t got[16];
    assert_int_equal(drain(t, got, sizeof got), 4);
    assert_memory_equal(got, "hi!\n", 4);
    assert_int_equal(stat(t, "echoed"), 4);
    sim_target_free(t);
}

static void test_adopts_block_found_in_sram(void **state)
{
    (void)state;
    struct sim_target *t = new_target();
    struct sim_rtt_config c;
    char err[128];
    assert_int_equal(sim_rtt_parse(&c, "rate=1M,mode=blocking", err, sizeof err), 0);
    assert_non_null(sim_rtt_producer_attach(t, &c));
    tick(t, 2000000);
    assert_int_equal(stat(t, "boots"), 0); /* no block yet: waiting */
    /* firmware-like block at 0x20001000: 1 up (128 bytes at 0x20001100), 0 down */
    uint32_t a = 0x20001000u;
    wr32(t, a + 16, 1);
    wr32(t, a + 20, 0);
    wr32(t, a + 24 + 4, 0x20001100u);
    wr32(t, a + 24 + 8, 128);
    memcpy(t->sram + (a - t->chip->sram_base), "SEGGER RTT\0\0\0\0\0", 16);
    tick(t, 2000000); /* the next scan finds it */
    assert_int_equal(stat(t, "boots"), 1);
    assert_int_equal(stat(t, "address"), (int64_t)a);
    assert_int_equal(rd32(t, a + 24 + 12), 0); /* production starts at boot */
    tick(t, 1000000);
    assert_int_equal(rd32(t, a + 24 + 12), 127); /* its 128-byte ring, full */
    /* a broken one is left alone */
    sim_target_free(t);
    t = new_target();
    assert_non_null(sim_rtt_producer_attach(t, &c));
    wr32(t, a + 16, 1);
    wr32(t, a + 24 + 4, 0x40000000u);
    wr32(t, a + 24 + 8, 128);
    memcpy(t->sram + (a - t->chip->sram_base), "SEGGER RTT\0\0\0\0\0", 16);
    tick(t, 2000000);
    assert_int_equal(stat(t, "boots"), 0);
    assert_int_equal(rd32(t, a + 24 + 12), 0);
    sim_target_free(t);
}

static void test_corrupt_blocks(void **state)
{
    (void)state;
    const char *kinds[] = {"pointer", "size", "count", "offset"};
    for (size_t i = 0; i < 4; i++) {
        struct sim_target *t = new_target();
        char spec[64];
        snprintf(spec, sizeof spec, "rate=1M,mode=blocking,corrupt=%s", kinds[i]);
        struct sim_rtt_config c = config(spec);
        assert_non_null(sim_rtt_producer_attach(t, &c));
        tick(t, 1000000);
        switch (i) {
        case 0: assert_int_equal(rd32(t, UP_DESC + 4), 0x30000000u); break;
        case 1: assert_int_equal(rd32(t, UP_DESC + 8), t->chip->sram_size); break;
        case 2: assert_int_equal(rd32(t, BLOCK + 16), 100000u); break;
        case 3: assert_int_equal(rd32(t, UP_DESC + 12), 1024u + 5u); break;
        }
        assert_int_equal(stat(t, "produced"), 0);
        sim_target_free(t);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_rate_in_virtual_time_blocking),
        cmocka_unit_test(test_nonblocking_drops_and_counts),
        cmocka_unit_test(test_pauses_while_halted_and_restarts_on_reset),
        cmocka_unit_test(test_echo),
        cmocka_unit_test(test_adopts_block_found_in_sram),
        cmocka_unit_test(test_corrupt_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
