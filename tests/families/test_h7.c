/* stm32h7.so against the simulated STM32H743ZI, in process. */
#include "family_harness.h"

#include <stdlib.h>
#include <string.h>

#include "sim/flash_families.h"

#define BANK1 0x08000000u
#define BANK2 0x08100000u
#define SECTOR (128u * 1024u)
#define FLASH_SIZE_REG 0x1FF1E880u
#define SR1 0x52002010u
#define SR2 0x52002110u

static uint8_t *pattern(uint32_t len, uint32_t seed)
{
    uint8_t *p = malloc(len);
    assert_non_null(p);
    for (uint32_t i = 0; i < len; i++)
        p[i] = (uint8_t)(i * 11u + seed);
    return p;
}

/* Make the simulated part report `kib` KiB in its flash size register. */
static void set_size_register(struct family_fixture *fx, uint32_t kib)
{
    const struct sim_chip *c = fx->target->chip;
    sim_le_put(fx->target->info + (FLASH_SIZE_REG - c->info_base), 2, kib);
}

static void identify_and_geometry(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32h7", "stm32h743zi");
    family_open(fx);
    assert_string_equal(fx->chip->name, "stm32h743zi");
    assert_int_equal(fx->chip->device_id, 0x450);
    assert_int_equal(fx->geometry.base, BANK1);
    assert_int_equal(fx->geometry.size, 2048u * 1024u);
    assert_int_equal(fx->geometry.write_unit, 32);
    assert_int_equal(fx->geometry.bank_count, 2);
    uint64_t s = 0, n = 0;
    assert_int_equal(fx->family->sector_at(fx->flash, 0x08123456u, &s, &n), 0);
    assert_int_equal(s, 0x08120000u);
    assert_int_equal(n, SECTOR);
    family_free(fx);
}

/* A 100-byte run: three whole flash words and a fourth forced with FW; the rest of that
 * word stays erased. Bank 2 is reached through its own register set. */
static void partial_last_word_is_forced(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32h7", "stm32h743zi");
    family_fill(fx, BANK2, SECTOR, 0x00);
    family_fill(fx, BANK1, SECTOR, 0x00);
    family_open(fx);
    assert_int_equal(fx->family->erase_sector(fx->flash, BANK2), 0);
    assert_true(family_all(fx, BANK2, SECTOR, 0xFF));
    assert_true(family_all(fx, BANK1, SECTOR, 0x00));
    uint8_t *data = pattern(100, 4);
    assert_int_equal(fx->family->program(fx->flash, BANK2, data, 100), 0);
    for (uint32_t i = 0; i < 100; i++)
        assert_int_equal(family_byte(fx, BANK2 + i), data[i]);
    assert_true(family_all(fx, BANK2 + 100, 28, 0xFF));
    assert_int_equal(fx->target->stats.double_words_programmed, 4);
    free(data);
    family_free(fx);
}

/* On the 2 MiB part the banks are contiguous: one run programs the end of bank 1 and the
 * start of bank 2. */
static void program_across_banks(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32h7", "stm32h743zi");
    family_open(fx);
    uint8_t *data = pattern(4096, 8);
    assert_int_equal(fx->family->program(fx->flash, BANK2 - 2048, data, 4096), 0);
    for (uint32_t i = 0; i < 4096; i++)
        assert_int_equal(family_byte(fx, BANK2 - 2048 + i), data[i]);
    assert_int_equal(fx->target->stats.double_words_programmed, 4096 / 32);
    free(data);
    family_free(fx);
}

