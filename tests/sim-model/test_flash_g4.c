/* STM32G4 flash controller: unlock, erase, double-word programming, errors, timing, WRP. */
#include "helpers.h"

#define SR_EOP (1u << 0)
#define SR_PROGERR (1u << 3)
#define SR_WRPERR (1u << 4)
#define SR_PGAERR (1u << 5)
#define SR_SIZERR (1u << 6)
#define SR_PGSERR (1u << 7)
#define SR_BSY (1u << 16)
#define CR_PG 1u
#define CR_PER 2u
#define CR_MER1 4u
#define CR_STRT (1u << 16)
#define CR_EOPIE (1u << 24)
#define CR_LOCK 0x80000000u

static void program_dw(struct sim_target *t, uint32_t addr, uint32_t lo, uint32_t hi)
{
    wr32(t, addr, lo);
    wr32(t, addr + 4, hi);
}

static void test_locked_after_reset_and_unlock(void **state)
{
    (void)state;
    struct sim_target *t = new_g431();
    assert_int_equal(rd32(t, F_CR), 0xC0000000u);
    wr32(t, F_CR, CR_PG); /* ignored while locked */
    assert_int_equal(rd32(t, F_CR) & CR_PG, 0);
    unlock_flash(t);
    wr32(t, F_CR, CR_LOCK);
    assert_int_equal(rd32(t, F_CR) & CR_LOCK, CR_LOCK);
    sim_target_free(t);
}

static void test_wrong_key_locks_until_reset(void **state)
{
    (void)state;
    struct sim_target *t = new_g431();
    assert_int_equal(sim_bus_write(&t->bus, F_KEYR, 4, 0x12345678u), -1);
    assert_int_equal(sim_bus_write(&t->bus, F_KEYR, 4, 0x45670123u), -1);
    assert_int_equal(sim_bus_write(&t->bus, F_KEYR, 4, 0xCDEF89ABu), -1);
    assert_int_equal(rd32(t, F_CR) & CR_LOCK, CR_LOCK);
    sim_target_system_reset(t);
    unlock_flash(t);
    sim_target_free(t);
}

static void test_program_double_word_with_timing(void **state)
{
    (void)state;
    struct sim_target *t = new_g431();
    unlock_flash(t);
    wr32(t, F_CR, CR_PG | CR_EOPIE);
    uint64_t t0 = t->clock.now_ns;
    program_dw(t, FLASH_BASE + 8, 0x11223344u, 0x55667788u);
    assert_int_equal(rd32(t, F_SR) & SR_BSY, SR_BSY);
    assert_int_equal(t->clock.now_ns, t0);
    sim_clock_advance(&t->clock, SIM_G4_PROGRAM_DW_NS - 1);
    assert_int_equal(rd32(t, F_SR) & SR_BSY, SR_BSY);
    sim_clock_advance(&t->clock, 1);
    assert_int_equal(rd32(t, F_SR), SR_EOP);
    wr32(t, F_SR, SR_EOP); /* write-1-to-clear */
    assert_int_equal(rd32(t, F_SR), 0);
    assert_int_equal(rd32(t, FLASH_BASE + 8), 0x11223344u);
    assert_int_equal(rd32(t, FLASH_BASE + 12), 0x55667788u);
    assert_int_equal(t->stats.double_words_programmed, 1);
    sim_target_free(t);
}

static void test_write_while_busy_stalls(void **state)
{
    (void)state;
    struct sim_target *t = new_g431();
    unlock_flash(t);
    wr32(t, F_CR, CR_PG);
    uint64_t t0 = t->clock.now_ns;
    program_dw(t, FLASH_BASE, 1, 2);
    program_dw(t, FLASH_BASE + 8, 3, 4); /* first word waits for the previous double word */
    assert_int_equal(t->clock.now_ns, t0 + SIM_G4_PROGRAM_DW_NS);
    assert_int_equal(t->stats.flash_stall_ns, SIM_G4_PROGRAM_DW_NS);
    assert_int_equal(rd32(t, F_SR) & SR_EOP, 0); /* EOP only with EOPIE */
    assert_int_equal(rd32(t, FLASH_BASE + 8), 3); /* reading while busy stalls too */
    assert_int_equal(t->clock.now_ns, t0 + 2 * SIM_G4_PROGRAM_DW_NS);
    sim_target_free(t);
}

