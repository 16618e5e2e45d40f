/* stm32l4.so against the simulated STM32L476RG / L432KC, in process. */
#include "family_harness.h"

#include <stdlib.h>
#include <string.h>

#define BASE 0x08000000u
#define PAGE 2048u
#define L4_SR 0x40022010u

static uint8_t *pattern(uint32_t len, uint32_t seed)
{
    uint8_t *p = malloc(len);
    assert_non_null(p);
    for (uint32_t i = 0; i < len; i++)
        p[i] = (uint8_t)(i * 7u + seed);
    return p;
}

static int erase(struct family_fixture *fx, uint64_t a)
{
    return fx->family->erase_sector(fx->flash, a);
}

static int program(struct family_fixture *fx, uint64_t a, const uint8_t *d, uint64_t n)
{
    return fx->family->program(fx->flash, a, d, n);
}

static void identify_and_geometry(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32l4", "stm32l476rg");
    family_open(fx);
    assert_string_equal(fx->chip->name, "stm32l476rg");
    assert_int_equal(fx->chip->device_id, 0x415);
    assert_int_equal(fx->geometry.base, BASE);
    assert_int_equal(fx->geometry.size, 1024u * 1024u);
    assert_int_equal(fx->geometry.write_unit, 8);
    assert_int_equal(fx->geometry.bank_count, 2);
    uint64_t start = 0, size = 0;
    assert_int_equal(fx->family->sector_at(fx->flash, 0x080807FFu, &start, &size), 0);
    assert_int_equal(start, 0x08080000u);
    assert_int_equal(size, PAGE);
    assert_error(fx->family->sector_at(fx->flash, 0x08100000u, &start, &size), ESPCTL_E_INVAL,
                 "0x08100000", "stm32l476rg");
    family_free(fx);
}

static void single_bank_part(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32l4", "stm32l432kc");
    family_open(fx);
    assert_int_equal(fx->chip->device_id, 0x435);
    assert_int_equal(fx->geometry.size, 256u * 1024u);
    assert_int_equal(fx->geometry.bank_count, 1);
    /* Page 127 (last) is erased with PNB=127 and no BKER. */
    family_fill(fx, 0x0803F800u, PAGE, 0x00);
    assert_int_equal(erase(fx, 0x0803F800u), 0);
    assert_true(family_all(fx, 0x0803F800u, PAGE, 0xFF));
    family_free(fx);
}

/* Pages 255 (bank 1) and 256 (bank 2, PNB 0 with BKER) are erased and programmed in one run;
 * bank 1's page 0 keeps its content, so bank 2 was not addressed as bank 1. */
static void erase_and_program_across_banks(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32l4", "stm32l476rg");
    family_fill(fx, BASE, PAGE, 0x5A);
    family_fill(fx, 0x0807F800u, 2 * PAGE, 0x00);
    family_open(fx);
    assert_int_equal(erase(fx, 0x0807F800u), 0);
    assert_int_equal(erase(fx, 0x08080000u), 0);
    assert_true(family_all(fx, 0x0807F800u, 2 * PAGE, 0xFF));
    assert_true(family_all(fx, BASE, PAGE, 0x5A));
    uint8_t *data = pattern(2 * PAGE, 3);
    assert_int_equal(program(fx, 0x0807F800u, data, 2 * PAGE), 0);
    for (uint32_t i = 0; i < 2 * PAGE; i++)
        assert_int_equal(family_byte(fx, 0x0807F800u + i), data[i]);
    assert_int_equal(fx->target->stats.page_erases, 2);
    assert_int_equal(fx->target->stats.double_words_programmed, 2 * PAGE / 8);
    free(data);
    /* Closing locks the controller again. */
    fx->family->flash_close(fx->flash);
    fx->flash = NULL;
    uint32_t cr = 0;
    assert_int_equal(fx->mem.read32(fx->mem.ctx, 0x40022014u, &cr), 0);
    assert_true(cr & 0x80000000u);
    family_free(fx);
}

static void short_tail_is_padded(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32l4", "stm32l476rg");
    family_open(fx);
    const uint8_t data[13] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
    assert_int_equal(program(fx, BASE + 0x100, data, sizeof data), 0);
    assert_int_equal(family_byte(fx, BASE + 0x10C), 13);
    assert_true(family_all(fx, BASE + 0x10D, 3, 0xFF));
    assert_int_equal(fx->target->stats.double_words_programmed, 2);
    family_free(fx);
}