/* A 1 MiB part: two 512 KiB banks 1 MiB apart, with a gap in between. */
static void gap_between_banks(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32h7", "stm32h743zi");
    set_size_register(fx, 1024);
    family_open(fx);
    assert_int_equal(fx->geometry.size, 0x180000u);
    assert_int_equal(fx->geometry.bank_count, 2);
    uint8_t data[64] = {0};
    assert_error(fx->family->program(fx->flash, 0x08080000u, data, 32), ESPCTL_E_INVAL,
                 "gap", "0x08080000", "bank 2 (0x08100000");
    assert_error(fx->family->program(fx->flash, 0x0807FFE0u, data, 64), ESPCTL_E_INVAL, "gap",
                 "0x08080000");
    assert_true(family_all(fx, 0x0807FFE0u, 32, 0xFF)); /* checked before anything was written */
    uint64_t s, n;
    assert_error(fx->family->sector_at(fx->flash, 0x080A0000u, &s, &n), ESPCTL_E_INVAL, "gap");
    assert_error(fx->family->erase_sector(fx->flash, 0x080C0000u), ESPCTL_E_INVAL, "gap");
    assert_error(fx->family->program(fx->flash, 0x08180000u, data, 32), ESPCTL_E_INVAL,
                 "0x08180000", "not in");
    assert_int_equal(fx->family->erase_sector(fx->flash, 0x08160000u), 0);
    family_free(fx);
}

static void mass_erase_is_two_bank_erases(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32h7", "stm32h743zi");
    family_fill(fx, BANK1, 4096, 0x12);
    family_fill(fx, 0x081FF000u, 4096, 0x34);
    family_open(fx);
    assert_int_equal(fx->family->mass_erase(fx->flash), 0);
    assert_true(family_all(fx, BANK1, 2048u * 1024u, 0xFF));
    assert_int_equal(fx->target->stats.mass_erases, 2);
    family_free(fx);
}

static void error_flags_are_named(void **state)
{
    (void)state;
    static const char *const kinds[][2] = {{"pgaerr", "INCERR"},  {"sizerr", "STRBERR"},
                                           {"progerr", "OPERR"},  {"pgserr", "PGSERR"},
                                           {"wrperr", "WRPERR"}};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        struct family_fixture *fx = family_load("stm32h7", "stm32h743zi");
        family_open(fx);
        char spec[64];
        snprintf(spec, sizeof spec, "flash-err=%s@0x08101440", kinds[k][0]);
        family_fault(fx, spec);
        uint8_t *data = pattern(12288, 2);
        family_count_reads(SR2);
        assert_error(fx->family->program(fx->flash, BANK2, data, 12288), ESPCTL_E_TARGET,
                     kinds[k][1], "0x08101440", "FLASH_SR2");
        assert_int_equal(family_reads(), 1); /* one run, one status read */
        /* Every flash word before the failing one landed, none from it on. */
        for (uint32_t i = 0; i < 0x1440; i++)
            assert_int_equal(family_byte(fx, BANK2 + i), data[i]);
        assert_true(family_all(fx, BANK2 + 0x1440, 12288 - 0x1440, 0xFF));
        assert_int_equal(fx->family->erase_sector(fx->flash, BANK2), 0);
        assert_int_equal(fx->family->program(fx->flash, BANK2, data, 12288), 0);
        free(data);
        family_free(fx);
    }
}

/* A run is checked by one SR read, however many transfer blocks it spans; a longer program is
 * split into runs of at most 64 KiB, the last one ending in a forced partial flash word. */
static void one_status_read_per_run(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32h7", "stm32h743zi");
    family_open(fx);
    uint32_t len = 64u * 1024u + 100u;
    uint8_t *data = pattern(len, 6);
    family_count_reads(SR1);
    assert_int_equal(fx->family->program(fx->flash, BANK1, data, 32u * 1024u), 0);
    assert_int_equal(family_reads(), 1);
    family_count_reads(SR1);
    assert_int_equal(fx->family->program(fx->flash, BANK1 + SECTOR, data, len), 0);
    assert_int_equal(family_reads(), 2);
    for (uint32_t i = 0; i < len; i++)
        assert_int_equal(family_byte(fx, BANK1 + SECTOR + i), data[i]);
    assert_true(family_all(fx, BANK1 + SECTOR + len, 28, 0xFF));
    assert_int_equal(fx->target->stats.double_words_programmed, (32u * 1024u + len + 31u) / 32u);
    free(data);
    family_free(fx);
}