static void test_program_errors(void **state)
{
    (void)state;
    struct sim_target *t = new_g431();
    /* PGSERR: write without PG. */
    unlock_flash(t);
    wr32(t, FLASH_BASE, 0);
    assert_int_equal(rd32(t, F_SR), SR_PGSERR);
    /* Stale errors make the next programming fail with PGSERR too. */
    wr32(t, F_CR, CR_PG);
    program_dw(t, FLASH_BASE, 1, 2);
    assert_int_equal(rd32(t, F_SR) & SR_PGSERR, SR_PGSERR);
    assert_int_equal(rd32(t, FLASH_BASE), 0xFFFFFFFFu);
    wr32(t, F_SR, 0xFFFFFFFFu);
    /* PGAERR: first word not on a double-word boundary. */
    wr32(t, FLASH_BASE + 4, 1);
    assert_int_equal(rd32(t, F_SR), SR_PGAERR);
    wr32(t, F_SR, SR_PGAERR);
    /* PGAERR: second word outside the double word. */
    wr32(t, FLASH_BASE + 16, 1);
    wr32(t, FLASH_BASE + 32, 2);
    assert_int_equal(rd32(t, F_SR), SR_PGAERR);
    wr32(t, F_SR, SR_PGAERR);
    /* SIZERR: half-word access. */
    assert_int_equal(sim_bus_write(&t->bus, FLASH_BASE + 40, 2, 0x1234), 0);
    assert_int_equal(rd32(t, F_SR), SR_SIZERR);
    wr32(t, F_SR, SR_SIZERR);
    /* PROGERR: target not erased, unless writing all zeros. */
    program_dw(t, FLASH_BASE + 48, 0x0000FFFFu, 0xFFFFFFFFu);
    sim_clock_advance(&t->clock, SIM_G4_PROGRAM_DW_NS);
    program_dw(t, FLASH_BASE + 48, 0x12345678u, 0);
    assert_int_equal(rd32(t, F_SR), SR_PROGERR);
    assert_int_equal(rd32(t, FLASH_BASE + 48), 0x0000FFFFu);
    wr32(t, F_SR, SR_PROGERR);
    program_dw(t, FLASH_BASE + 48, 0, 0);
    sim_clock_advance(&t->clock, SIM_G4_PROGRAM_DW_NS);
    assert_int_equal(rd32(t, F_SR), 0);
    assert_int_equal(rd32(t, FLASH_BASE + 48), 0);
    assert_int_equal(t->stats.double_words_programmed, 2);
    sim_target_free(t);
}