static void mass_erase_both_banks(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32l4", "stm32l476rg");
    family_fill(fx, BASE, 4096, 0x11);
    family_fill(fx, 0x080FF000u, 4096, 0x22);
    family_open(fx);
    assert_int_equal(fx->family->mass_erase(fx->flash), 0);
    assert_true(family_all(fx, BASE, 1024u * 1024u, 0xFF));
    assert_int_equal(fx->target->stats.mass_erases, 1);
    family_free(fx);
}

/* Each programming error flag becomes ESPCTL_E_TARGET naming the flag and the exact double word
 * that failed, although the 12 KiB are one run with one status read. */
static void error_flags_are_named(void **state)
{
    (void)state;
    static const char *const kinds[][2] = {{"pgaerr", "PGAERR"},  {"progerr", "PROGERR"},
                                           {"sizerr", "SIZERR"},  {"pgserr", "PGSERR"},
                                           {"wrperr", "WRPERR"}};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        struct family_fixture *fx = family_load("stm32l4", "stm32l476rg");
        family_open(fx);
        char spec[64];
        snprintf(spec, sizeof spec, "flash-err=%s@0x08001500", kinds[k][0]);
        family_fault(fx, spec);
        uint8_t *data = pattern(12288, 9);
        family_count_reads(L4_SR);
        assert_error(program(fx, BASE, data, 12288), ESPCTL_E_TARGET, kinds[k][1], "0x08001500",
                     "FLASH_SR");
        assert_int_equal(family_reads(), 1);
        /* Every double word before the failing one landed, none from it on. */
        for (uint32_t i = 0; i < 0x1500; i++)
            assert_int_equal(family_byte(fx, BASE + i), data[i]);
        assert_true(family_all(fx, BASE + 0x1500, 12288 - 0x1500, 0xFF));
        /* The flags were cleared: the next operation starts clean. */
        for (uint32_t p = 0; p < 6; p++)
            assert_int_equal(erase(fx, BASE + p * PAGE), 0);
        assert_int_equal(program(fx, BASE, data, 12288), 0);
        free(data);
        family_free(fx);
    }
}

/* A run is checked by one SR read, however many transfer blocks it spans; a longer program is
 * split into runs of at most 64 KiB. */
static void one_status_read_per_run(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32l4", "stm32l476rg");
    family_open(fx);
    uint32_t len = 96u * 1024u;
    uint8_t *data = pattern(len, 5);
    family_count_reads(L4_SR);
    assert_int_equal(program(fx, BASE, data, 32u * 1024u), 0);
    assert_int_equal(family_reads(), 1);
    family_count_reads(L4_SR);
    assert_int_equal(program(fx, BASE + 32u * 1024u, data, len - 32u * 1024u), 0);
    assert_int_equal(family_reads(), 1);
    family_count_reads(L4_SR);
    assert_int_equal(program(fx, BASE + len, data, len), 0);
    assert_int_equal(family_reads(), 2);
    for (uint32_t i = 0; i < len; i++)
        assert_int_equal(family_byte(fx, BASE + len + i), data[i]);
    assert_int_equal(fx->target->stats.double_words_programmed, 2 * len / 8);
    free(data);
    family_free(fx);
}

/* Page erases are not polled: one SR read each (while the page erases); the next CR write waits
 * out the running erase on the bus, and programming waits for the last one before it starts. */
static void erases_are_not_polled(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32l4", "stm32l476rg");
    family_fill(fx, BASE, 3 * PAGE, 0x00);
    family_open(fx);
    family_count_reads(L4_SR);
    for (uint32_t p = 0; p < 3; p++)
        assert_int_equal(erase(fx, BASE + p * PAGE), 0);
    assert_int_equal(family_reads(), 3);
    assert_int_equal(fx->target->stats.page_erases, 3);
    /* The last erase is still running when program starts: it waits for its end first. */
    assert_true(fx->target->clock.now_ns < fx->target->flash.busy_until_ns);
    uint8_t *data = pattern(3 * PAGE, 1);
    family_count_reads(L4_SR);
    assert_int_equal(program(fx, BASE, data, 3 * PAGE), 0);
    assert_true(family_reads() >= 2); /* the erase wait, then the run's check */
    for (uint32_t i = 0; i < 3 * PAGE; i++)
        assert_int_equal(family_byte(fx, BASE + i), data[i]);
    free(data);
    family_free(fx);
}

/* The wait for an unpolled erase is bounded: a controller that stays busy is a timeout naming
 * the page, not a hang. */
static void pending_erase_wait_is_bounded(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32l4", "stm32l476rg");
    family_open(fx);
    assert_int_equal(erase(fx, BASE + 5 * PAGE), 0);
    fx->target->flash.busy_until_ns = fx->target->clock.now_ns + 30ull * 1000000000ull;
    uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    assert_error(program(fx, BASE, data, 8), ESPCTL_E_TIMEOUT, "erase", "still busy",
                 "0x08002800");
    assert_true(fx->target->clock.now_ns < fx->target->flash.busy_until_ns);
    assert_true(family_all(fx, BASE, 8, 0xFF));
    family_free(fx);
}