/* A double ECC error on a read is reported with the failing flash word by the next
 * operation on that bank. */
static void ecc_error_names_the_word(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32h7", "stm32h743zi");
    family_open(fx);
    assert_int_equal(sim_flash_stm32h7_inject_ecc(&fx->target->flash, 0x08000040u, 1), 0);
    uint8_t buf[32];
    assert_int_not_equal(fx->mem.read(fx->mem.ctx, 0x08000040u, buf, 32), 0);
    uint8_t data[32] = {1};
    assert_error(fx->family->program(fx->flash, 0x08000100u, data, 32), ESPCTL_E_TARGET,
                 "DBECCERR1", "ECC failure at flash word 0x08000040");
    family_free(fx);
}

static void write_protected_sector(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32h7", "stm32h743zi");
    family_fault(fx, "wrp=9-9");
    family_fill(fx, 0x08120000u, SECTOR, 0x00);
    family_open(fx);
    assert_error(fx->family->erase_sector(fx->flash, 0x08120000u), ESPCTL_E_TARGET,
                 "write-protected", "bank 2 sector 1", "0x08120000", "WPSN_CUR2R");
    assert_true(family_all(fx, 0x08120000u, SECTOR, 0x00));
    uint8_t data[32] = {0};
    assert_error(fx->family->program(fx->flash, 0x08120000u, data, 32), ESPCTL_E_TARGET,
                 "write-protected");
    assert_int_equal(fx->family->erase_sector(fx->flash, 0x08020000u), 0);
    assert_error(fx->family->mass_erase(fx->flash), ESPCTL_E_TARGET, "bank 2 sector 1");
    family_free(fx);
}

static void misaligned_start(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32h7", "stm32h743zi");
    family_open(fx);
    uint8_t data[32] = {0};
    assert_error(fx->family->program(fx->flash, 0x08000010u, data, 32), ESPCTL_E_INVAL,
                 "32-byte flash word");
    family_free(fx);
}

/* The CRC unit driven through its registers the way RM0433 describes: 128 zero bytes give
 * 0x11E66C62, the value reported for real silicon (decision 0804). */
static void crc_unit_matches_the_reported_vector(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32h7", "stm32h743zi");
    family_fill(fx, BANK2, SECTOR, 0x00);
    family_open(fx);
    const uint32_t regs = 0x52002100u; /* bank 2 */
    assert_int_equal(fx->mem.write32(fx->mem.ctx, regs + 0x0C, 1u << 15), 0);  /* CRC_EN */
    assert_int_equal(fx->mem.write32(fx->mem.ctx, regs + 0x50, 1u << 17), 0);  /* CLEAN_CRC */
    assert_int_equal(fx->mem.write32(fx->mem.ctx, regs + 0x54, BANK2), 0);
    assert_int_equal(fx->mem.write32(fx->mem.ctx, regs + 0x58, BANK2 + 0xFFFFCu), 0);
    assert_int_equal(fx->mem.write32(fx->mem.ctx, regs + 0x50, 1u << 16), 0);  /* START_CRC */
    uint32_t sr = 0, crc = 0;
    assert_int_equal(fx->mem.read32(fx->mem.ctx, SR2, &sr), 0);
    assert_true(sr & (1u << 3)); /* CRC_BUSY while the bank's 32768 flash words are read */
    fx->target->clock.now_ns += 20000000u;
    assert_int_equal(fx->mem.write32(fx->mem.ctx, regs + 0x50, 1u << 17), 0);
    assert_int_equal(fx->mem.write32(fx->mem.ctx, regs + 0x58, BANK2 + 124u), 0);
    assert_int_equal(fx->mem.write32(fx->mem.ctx, regs + 0x50, 1u << 16), 0);
    fx->target->clock.now_ns += 1000000u;
    assert_int_equal(fx->mem.read32(fx->mem.ctx, SR2, &sr), 0);
    assert_false(sr & (1u << 3));
    assert_true(sr & (1u << 27)); /* CRCEND */
    assert_int_equal(fx->mem.read32(fx->mem.ctx, 0x5200205Cu, &crc), 0);
    assert_int_equal(crc, 0x11E66C62u);
    family_free(fx);
}

