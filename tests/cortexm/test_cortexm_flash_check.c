/* The flash engine's on-target checks (chip-family check hook, ABI 1.1) -- at verify time and,
 * since decision 0805, at compare time -- on the fake G4 with its family given a check that
 * compares the fake's flash array itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"

#include <string.h>

#define BASE FAKE_FLASH_BASE
#define UNIT 64u
#define MAX_CHECK 4096u

enum mode { HONEST, LIAR, BLIND };

static struct {
    struct fake_target *t;
    enum mode mode;
    int calls;
    uint64_t bytes;
    int (*open)(void *, const struct espctl_chip_desc *, const struct espctl_target_mem *, void **,
                struct espctl_flash_geometry *);
    struct espctl_chip_family family;
} g;

static uint8_t pattern[20000];

/* What the fake holds, as its own reads see it (corrupt_addr inverted). */
static uint8_t held(uint64_t address)
{
    uint8_t b = g.t->flash[address - BASE];
    return address == g.t->corrupt_addr ? (uint8_t)~b : b;
}

static int check(void *flash, uint64_t address, const uint8_t *expected, uint64_t length,
                 uint64_t *checked, int *same)
{
    (void)flash;
    assert_int_equal(address % UNIT, 0);
    assert_int_equal(length % UNIT, 0);
    g.calls++;
    *checked = g.mode == BLIND ? 0 : (length < MAX_CHECK ? length : MAX_CHECK);
    *same = g.mode == HONEST;
    for (uint64_t i = 0; *same && i < *checked; i++)
        *same = held(address + i) == expected[i];
    g.bytes += *checked;
    return 0;
}

static int open_with_check(void *family_data, const struct espctl_chip_desc *chip,
                           const struct espctl_target_mem *mem, void **flash,
                           struct espctl_flash_geometry *geometry)
{
    int rc = g.open(family_data, chip, mem, flash, geometry);
    geometry->check_unit = UNIT;
    return rc;
}

/* The G4 family with check() added, registered in place of the plain one. */
static int setup(void **state)
{
    int rc = fx_setup(state);
    struct fx *f = *state;
    memset(&g, 0, sizeof g);
    g.t = f->t;
    g.family = *f->h->families[0];
    g.open = g.family.flash_open;
    g.family.hdr.struct_size = sizeof g.family;
    g.family.flash_open = open_with_check;
    g.family.check = check;
    f->h->families[0] = &g.family;
    f->t->max_block = 256; /* ranges of 1 KiB and more are worth checking on the target */
    for (size_t i = 0; i < sizeof pattern; i++)
        pattern[i] = (uint8_t)(i * 13u + 5u + (i >> 9));
    return rc;
}

static int flash_one(struct fx *f, uint64_t addr, const uint8_t *data, uint64_t size, uint32_t flags)
{
    struct espctl_segment seg = {addr, size, data};
    struct espctl_flash_image img = {.hdr = ESPCTL_ABI_HDR(struct espctl_flash_image),
                                     .segment_count = 1, .segments = &seg};
    return f->h->target->flash(f->session, &img, flags);
}

/* Bytes read over the probe by a flash of `size` bytes at BASE + `at` on a blank part, with
 * verification off or on. */
static long verify_reads(struct fx *f, uint64_t at, uint64_t size)
{
    assert_int_equal(fx_open(f, "stm32g431rb", 0), 0);
    f->t->flash_bytes_read = 0;
    assert_int_equal(flash_one(f, BASE + at, pattern, size, ESPCTL_FLASH_NO_VERIFY), 0);
    long without = f->t->flash_bytes_read;
    memset(f->t->flash, 0xFF, size + at + UNIT);
    f->t->flash_bytes_read = 0;
    assert_int_equal(flash_one(f, BASE + at, pattern, size, 0), 0);
    return f->t->flash_bytes_read - without;
}

/* On a blank part the target confirms at compare time that the pages are blank, so every
 * granule the image touches is known and the target checks it after programming: nothing of
 * the image travels back over the probe. */
static void target_check_replaces_read_back(void **state)
{
    struct fx *f = *state;
    assert_int_equal(verify_reads(f, 0, 10000), 0);
    assert_true(g.bytes >= 2 * 10000);
    assert_memory_equal(f->t->flash, pattern, 10000);
}

/* After an erase the whole sector is known, so even the bytes written back are checked. */
static void erased_sector_is_checked_whole(void **state)
{
    struct fx *f = *state;
    memset(f->t->flash, 0x11, 4096);
    assert_int_equal(fx_open(f, "stm32g431rb", 0), 0);
    f->t->flash_bytes_read = 0;
    assert_int_equal(flash_one(f, BASE + 0x100, pattern, 1000, 0), 0);
    assert_int_equal(g.bytes, 2048); /* the erased 2 KiB page */
    assert_int_equal(f->t->page_erases, 1);
    /* read: the compare probe, the page's bytes outside the image; nothing to verify */
    assert_int_equal(f->t->flash_bytes_read, 4 + 2048 - 1000);
}

