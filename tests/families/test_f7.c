/* stm32f7.so against the simulated STM32F746ZG / F722ZE, in process. */
#include "family_harness.h"

#include "sim/flash_families.h"

#include <stdlib.h>
#include <string.h>

#define BASE 0x08000000u
#define KIB 1024u
#define F7_SR 0x40023C0Cu

static uint8_t *pattern(uint32_t len, uint32_t seed)
{
    uint8_t *p = malloc(len);
    assert_non_null(p);
    for (uint32_t i = 0; i < len; i++)
        p[i] = (uint8_t)(i * 13u + seed);
    return p;
}

static void expect_sector(struct family_fixture *fx, uint64_t a, uint64_t start, uint64_t size)
{
    uint64_t s = 0, n = 0;
    assert_int_equal(fx->family->sector_at(fx->flash, a, &s, &n), 0);
    assert_int_equal(s, start);
    assert_int_equal(n, size);
}

/* F746 1 MiB: 4 x 32 KiB, 1 x 128 KiB, 3 x 256 KiB. */
static void identify_and_sectors(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32f7", "stm32f746zg");
    family_open(fx);
    assert_string_equal(fx->chip->name, "stm32f746zg");
    assert_int_equal(fx->geometry.size, 1024u * KIB);
    assert_int_equal(fx->geometry.write_unit, 4);
    assert_int_equal(fx->geometry.bank_count, 1);
    expect_sector(fx, BASE, BASE, 32 * KIB);
    expect_sector(fx, 0x08018004u, 0x08018000u, 32 * KIB);
    expect_sector(fx, 0x08020000u, 0x08020000u, 128 * KIB);
    expect_sector(fx, 0x0803FFFFu, 0x08020000u, 128 * KIB);
    expect_sector(fx, 0x08040000u, 0x08040000u, 256 * KIB);
    expect_sector(fx, 0x080FFFFFu, 0x080C0000u, 256 * KIB);
    uint64_t s, n;
    assert_error(fx->family->sector_at(fx->flash, 0x08100000u, &s, &n), ESPCTL_E_INVAL,
                 "0x08100000");
    family_free(fx);
}

/* F722 512 KiB: 16 KiB sectors, flash size register at 0x1FF07A22. */
static void f72x_layout(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32f7", "stm32f722ze");
    family_open(fx);
    assert_int_equal(fx->chip->device_id, 0x452);
    assert_int_equal(fx->geometry.size, 512u * KIB);
    expect_sector(fx, 0x08004000u, 0x08004000u, 16 * KIB);
    expect_sector(fx, 0x08010000u, 0x08010000u, 64 * KIB);
    expect_sector(fx, 0x08060000u, 0x08060000u, 128 * KIB);
    family_fill(fx, 0x08004000u, 16 * KIB, 0);
    assert_int_equal(fx->family->erase_sector(fx->flash, 0x08004000u), 0);
    assert_true(family_all(fx, 0x08004000u, 16 * KIB, 0xFF));
    assert_true(family_byte(fx, 0x08008000u) == 0xFF);
    family_free(fx);
}

/* SNB selects exactly the sector; programming is x32 (one unit per word). */
/* F767 in single-bank mode (nDBANK=1): 2 MiB, sector 11 is the last 256 KiB. */
static void f76x_single_bank(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32f7", "stm32f767zi");
    family_open(fx);
    assert_int_equal(fx->chip->device_id, 0x451);
    assert_int_equal(fx->geometry.size, 2048u * KIB);
    assert_int_equal(fx->geometry.bank_count, 1);
    expect_sector(fx, 0x081FFFFFu, 0x081C0000u, 256 * KIB);
    family_fill(fx, 0x081C0000u, 256 * KIB, 0);
    family_fill(fx, 0x08180000u, 256 * KIB, 0);
    assert_int_equal(fx->family->erase_sector(fx->flash, 0x081C0000u), 0);
    assert_true(family_all(fx, 0x081C0000u, 256 * KIB, 0xFF));
    assert_true(family_all(fx, 0x08180000u, 256 * KIB, 0x00));
    family_free(fx);
}