/* A refused erase is flagged at STRT and caught by the one SR read; when the page before was
 * still erasing unchecked, the message names it too. */
static void refused_erase_is_caught(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32l4", "stm32l476rg");
    family_fill(fx, BASE + 6 * PAGE, PAGE, 0x00);
    family_open(fx);
    family_fault(fx, "wrp=6-7"); /* after open: the driver's WRP copy does not show it */
    assert_error(erase(fx, BASE + 6 * PAGE), ESPCTL_E_TARGET, "erase: WRPERR at 0x08003000",
                 "FLASH_SR");
    assert_null(strstr(family_last_error(), "or the end"));
    assert_true(family_all(fx, BASE + 6 * PAGE, PAGE, 0x00));
    assert_int_equal(erase(fx, BASE + 5 * PAGE), 0);
    assert_error(erase(fx, BASE + 7 * PAGE), ESPCTL_E_TARGET, "WRPERR at 0x08003800",
                 "or the end of the erase at 0x08002800");
    /* The flags were cleared: the next erase starts clean. */
    assert_int_equal(erase(fx, BASE + 4 * PAGE), 0);
    family_free(fx);
}

static void write_protected_page(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32l4", "stm32l476rg");
    family_fault(fx, "wrp=3-4");
    family_fill(fx, BASE + 3 * PAGE, PAGE, 0x00);
    family_open(fx);
    assert_error(erase(fx, BASE + 3 * PAGE), ESPCTL_E_TARGET, "write-protected", "page 3",
                 "0x08001800", "WRP1AR");
    assert_true(family_all(fx, BASE + 3 * PAGE, PAGE, 0x00));
    uint8_t data[16] = {0};
    assert_error(program(fx, BASE + 4 * PAGE, data, 16), ESPCTL_E_TARGET, "page 4");
    assert_int_equal(erase(fx, BASE + 2 * PAGE), 0);
    assert_error(fx->family->mass_erase(fx->flash), ESPCTL_E_TARGET, "write-protected");
    family_free(fx);
}

/* Bank 2's protection is read when an operation first reaches bank 2, and then refuses. */
static void write_protected_page_in_bank_2(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32l4", "stm32l476rg");
    family_fault(fx, "wrp=300-301"); /* bank 2 pages 44-45 of a 1 MiB L476 */
    family_fill(fx, BASE + 300 * PAGE, PAGE, 0x00);
    family_open(fx);
    assert_int_equal(erase(fx, BASE + 2 * PAGE), 0);
    assert_error(erase(fx, BASE + 300 * PAGE), ESPCTL_E_TARGET, "write-protected", "page 300",
                 "0x08096000", "WRP2AR");
    assert_true(family_all(fx, BASE + 300 * PAGE, PAGE, 0x00));
    assert_int_equal(erase(fx, BASE + 302 * PAGE), 0);
    family_free(fx);
}

static void bad_ranges(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32l4", "stm32l476rg");
    family_open(fx);
    uint8_t data[16] = {0};
    assert_error(program(fx, 0x080FFFF8u, data, 16), ESPCTL_E_INVAL, "0x080ffff8");
    assert_error(program(fx, BASE + 4, data, 8), ESPCTL_E_INVAL, "double-word aligned");
    assert_error(erase(fx, BASE + 0x10), ESPCTL_E_INVAL, "not the start of a page");
    family_free(fx);
}

static void not_an_l4(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32l4", "stm32g431rb");
    const struct espctl_chip_desc *chip = NULL;
    assert_error(fx->family->identify(fx->family->family_data, &fx->mem, &chip),
                 ESPCTL_E_NOT_FOUND, "0x468", "not an STM32L4");
    assert_null(chip);
    family_free(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(identify_and_geometry),
        cmocka_unit_test(single_bank_part),
        cmocka_unit_test(erase_and_program_across_banks),
        cmocka_unit_test(short_tail_is_padded),
        cmocka_unit_test(mass_erase_both_banks),
        cmocka_unit_test(error_flags_are_named),
        cmocka_unit_test(one_status_read_per_run),
        cmocka_unit_test(erases_are_not_polled),
        cmocka_unit_test(pending_erase_wait_is_bounded),
        cmocka_unit_test(refused_erase_is_caught),
        cmocka_unit_test(write_protected_page),
        cmocka_unit_test(write_protected_page_in_bank_2),
        cmocka_unit_test(bad_ranges),
        cmocka_unit_test(not_an_l4),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