/* check() confirms a programmed range without reading it back, and finds one flipped byte. */
static void check_confirms_and_catches_a_flip(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32h7", "stm32h743zi");
    family_open(fx);
    assert_int_equal(fx->geometry.check_unit, 128);
    assert_true(ESPCTL_HAS_FN(fx->family, struct espctl_chip_family, check));
    uint32_t len = 4096;
    uint8_t *data = pattern(len, 9);
    assert_int_equal(fx->family->program(fx->flash, BANK2 + 0x400, data, len), 0);
    uint64_t checked = 0;
    int same = 0;
    uint64_t words = fx->target->stats.words_read;
    assert_int_equal(fx->family->check(fx->flash, BANK2 + 0x400, data, len, &checked, &same), 0);
    /* a few register reads (SR, CRCDATA), not the 1024 words of the range */
    assert_true(fx->target->stats.words_read - words < 8);
    assert_int_equal(checked, len);
    assert_true(same);
    fx->target->flash.array[0x100000u + 0x400u + 1000u] ^= 0x10;
    assert_int_equal(fx->family->check(fx->flash, BANK2 + 0x400, data, len, &checked, &same), 0);
    assert_int_equal(checked, len);
    assert_false(same);
    free(data);
    family_free(fx);
}

/* A range running from bank 1 into bank 2 is checked up to the end of bank 1 first. */
static void check_stops_at_the_bank_end(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32h7", "stm32h743zi");
    family_open(fx);
    uint8_t *data = pattern(512, 3);
    assert_int_equal(fx->family->program(fx->flash, BANK2 - 256, data, 512), 0);
    uint64_t checked = 0;
    int same = 0;
    assert_int_equal(fx->family->check(fx->flash, BANK2 - 256, data, 512, &checked, &same), 0);
    assert_int_equal(checked, 256);
    assert_true(same);
    assert_int_equal(fx->family->check(fx->flash, BANK2, data + 256, 256, &checked, &same), 0);
    assert_int_equal(checked, 256);
    assert_true(same);
    assert_error(fx->family->check(fx->flash, BANK1 + 64, data, 128, &checked, &same),
                 ESPCTL_E_INVAL, "128-byte bursts");
    free(data);
    family_free(fx);
}

static void not_an_h7(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32h7", "stm32f746zg");
    const struct espctl_chip_desc *chip = NULL;
    int rc = fx->family->identify(fx->family->family_data, &fx->mem, &chip);
    assert_int_not_equal(rc, 0); /* the F7 has nothing at 0x5C001000: a bus error */
    assert_null(chip);
    family_free(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(identify_and_geometry),
        cmocka_unit_test(partial_last_word_is_forced),
        cmocka_unit_test(program_across_banks),
        cmocka_unit_test(gap_between_banks),
        cmocka_unit_test(mass_erase_is_two_bank_erases),
        cmocka_unit_test(error_flags_are_named),
        cmocka_unit_test(one_status_read_per_run),
        cmocka_unit_test(ecc_error_names_the_word),
        cmocka_unit_test(write_protected_sector),
        cmocka_unit_test(misaligned_start),
        cmocka_unit_test(crc_unit_matches_the_reported_vector),
        cmocka_unit_test(check_confirms_and_catches_a_flip),
        cmocka_unit_test(check_stops_at_the_bank_end),
        cmocka_unit_test(not_an_h7),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
