/* Cortex-M4 debug: DHCSR halt/run/step, S_RESET_ST, DCRSR/DCRDR, AIRCR reset with vector catch, FPB,
 * identification registers. */
#include "helpers.h"

#define DHCSR 0xE000EDF0u
#define DCRSR 0xE000EDF4u
#define DCRDR 0xE000EDF8u
#define DEMCR 0xE000EDFCu
#define AIRCR 0xE000ED0Cu
#define DFSR 0xE000ED30u
#define S_HALT (1u << 17)
#define S_REGRDY (1u << 16)
#define S_RETIRE (1u << 24)
#define S_RESET (1u << 25)

static void test_identification(void **state)
{
    (void)state;
    struct sim_target *t = new_g431();
    assert_int_equal(rd32(t, 0xE000ED00u), 0x410FC241u);
    assert_int_equal(rd32(t, 0xE0042000u), 0x20016468u);
    uint32_t v;
    assert_int_equal(sim_bus_read(&t->bus, 0x1FFF75E0u, 2, &v), 0);
    assert_int_equal(v, 128);
    assert_int_equal(rd32(t, 0xE0001000u) >> 28, 4); /* DWT NUMCOMP */
    assert_int_equal(rd32(t, 0xE00FF000u), 0xFFF0F003u);
    assert_int_equal(rd32(t, 0xE00FFFFCu), 0xB1u);
    assert_int_equal(sim_bus_read(&t->bus, 0x30000000u, 4, &v), -1);
    sim_target_free(t);
}

static void test_halt_run_step(void **state)
{
    (void)state;
    struct sim_target *t = new_g431();
    assert_int_equal(rd32(t, DHCSR) & (S_HALT | S_RETIRE), S_RETIRE);
    wr32(t, DHCSR, 0x00000003u); /* no key: ignored */
    assert_int_equal(rd32(t, DHCSR) & S_HALT, 0);
    wr32(t, DHCSR, 0xA05F0003u);
    assert_int_equal(rd32(t, DHCSR) & (S_HALT | S_REGRDY | 3u), S_HALT | S_REGRDY | 3u);
    assert_int_equal(rd32(t, DFSR) & 1u, 1u);
    wr32(t, DFSR, 1u);
    wr32(t, DHCSR, 0xA05F0005u); /* step */
    assert_int_equal(rd32(t, DHCSR) & S_HALT, S_HALT);
    wr32(t, DHCSR, 0xA05F0001u); /* resume */
    assert_int_equal(rd32(t, DHCSR) & S_HALT, 0);
    sim_target_free(t);
}

static void test_core_registers(void **state)
{
    (void)state;
    struct sim_target *t = new_g431();
    wr32(t, DHCSR, 0xA05F0003u);
    wr32(t, DCRDR, 0x08000123u);
    wr32(t, DCRSR, 0x0001000Fu); /* write PC */
    wr32(t, DCRDR, 0);
    wr32(t, DCRSR, 0x0000000Fu); /* read PC */
    assert_int_equal(rd32(t, DHCSR) & S_REGRDY, S_REGRDY);
    assert_int_equal(rd32(t, DCRDR), 0x08000123u);
    wr32(t, DCRSR, 0x10u);       /* xPSR keeps the Thumb bit after reset */
    assert_int_equal(rd32(t, DCRDR), 0x01000000u);
    sim_target_free(t);
}

static void test_sysresetreq_with_vector_catch(void **state)
{
    (void)state;
    struct sim_target *t = new_g431();
    t->flash.array[0] = 0x00; t->flash.array[1] = 0x80; t->flash.array[2] = 0x00; t->flash.array[3] = 0x20;
    t->flash.array[4] = 0x45; t->flash.array[5] = 0x00; t->flash.array[6] = 0x00; t->flash.array[7] = 0x08;
    wr32(t, DHCSR, 0xA05F0001u);
    wr32(t, DEMCR, 0x01000501u);
    (void)rd32(t, DHCSR);
    wr32(t, AIRCR, 0x05FA0004u);
    uint32_t v = rd32(t, DHCSR);
    assert_int_equal(v & (S_HALT | S_RESET), S_HALT | S_RESET);
    assert_int_equal(rd32(t, DHCSR) & S_RESET, 0); /* sticky bit cleared by the read */
    assert_int_equal(rd32(t, DFSR) & 8u, 8u);      /* VCATCH */
    wr32(t, DCRSR, 15);
    assert_int_equal(rd32(t, DCRDR), 0x08000044u);
    wr32(t, DCRSR, 13);
    assert_int_equal(rd32(t, DCRDR), 0x20008000u);
    assert_int_equal(rd32(t, F_CR) & 0x80000000u, 0x80000000u); /* flash re-locked */
    wr32(t, AIRCR, 0x00000004u);                                  /* no key: no reset */
    assert_int_equal(rd32(t, DHCSR) & S_RESET, 0);
    sim_target_free(t);
}

static void test_fpb_enable(void **state)
{
    (void)state;
    struct sim_target *t = new_g431();
    assert_int_equal(rd32(t, 0xE0002000u), 0x260u);
    wr32(t, 0xE0002000u, 3u);
    assert_int_equal(rd32(t, 0xE0002000u), 0x261u);
    wr32(t, 0xE0002000u, 1u); /* KEY clear: ignored */
    assert_int_equal(rd32(t, 0xE0002000u), 0x261u);
    sim_target_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identification),
        cmocka_unit_test(test_halt_run_step),
        cmocka_unit_test(test_core_registers),
        cmocka_unit_test(test_sysresetreq_with_vector_catch),
        cmocka_unit_test(test_fpb_enable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
