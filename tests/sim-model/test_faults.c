/* Fault spec parsing: every item kind, combinations, and rejection of malformed specs. */
#include <string.h>

#include "helpers.h"

static void test_parses_every_item(void **state)
{
    (void)state;
    struct sim_faults f = {0};
    char err[256];
    assert_int_equal(sim_faults_parse(&f, "drop-after=100,wait=5@20,fault-at=0x20000000,"
                                          "flash-err=wrperr@0x08000800,wrp=4-7", err, sizeof err), 0);
    assert_int_equal(f.drop_after, 100);
    assert_int_equal(f.wait_count, 5);
    assert_int_equal(f.wait_after, 20);
    assert_true(f.fault_at_armed);
    assert_int_equal(f.fault_at, 0x20000000u);
    assert_int_equal(f.flash_err, SIM_FLASH_ERR_WRPERR);
    assert_true(f.flash_err_at_armed);
    assert_int_equal(f.flash_err_at, 0x08000800u);
    assert_true(f.wrp_armed);
    assert_int_equal(f.wrp_first, 4);
    assert_int_equal(f.wrp_last, 7);
    assert_int_equal(sim_faults_parse(&f, "flash-err=pgaerr", err, sizeof err), 0);
    assert_int_equal(f.flash_err, SIM_FLASH_ERR_PGAERR);
    assert_false(f.flash_err_at_armed);
    assert_string_equal(sim_flash_err_name(f.flash_err), "pgaerr");
}

static void test_rejects_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "drop-after", "drop-after=", "drop-after=0", "drop-after=-1", "wait=x", "wait=3@",
        "fault-at=0x100000000", "flash-err=oops", "flash-err=pgaerr@zz", "wrp=5", "wrp=7-4",
        "nonsense=1", ",", "wait=1,,wait=2", "wrp=1-2x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct sim_faults f = {0};
        char err[256] = "";
        assert_int_equal(sim_faults_parse(&f, bad[i], err, sizeof err), -1);
        assert_non_null(strstr(err, "bad fault item"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parses_every_item),
        cmocka_unit_test(test_rejects_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
