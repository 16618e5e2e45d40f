/* Probe selection, chip names, connect and reset strategies of the cortexm target. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"
#include "probe_select.h"

#include <string.h>

static int select_probe(struct fx *f, const char *sel, const struct espctl_probe_driver **d, char *chosen)
{
    return cm_probe_select(&f->h->host, sel, d, chosen, 256);
}

static void auto_picks_the_only_probe(void **state)
{
    struct fx *f = *state;
    const struct espctl_probe_driver *d = NULL;
    char chosen[256];
    assert_int_equal(select_probe(f, "auto", &d, chosen), 0);
    assert_string_equal(d->name, "fake");
    assert_string_equal(chosen, "fake:0");
    assert_int_equal(select_probe(f, NULL, &d, chosen), 0);
    assert_string_equal(chosen, "fake:0");
}

static void auto_lists_candidates_when_several(void **state)
{
    struct fx *f = *state;
    f->h->drivers[1] = fake_other_driver(f->t);
    f->h->driver_count = 2;
    const struct espctl_probe_driver *d = NULL;
    char chosen[256];
    assert_int_equal(select_probe(f, "auto", &d, chosen), ESPCTL_E_INVAL);
    assert_non_null(strstr(f->h->last_error, "2 probes attached"));
    assert_non_null(strstr(f->h->last_error, "fake:0"));
    assert_non_null(strstr(f->h->last_error, "other:7"));
    f->t->probe_count = 2;
    f->h->driver_count = 1;
    assert_int_equal(select_probe(f, "auto", &d, chosen), ESPCTL_E_INVAL);
    assert_non_null(strstr(f->h->last_error, "fake:1"));
}

static void auto_without_probes_gives_a_hint(void **state)
{
    struct fx *f = *state;
    f->t->probe_count = 0;
    const struct espctl_probe_driver *d = NULL;
    char chosen[256];
    assert_int_equal(select_probe(f, "auto", &d, chosen), ESPCTL_E_NOT_FOUND);
    assert_non_null(strstr(f->h->last_error, "--probe"));
}

static void selectors_route_to_their_driver(void **state)
{
    struct fx *f = *state;
    f->h->drivers[1] = fake_other_driver(f->t);
    f->h->driver_count = 2;
    f->t->probe_count = 2;
    const struct espctl_probe_driver *d = NULL;
    char chosen[256];
    assert_int_equal(select_probe(f, "other:7", &d, chosen), 0);
    assert_string_equal(d->name, "other");
    assert_int_equal(select_probe(f, "1234:5678:SN1", &d, chosen), 0);
    assert_string_equal(d->name, "fake");
    assert_string_equal(chosen, "1234:5678:SN1");
    assert_int_equal(select_probe(f, "abcd:0001", &d, chosen), ESPCTL_E_NOT_FOUND);
    assert_non_null(strstr(f->h->last_error, "abcd:0001"));
    assert_int_equal(select_probe(f, "SN1", &d, chosen), 0); /* by serial */
    assert_string_equal(chosen, "fake:1");
    assert_int_equal(select_probe(f, "nosuch", &d, chosen), ESPCTL_E_NOT_FOUND);
    assert_non_null(strstr(f->h->last_error, "no probe matches 'nosuch'"));
}

static void chip_names(void **state)
{
    struct fx *f = *state;
    const struct espctl_flash_target *t = f->h->target;
    assert_int_equal(t->supports_chip(t->target_data, "stm32g431rb"), 1);
    assert_int_equal(t->supports_chip(t->target_data, "STM32G431RBTx"), 1);
    assert_int_equal(t->supports_chip(t->target_data, "STM32G474VETx"), 1);
    assert_int_equal(t->supports_chip(t->target_data, "stm32g4a1ke"), 1);
    assert_int_equal(t->supports_chip(t->target_data, "stm32g431rbux"), 1);
    assert_int_equal(t->supports_chip(t->target_data, "stm32f103c8"), 0);
    assert_int_equal(t->supports_chip(t->target_data, "esp32s3"), 0);
    assert_int_equal(fx_open(f, "stm32f103c8", 0), ESPCTL_E_INVAL);
    assert_non_null(strstr(f->h->last_error, "unknown chip 'stm32f103c8'"));
    assert_int_equal(f->t->connects, 0); /* rejected before touching the probe */
}