static void test_page_and_mass_erase(void **state)
{
    (void)state;
    struct sim_target *t = new_g431();
    unlock_flash(t);
    wr32(t, F_CR, CR_PG);
    program_dw(t, FLASH_BASE + 2048, 0xA5A5A5A5u, 0x5A5A5A5Au); /* page 1 */
    program_dw(t, FLASH_BASE + 4096, 0xA5A5A5A5u, 0x5A5A5A5Au); /* page 2 */
    wr32(t, F_CR, 0);
    uint64_t t0 = t->clock.now_ns;
    wr32(t, F_CR, CR_PER | (1u << 3) | CR_STRT);
    assert_true(t->clock.now_ns >= t0); /* the CR write waited for the pending program */
    uint64_t start = t->clock.now_ns;
    assert_int_equal(rd32(t, F_SR) & SR_BSY, SR_BSY);
    sim_clock_advance(&t->clock, SIM_G4_PAGE_ERASE_NS);
    assert_int_equal(rd32(t, F_SR), 0);
    assert_int_equal(rd32(t, FLASH_BASE + 2048), 0xFFFFFFFFu);
    assert_int_equal(rd32(t, FLASH_BASE + 4096), 0xA5A5A5A5u);
    assert_int_equal(t->clock.now_ns, start + SIM_G4_PAGE_ERASE_NS);
    wr32(t, F_CR, CR_MER1 | CR_STRT);
    assert_int_equal(rd32(t, FLASH_BASE + 4096), 0xFFFFFFFFu); /* stalls the 22 ms */
    assert_int_equal(t->stats.page_erases, 1);
    assert_int_equal(t->stats.mass_erases, 1);
    /* STRT with both PER and MER1 is a sequence error. */
    wr32(t, F_CR, CR_PER | CR_MER1 | CR_STRT);
    assert_int_equal(rd32(t, F_SR), SR_PGSERR);
    sim_target_free(t);
}

static void test_write_protection(void **state)
{
    (void)state;
    struct sim_target *t = new_g431();
    char err[128];
    assert_int_equal(sim_faults_parse(&t->faults, "wrp=2-3", err, sizeof err), 0);
    assert_int_equal(sim_target_apply_faults(t), 0);
    assert_int_equal(rd32(t, F_WRP1AR), 0x00030002u);
    unlock_flash(t);
    wr32(t, F_CR, CR_PER | (3u << 3) | CR_STRT);
    assert_int_equal(rd32(t, F_SR), SR_WRPERR);
    wr32(t, F_SR, SR_WRPERR);
    wr32(t, F_CR, CR_PG);
    program_dw(t, FLASH_BASE + 2 * 2048, 0, 0);
    assert_int_equal(rd32(t, F_SR), SR_WRPERR);
    wr32(t, F_SR, SR_WRPERR);
    program_dw(t, FLASH_BASE + 4 * 2048, 0, 0); /* page 4 is not protected */
    assert_int_equal(rd32(t, F_SR) & ~SR_BSY, 0);
    wr32(t, F_CR, CR_MER1 | CR_STRT);
    assert_int_equal(rd32(t, F_SR), SR_WRPERR);
    assert_int_equal(t->stats.mass_erases, 0);
    sim_target_free(t);
}

static void test_injected_flash_error_is_one_shot(void **state)
{
    (void)state;
    struct sim_target *t = new_g431();
    char err[128];
    assert_int_equal(sim_faults_parse(&t->faults, "flash-err=pgaerr@0x08000010", err, sizeof err), 0);
    unlock_flash(t);
    wr32(t, F_CR, CR_PG);
    program_dw(t, FLASH_BASE, 1, 2); /* not the armed address */
    sim_clock_advance(&t->clock, SIM_G4_PROGRAM_DW_NS);
    assert_int_equal(rd32(t, F_SR), 0);
    program_dw(t, FLASH_BASE + 16, 1, 2);
    assert_int_equal(rd32(t, F_SR), SR_PGAERR);
    wr32(t, F_SR, SR_PGAERR);
    program_dw(t, FLASH_BASE + 16, 1, 2);
    sim_clock_advance(&t->clock, SIM_G4_PROGRAM_DW_NS);
    assert_int_equal(rd32(t, F_SR), 0);
    assert_int_equal(rd32(t, FLASH_BASE + 16), 1);
    sim_target_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_locked_after_reset_and_unlock),
        cmocka_unit_test(test_wrong_key_locks_until_reset),
        cmocka_unit_test(test_program_double_word_with_timing),
        cmocka_unit_test(test_write_while_busy_stalls),
        cmocka_unit_test(test_program_errors),
        cmocka_unit_test(test_page_and_mass_erase),
        cmocka_unit_test(test_write_protection),
        cmocka_unit_test(test_injected_flash_error_is_one_shot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