/* A difference the target finds is read back, and the read-back names the byte. */
static void mismatch_is_named_by_read_back(void **state)
{
    struct fx *f = *state;
    f->t->corrupt_addr = BASE + 0x1234;
    assert_int_equal(fx_open(f, "stm32g431rb", 0), 0);
    assert_int_equal(flash_one(f, BASE, pattern, 8192, 0), ESPCTL_E_VERIFY);
    assert_non_null(strstr(f->h->last_error, "verify: mismatch at 0x08001234"));
}

/* A check that disagrees with a correct flash costs a read-back and a warning, never a
 * failed flash. */
static void disagreeing_check_is_overruled(void **state)
{
    struct fx *f = *state;
    g.mode = LIAR;
    assert_int_equal(verify_reads(f, 0, 4096), 4096);
    assert_non_null(strstr(f->h->last_warning, "disagreed in 1 range that read back correctly"));
}

/* A range shorter than four transfer blocks (1 KiB here) is read back, at compare time and at
 * verify time: the check would cost more. 952 bytes lie in granules up to 960. */
static void short_range_is_read_back(void **state)
{
    struct fx *f = *state;
    assert_int_equal(verify_reads(f, 0, 952), 952);
    assert_int_equal(g.calls, 0);
}

/* Re-flashing what the part holds: the target confirms each page, none is read block by block,
 * erased or programmed. */
static void unchanged_pages_are_confirmed_without_reading(void **state)
{
    struct fx *f = *state;
    memcpy(f->t->flash, pattern, 10000);
    assert_int_equal(fx_open(f, "stm32g431rb", 0), 0);
    assert_int_equal(flash_one(f, BASE, pattern, 10000, 0), 0);
    assert_true(f->t->flash_bytes_read <= 8); /* the compare probes: one word per page */
    assert_int_equal(f->t->page_erases, 0);
    assert_int_equal(f->t->dw_programs, 0);
}

/* A page whose probe word matches but which differs elsewhere fails its check and is read,
 * erased and programmed as before; the other pages are confirmed. A check that says "differs"
 * (LIAR) only costs the reads. */
static void differing_page_is_read_after_its_check(void **state)
{
    struct fx *f = *state;
    for (int liar = 0; liar < 2; liar++) {
        g.mode = liar ? LIAR : HONEST;
        memcpy(f->t->flash, pattern, 10000);
        f->t->flash[2048 + 100] = 0x00;
        f->t->page_erases = f->t->dw_programs = 0;
        assert_int_equal(fx_open(f, "stm32g431rb", 0), 0);
        f->t->flash_bytes_read = 0;
        assert_int_equal(flash_one(f, BASE, pattern, 10000, ESPCTL_FLASH_NO_VERIFY), 0);
        assert_int_equal(f->t->page_erases, 1);
        assert_int_equal(f->t->last_erase_addr, BASE + 2048);
        assert_int_equal(f->t->dw_programs, 2048 / 8);
        assert_memory_equal(f->t->flash, pattern, 10000);
        if (liar)
            assert_true(f->t->flash_bytes_read >= 10000 - 2048);
        else
            assert_true(f->t->flash_bytes_read < 2048 + 64);
        fx_close(f);
    }
}

/* A family that cannot check a range leaves it to the read-back. */
static void blind_check_reads_back(void **state)
{
    struct fx *f = *state;
    g.mode = BLIND;
    assert_int_equal(verify_reads(f, 0, 4096), 4096);
    assert_true(g.calls >= 1);
}

/* espctl verify: whole granules inside each segment are checked, the unaligned head and tail
 * are read back. */
static void verify_command_checks_inside_segments(void **state)
{
    struct fx *f = *state;
    assert_int_equal(fx_open(f, "stm32g431rb", 0), 0);
    assert_int_equal(flash_one(f, BASE + 10, pattern, 5000, ESPCTL_FLASH_NO_VERIFY), 0);
    f->t->flash_bytes_read = 0;
    g.bytes = 0;
    struct espctl_segment seg = {BASE + 10, 5000, pattern};
    struct espctl_flash_image img = {.hdr = ESPCTL_ABI_HDR(struct espctl_flash_image),
                                     .segment_count = 1, .segments = &seg};
    assert_int_equal(f->h->target->verify(f->session, &img), 0);
    assert_int_equal(g.bytes, 4928);                  /* 0x40 .. 0x1380 */
    /* head 10..64 and tail 4992..5010, read as whole words: 8..64 and 4992..5012 */
    assert_int_equal(f->t->flash_bytes_read, 56 + 20);
    f->t->corrupt_addr = BASE + 0x800;
    assert_int_equal(f->h->target->verify(f->session, &img), ESPCTL_E_VERIFY);
    assert_non_null(strstr(f->h->last_error, "verify: mismatch at 0x08000800"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(target_check_replaces_read_back, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(erased_sector_is_checked_whole, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(mismatch_is_named_by_read_back, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(disagreeing_check_is_overruled, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(blind_check_reads_back, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(short_range_is_read_back, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(verify_command_checks_inside_segments, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(unchanged_pages_are_confirmed_without_reading, setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(differing_page_is_read_after_its_check, setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