/* F767 in dual-bank mode (nDBANK=0): two banks of 4x16 + 64 + 7x128 KiB; bank 2's sectors are
 * selected with SNB 0x10+n, and MER2 joins MER for the mass erase. */
static void f76x_dual_bank(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32f7", "stm32f767zi");
    assert_int_equal(sim_flash_stm32f7_set_dual_bank(&fx->target->flash, 1), 0);
    family_open(fx);
    assert_int_equal(fx->geometry.size, 2048u * KIB);
    assert_int_equal(fx->geometry.bank_count, 2);
    expect_sector(fx, 0x08004000u, 0x08004000u, 16 * KIB);
    expect_sector(fx, 0x080FFFFFu, 0x080E0000u, 128 * KIB);
    expect_sector(fx, 0x08100000u, 0x08100000u, 16 * KIB);
    expect_sector(fx, 0x08110000u, 0x08110000u, 64 * KIB);
    family_fill(fx, BASE, 32 * KIB, 0x00);
    family_fill(fx, 0x08104000u, 16 * KIB, 0x00);
    assert_int_equal(fx->family->erase_sector(fx->flash, 0x08104000u), 0);
    assert_true(family_all(fx, 0x08104000u, 16 * KIB, 0xFF));
    assert_true(family_all(fx, BASE, 32 * KIB, 0x00)); /* bank 1's sectors 0 and 1 untouched */
    uint8_t *data = pattern(8 * KIB, 3);
    assert_int_equal(fx->family->program(fx->flash, 0x08104000u, data, 8 * KIB), 0);
    assert_int_equal(family_byte(fx, 0x08105FFFu), data[8 * KIB - 1]);
    free(data);
    family_fill(fx, 0x081F0000u, 64, 0x00);
    assert_int_equal(fx->family->mass_erase(fx->flash), 0);
    assert_true(family_all(fx, BASE, 2048u * KIB, 0xFF));
    family_free(fx);
}

static void erase_one_sector_and_program(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32f7", "stm32f746zg");
    family_fill(fx, BASE, 5 * 32 * KIB, 0x00);
    family_open(fx);
    assert_int_equal(fx->family->erase_sector(fx->flash, 0x08008000u), 0);
    assert_true(family_all(fx, 0x08008000u, 32 * KIB, 0xFF));
    assert_true(family_all(fx, BASE, 32 * KIB, 0x00));
    assert_true(family_all(fx, 0x08010000u, 32 * KIB, 0x00));
    uint8_t *data = pattern(6 * KIB, 5);
    assert_int_equal(fx->family->program(fx->flash, 0x08008000u, data, 6 * KIB), 0);
    for (uint32_t i = 0; i < 6 * KIB; i++)
        assert_int_equal(family_byte(fx, 0x08008000u + i), data[i]);
    assert_int_equal(fx->target->stats.page_erases, 1);
    assert_int_equal(fx->target->stats.double_words_programmed, 6 * KIB / 4);
    free(data);
    family_free(fx);
}

static void mass_erase(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32f7", "stm32f746zg");
    family_fill(fx, 0x080F0000u, 64 * KIB, 0x42);
    family_open(fx);
    assert_int_equal(fx->family->mass_erase(fx->flash), 0);
    assert_true(family_all(fx, BASE, 1024u * KIB, 0xFF));
    assert_int_equal(fx->target->stats.mass_erases, 1);
    family_free(fx);
}