static void default_open_resets_and_halts(void **state)
{
    struct fx *f = *state;
    assert_int_equal(fx_open(f, "STM32G431RBTx", 0), 0);
    assert_int_equal(f->t->connects, 1);
    assert_int_equal(f->t->system_resets, 1);
    assert_true(f->t->halted);
    assert_int_equal(f->t->demcr & 1u, 0); /* vector catch removed again */
    assert_int_equal(f->t->ctrl_stat & 0xA0000000u, 0xA0000000u); /* powered up */
    fx_close(f);
    assert_false(f->t->halted); /* left running */
}

static void attach_modes(void **state)
{
    struct fx *f = *state;
    assert_int_equal(fx_open(f, "stm32g431rb", ESPCTL_TARGET_NO_RESET), 0);
    assert_int_equal(f->t->system_resets, 0);
    assert_true(f->t->halted);
    fx_close(f);
    assert_int_equal(fx_open(f, "stm32g431rb", ESPCTL_TARGET_CONNECT_UNDER_RESET), 0);
    assert_int_equal(f->t->hw_resets, 1);
    assert_int_equal(f->t->system_resets, 0);
    assert_true(f->t->halted);
}

static void resets(void **state)
{
    struct fx *f = *state;
    assert_int_equal(fx_open(f, "stm32g431rb", 0), 0);
    assert_int_equal(f->h->target->reset(f->session, ESPCTL_RESET_SYSTEM), 0);
    assert_int_equal(f->t->system_resets, 2);
    assert_false(f->t->halted);
    assert_int_equal(f->h->target->reset(f->session, ESPCTL_RESET_HW_PULSE), 0);
    assert_int_equal(f->t->hw_resets, 1);
    assert_false(f->t->halted);
    assert_int_equal(f->h->target->reset(f->session, 77), ESPCTL_E_INVAL);
}

static void probe_without_dp_access_uses_ap0(void **state)
{
    struct fx *f = *state;
    f->t->has_dp = 0;
    f->h->drivers[0] = fake_driver(f->t);
    assert_int_equal(fx_open(f, "stm32g431rb", 0), 0);
    assert_int_equal(f->t->ctrl_stat, 0);
}

static void wrong_chip_is_refused(void **state)
{
    struct fx *f = *state;
    f->t->idcode = 0x10006479u;
    assert_int_equal(fx_open(f, "stm32g431rb", 0), ESPCTL_E_TARGET);
    assert_non_null(strstr(f->h->last_error, "device id 0x479"));
    assert_non_null(strstr(f->h->last_error, "not stm32g431rb"));
}

static void unnamed_chip_is_identified(void **state)
{
    struct fx *f = *state;
    f->t->idcode = 0x10006479u;
    f->t->size_kib = 256;
    assert_int_equal(fx_open(f, NULL, 0), 0);
    uint8_t data[16];
    memset(data, 0x42, sizeof data);
    struct espctl_segment seg = {FAKE_FLASH_BASE + 200 * 1024, sizeof data, data};
    struct espctl_flash_image img = {.hdr = ESPCTL_ABI_HDR(struct espctl_flash_image),
                                     .segment_count = 1, .segments = &seg};
    assert_int_equal(f->h->target->flash(f->session, &img, 0), 0);
    assert_memory_equal(f->t->flash + 200 * 1024, data, sizeof data);
    f->t->idcode = 0x413;
    fx_close(f);
    assert_int_equal(fx_open(f, NULL, 0), ESPCTL_E_NOT_FOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(auto_picks_the_only_probe, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(auto_lists_candidates_when_several, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(auto_without_probes_gives_a_hint, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(selectors_route_to_their_driver, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(chip_names, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(default_open_resets_and_halts, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(attach_modes, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(resets, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(probe_without_dp_access_uses_ap0, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(wrong_chip_is_refused, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(unnamed_chip_is_identified, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