static void error_flags_are_named(void **state)
{
    (void)state;
    static const char *const kinds[][2] = {{"pgaerr", "PGAERR"}, {"sizerr", "PGPERR"},
                                           {"progerr", "OPERR"}, {"pgserr", "ERSERR"},
                                           {"wrperr", "WRPERR"}};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        struct family_fixture *fx = family_load("stm32f7", "stm32f746zg");
        family_open(fx);
        char spec[64];
        snprintf(spec, sizeof spec, "flash-err=%s@0x08001504", kinds[k][0]);
        family_fault(fx, spec);
        uint8_t *data = pattern(12 * KIB, 1);
        family_count_reads(F7_SR);
        assert_error(fx->family->program(fx->flash, BASE, data, 12 * KIB), ESPCTL_E_TARGET,
                     kinds[k][1], "0x08001504", "FLASH_SR");
        assert_int_equal(family_reads(), 1); /* one run, one status read */
        /* Every word before the failing one landed, none from it on. */
        for (uint32_t i = 0; i < 0x1504; i++)
            assert_int_equal(family_byte(fx, BASE + i), data[i]);
        assert_true(family_all(fx, BASE + 0x1504, 12 * KIB - 0x1504, 0xFF));
        assert_int_equal(fx->family->erase_sector(fx->flash, BASE), 0);
        assert_int_equal(fx->family->program(fx->flash, BASE, data, 12 * KIB), 0);
        free(data);
        family_free(fx);
    }
}

/* A run is checked by one SR read, however many transfer blocks it spans; a longer program is
 * split into runs of at most 64 KiB (a short tail is padded in the last one). */
static void one_status_read_per_run(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32f7", "stm32f746zg");
    family_open(fx);
    uint32_t len = 96 * KIB + 6;
    uint8_t *data = pattern(len, 4);
    family_count_reads(F7_SR);
    assert_int_equal(fx->family->program(fx->flash, BASE, data, 32 * KIB), 0);
    assert_int_equal(family_reads(), 1);
    family_count_reads(F7_SR);
    assert_int_equal(fx->family->program(fx->flash, BASE + 128 * KIB, data, len), 0);
    assert_int_equal(family_reads(), 2);
    for (uint32_t i = 0; i < len; i++)
        assert_int_equal(family_byte(fx, BASE + 128 * KIB + i), data[i]);
    assert_true(family_all(fx, BASE + 128 * KIB + len, 2, 0xFF));
    free(data);
    family_free(fx);
}

static void write_protected_sector(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32f7", "stm32f746zg");
    family_fault(fx, "wrp=2-2");
    family_fill(fx, 0x08010000u, 32 * KIB, 0x00);
    family_open(fx);
    assert_error(fx->family->erase_sector(fx->flash, 0x08010000u), ESPCTL_E_TARGET,
                 "write-protected", "sector 2", "0x08010000", "nWRP2");
    assert_true(family_all(fx, 0x08010000u, 32 * KIB, 0x00));
    assert_int_equal(fx->family->erase_sector(fx->flash, 0x08018000u), 0);
    assert_error(fx->family->mass_erase(fx->flash), ESPCTL_E_TARGET, "sector 2");
    family_free(fx);
}

static void bad_ranges(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32f7", "stm32f746zg");
    family_open(fx);
    uint8_t data[8] = {0};
    assert_error(fx->family->program(fx->flash, 0x080FFFFCu, data, 8), ESPCTL_E_INVAL,
                 "0x080ffffc", "stm32f746zg");
    assert_error(fx->family->erase_sector(fx->flash, 0x08020100u), ESPCTL_E_INVAL,
                 "not the start of a sector");
    family_free(fx);
}

static void not_an_f7(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32f7", "stm32l476rg");
    const struct espctl_chip_desc *chip = NULL;
    assert_error(fx->family->identify(fx->family->family_data, &fx->mem, &chip),
                 ESPCTL_E_NOT_FOUND, "0x415", "not an STM32F7");
    family_free(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(identify_and_sectors),
        cmocka_unit_test(f72x_layout),
        cmocka_unit_test(f76x_single_bank),
        cmocka_unit_test(f76x_dual_bank),
        cmocka_unit_test(erase_one_sector_and_program),
        cmocka_unit_test(mass_erase),
        cmocka_unit_test(error_flags_are_named),
        cmocka_unit_test(one_status_read_per_run),
        cmocka_unit_test(write_protected_sector),
        cmocka_unit_test(bad_ranges),
        cmocka_unit_test(not_an_f7),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
