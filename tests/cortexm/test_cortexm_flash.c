/* The flash engine and the G4 driver through a whole cortexm session on a fake G4. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"

#include <string.h>

#define BASE FAKE_FLASH_BASE

static uint8_t pattern[40000];

static void fill_pattern(uint8_t *p, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 7u + seed + (i >> 8));
}

static int flash_segments(struct fx *f, const struct espctl_segment *segs, uint32_t n, uint32_t flags)
{
    struct espctl_flash_image img = {.hdr = ESPCTL_ABI_HDR(struct espctl_flash_image),
                                     .segment_count = n, .segments = segs};
    return f->h->target->flash(f->session, &img, flags);
}

static int flash_one(struct fx *f, uint64_t addr, const uint8_t *data, uint64_t size, uint32_t flags)
{
    struct espctl_segment seg = {addr, size, data};
    return flash_segments(f, &seg, 1, flags);
}

static void writes_image_and_verifies(void **state)
{
    struct fx *f = *state;
    fill_pattern(pattern, sizeof pattern, 1);
    assert_int_equal(fx_open(f, "stm32g431rb", 0), 0);
    struct espctl_segment segs[2] = {{BASE, 5000, pattern}, {BASE + 0x10004, 101, pattern + 7000}};
    assert_int_equal(flash_segments(f, segs, 2, 0), 0);
    assert_memory_equal(f->t->flash, pattern, 5000);
    assert_memory_equal(f->t->flash + 0x10004, pattern + 7000, 101);
    /* bytes around the segments stay erased */
    assert_int_equal(f->t->flash[5000], 0xFF);
    assert_int_equal(f->t->flash[0x10003], 0xFF);
    assert_int_equal(f->t->flash[0x10004 + 101], 0xFF);
    /* an erased chip needs no erase: only the double words that change are programmed */
    assert_int_equal(f->t->page_erases, 0);
    assert_int_equal(f->t->dw_programs, (5000 + 7) / 8 + 14);
    for (const char *const *st = (const char *const[]){"compare", "erase", "program", "verify", NULL}; *st; st++) {
        assert_int_equal(fake_host_count(f->h, ESPCTL_EVENT_STAGE_BEGIN, *st), 1);
        assert_int_equal(fake_host_count(f->h, ESPCTL_EVENT_STAGE_END, *st), 1);
    }
    assert_true(fake_host_count(f->h, ESPCTL_EVENT_PROGRESS, "program") >= 2);
    int saw_high = 0;
    for (int i = 0; i < f->h->event_count; i++)
        if (f->h->events[i].kind == ESPCTL_EVENT_PROGRESS && !strcmp(f->h->events[i].stage, "program"))
            saw_high |= f->h->events[i].address == BASE + 0x10000;
    assert_true(saw_high);
    /* the controller is locked again when the session ends */
    fx_close(f);
    assert_true(f->t->cr & (1u << 31));
}

static void unchanged_image_is_skipped(void **state)
{
    struct fx *f = *state;
    fill_pattern(pattern, sizeof pattern, 2);
    assert_int_equal(fx_open(f, "stm32g431rb", 0), 0);
    assert_int_equal(flash_one(f, BASE + 0x800, pattern, 30000, 0), 0);
    int erases = f->t->page_erases, programs = f->t->dw_programs, writes = f->t->mem_writes;
    f->h->event_count = 0;
    f->t->flash_bytes_read = 0;
    assert_int_equal(flash_one(f, BASE + 0x800, pattern, 30000, 0), 0);
    /* probing stops after two probes that prove nothing; then one read of the image */
    assert_int_equal(f->t->flash_bytes_read, 2 * 4 + 30000);
    assert_int_equal(f->t->page_erases, erases);
    assert_int_equal(f->t->dw_programs, programs);
    assert_int_equal(f->t->mem_writes, writes);
    assert_int_equal(fake_host_count(f->h, ESPCTL_EVENT_STAGE_BEGIN, "verify"), 1);
    assert_int_equal(fake_host_count(f->h, ESPCTL_EVENT_PROGRESS, "verify"), 0);
    assert_int_equal(fake_host_count(f->h, ESPCTL_EVENT_MESSAGE, "program"), 1);
}

static void one_changed_byte_erases_one_page(void **state)
{
    struct fx *f = *state;
    fill_pattern(pattern, sizeof pattern, 3);
    memcpy(f->t->flash, pattern, 20000);
    pattern[0x1234] ^= 0x5A;
    assert_int_equal(fx_open(f, "stm32g431rb", 0), 0);
    assert_int_equal(flash_one(f, BASE, pattern, 20000, 0), 0);
    assert_int_equal(f->t->page_erases, 1);
    assert_int_equal(f->t->last_erase_addr, BASE + 0x1000);
    assert_memory_equal(f->t->flash, pattern, 20000);
    assert_int_equal(f->t->dw_programs, 2048 / 8);
}

static void bytes_outside_the_image_are_kept(void **state)
{
    struct fx *f = *state;
    memset(f->t->flash, 0x11, 4096);
    fill_pattern(pattern, 100, 4);
    assert_int_equal(fx_open(f, "stm32g431rb", 0), 0);
    assert_int_equal(flash_one(f, BASE + 0x803, pattern, 100, 0), 0);
    assert_int_equal(f->t->page_erases, 1);
    assert_memory_equal(f->t->flash + 0x803, pattern, 100);
    assert_int_equal(f->t->flash[0x802], 0x11);
    assert_int_equal(f->t->flash[0x803 + 100], 0x11);
    assert_int_equal(f->t->flash[0xFFF], 0x11);
    assert_int_equal(f->t->flash[0x0], 0x11);
}

static void no_skip_rewrites_everything(void **state)
{
    struct fx *f = *state;
    fill_pattern(pattern, 4096, 5);
    memcpy(f->t->flash, pattern, 4096);
    assert_int_equal(fx_open(f, "stm32g431rb", 0), 0);
    assert_int_equal(flash_one(f, BASE, pattern, 4096, ESPCTL_FLASH_NO_SKIP), 0);
    assert_int_equal(f->t->page_erases, 2);
    assert_int_equal(f->t->dw_programs, 512);
}

static void verify_names_the_mismatch(void **state)
{
    struct fx *f = *state;
    fill_pattern(pattern, 4096, 6);
    f->t->corrupt_addr = BASE + 0x210;
    assert_int_equal(fx_open(f, "stm32g431rb", 0), 0);
    assert_int_equal(flash_one(f, BASE, pattern, 4096, 0), ESPCTL_E_VERIFY);
    assert_non_null(strstr(f->h->last_error, "verify: mismatch at 0x08000210"));
}

static void no_verify_skips_read_back(void **state)
{
    struct fx *f = *state;
    fill_pattern(pattern, 4096, 7);
    f->t->corrupt_addr = BASE + 0x210;
    assert_int_equal(fx_open(f, "stm32g431rb", 0), 0);
    assert_int_equal(flash_one(f, BASE, pattern, 4096, ESPCTL_FLASH_NO_VERIFY), 0);
    assert_int_equal(fake_host_count(f->h, ESPCTL_EVENT_STAGE_BEGIN, "verify"), 0);
    assert_memory_equal(f->t->flash, pattern, 4096);
}

static void write_protected_page_fails_erase(void **state)
{
    struct fx *f = *state;
    memset(f->t->flash, 0x00, 8192);
    f->t->wrp_first_page = f->t->wrp_last_page = 2;
    fill_pattern(pattern, 8192, 8);
    assert_int_equal(fx_open(f, "stm32g431rb", 0), 0);
    assert_int_equal(flash_one(f, BASE, pattern, 8192, 0), ESPCTL_E_TARGET);
    assert_non_null(strstr(f->h->last_error, "erase: WRPERR at 0x08001000"));
    int failed_end = 0;
    for (int i = 0; i < f->h->event_count; i++)
        if (f->h->events[i].kind == ESPCTL_EVENT_STAGE_END && f->h->events[i].status == ESPCTL_E_TARGET)
            failed_end = f->h->events[i].address == BASE + 0x1000;
    assert_true(failed_end);
    /* protection lifted: the same session flashes fine */
    f->t->wrp_first_page = 1, f->t->wrp_last_page = 0;
    assert_int_equal(flash_one(f, BASE, pattern, 8192, 0), 0);
    assert_memory_equal(f->t->flash, pattern, 8192);
}

static void write_protected_erased_page_fails_program(void **state)
{
    struct fx *f = *state;
    f->t->wrp_first_page = f->t->wrp_last_page = 3;
    fill_pattern(pattern, 8192, 9);
    assert_int_equal(fx_open(f, "stm32g431rb", 0), 0);
    assert_int_equal(flash_one(f, BASE, pattern, 8192, 0), ESPCTL_E_TARGET);
    assert_non_null(strstr(f->h->last_error, "program: WRPERR at 0x08001800"));
}

static void pgaerr_is_reported_then_cleared(void **state)
{
    struct fx *f = *state;
    fill_pattern(pattern, 4096, 10);
    f->t->inject_sr = 1u << 5;
    assert_int_equal(fx_open(f, "stm32g431rb", 0), 0);
    assert_int_equal(flash_one(f, BASE, pattern, 4096, 0), ESPCTL_E_TARGET);
    assert_non_null(strstr(f->h->last_error, "program: PGAERR at 0x08000000"));
    assert_int_equal(f->t->sr & 0xC3FAu, 0); /* flags cleared for the next attempt */
    assert_int_equal(flash_one(f, BASE, pattern, 4096, 0), 0);
    assert_memory_equal(f->t->flash, pattern, 4096);
}

/* Consecutive changed pages are programmed as runs of 8 transfer blocks with one SR check
 * each (not one run and one check per 2 KiB page), and a failure inside a run names the
 * double word that failed. */
static void program_runs_cross_pages(void **state)
{
    struct fx *f = *state;
    fill_pattern(pattern, 16384, 12);
    assert_int_equal(fx_open(f, "stm32g431rb", 0), 0);
    f->t->sr_reads = 0;
    assert_int_equal(flash_one(f, BASE, pattern, 16384, ESPCTL_FLASH_NO_VERIFY), 0);
    assert_memory_equal(f->t->flash, pattern, 16384);
    /* one BSY check when the controller opens, then one per run (fake max_block 1 KiB:
     * 8 KiB runs); per-page runs would have read SR 1 + 8 times */
    assert_int_equal(f->t->sr_reads, 1 + 16384 / (8 * 1024));
    assert_int_equal(f->t->page_erases, 0);
    /* a programming error in the middle of a run: the failing double word is named */
    fill_pattern(pattern, 16384, 13);
    memset(f->t->flash, 0xFF, 16384);
    f->t->wrp_first_page = 3; /* page 3 = 0x08001800, inside the run 0x08000000..0x08002000 */
    f->t->wrp_last_page = 3;
    assert_int_equal(flash_one(f, BASE, pattern, 16384, 0), ESPCTL_E_TARGET);
    assert_non_null(strstr(f->h->last_error, "program: WRPERR at 0x08001800"));
}

static void connection_drop_names_stage_and_address(void **state)
{
    struct fx *f = *state;
    fill_pattern(pattern, sizeof pattern, 11);
    assert_int_equal(fx_open(f, "stm32g431rb", 0), 0);
    /* unlock (~8 ops), compare reads (2 per 2 KiB page: 40), then a few program runs */
    f->t->fail_after_ops = f->t->ops + 8 + 40 + 12;
    int rc = flash_one(f, BASE, pattern, sizeof pattern, 0);
    assert_int_equal(rc, ESPCTL_E_IO);
    /* "program: write at A failed" or, inside a multi-block run, "program at RUN: write of A failed" */
    assert_int_equal(strncmp(f->h->last_error, "program", 7), 0);
    assert_non_null(strstr(f->h->last_error, " at 0x080"));
    char before[sizeof f->h->last_error];
    memcpy(before, f->h->last_error, sizeof before);
    fx_close(f);
    assert_string_equal(f->h->last_error, before); /* closing does not bury the cause */
    f->t->fail_after_ops = -1;
    assert_int_equal(fx_open(f, "stm32g431rb", 0), 0);
    assert_int_equal(flash_one(f, BASE, pattern, sizeof pattern, 0), 0);
    assert_memory_equal(f->t->flash, pattern, sizeof pattern);
}

static void segments_outside_or_overlapping_are_rejected(void **state)
{
    struct fx *f = *state;
    assert_int_equal(fx_open(f, "stm32g431rb", 0), 0);
    assert_int_equal(flash_one(f, BASE + 128 * 1024 - 4, pattern, 8, 0), ESPCTL_E_INVAL);
    assert_non_null(strstr(f->h->last_error, "outside flash"));
    assert_int_equal(flash_one(f, 0x20000000, pattern, 8, 0), ESPCTL_E_INVAL);
    struct espctl_segment segs[2] = {{BASE, 100, pattern}, {BASE + 96, 8, pattern}};
    assert_int_equal(flash_segments(f, segs, 2, 0), ESPCTL_E_INVAL);
    assert_non_null(strstr(f->h->last_error, "overlaps another at 0x08000060"));
    assert_int_equal(f->t->dw_programs, 0);
}

static void erase_range_rounds_to_pages(void **state)
{
    struct fx *f = *state;
    memset(f->t->flash, 0x22, 16384);
    assert_int_equal(fx_open(f, "stm32g431rb", 0), 0);
    assert_int_equal(f->h->target->erase(f->session, BASE + 0x80A, 0x800, 0), 0);
    assert_int_equal(f->t->page_erases, 2);
    assert_int_equal(f->t->flash[0x7FF], 0x22);
    assert_int_equal(f->t->flash[0x800], 0xFF);
    assert_int_equal(f->t->flash[0xFFF], 0xFF);
    assert_int_equal(f->t->flash[0x1000], 0xFF);
    assert_int_equal(f->t->flash[0x1800], 0x22);
    assert_int_equal(f->h->target->erase(f->session, BASE + 127 * 1024, 4096, 0), ESPCTL_E_INVAL);
    assert_int_equal(f->h->target->erase(f->session, 0, 0, ESPCTL_FLASH_CHIP_ERASE), 0);
    assert_int_equal(f->t->mass_erases, 1);
    assert_int_equal(f->t->flash[0x1800], 0xFF);
}

static void read_unaligned_range(void **state)
{
    struct fx *f = *state;
    fill_pattern(f->t->flash, 8192, 12);
    assert_int_equal(fx_open(f, "stm32g431rb", ESPCTL_TARGET_NO_RESET), 0);
    uint8_t buf[37];
    assert_int_equal(f->h->target->read(f->session, BASE + 0x403, buf, sizeof buf), 0);
    assert_memory_equal(buf, f->t->flash + 0x403, sizeof buf);
    uint8_t big[5003];
    assert_int_equal(f->h->target->read(f->session, BASE + 1, big, sizeof big), 0);
    assert_memory_equal(big, f->t->flash + 1, sizeof big);
}

static void cancellation_stops_between_steps(void **state)
{
    struct fx *f = *state;
    fill_pattern(pattern, 8192, 13);
    assert_int_equal(fx_open(f, "stm32g431rb", 0), 0);
    f->h->cancel = 1;
    assert_int_equal(flash_one(f, BASE, pattern, 8192, 0), ESPCTL_E_CANCELLED);
    /* the first step of compare is the probe of page 0's middle word */
    assert_non_null(strstr(f->h->last_error, "compare: cancelled at 0x080003fc"));
    assert_int_equal(f->t->dw_programs, 0);
    f->h->cancel = 0;
    assert_int_equal(flash_one(f, BASE, pattern, 8192, 0), 0);
}

/* A small image on a blank chip: compare and verify read only the image's double words
 * (0x803+100 -> 0x800..0x868), never the rest of the page; compare's probe of one word
 * proves nothing on a blank page and costs 4 bytes. */
static void small_image_reads_only_its_units(void **state)
{
    struct fx *f = *state;
    fill_pattern(pattern, 100, 14);
    assert_int_equal(fx_open(f, "stm32g431rb", 0), 0);
    f->t->flash_bytes_read = 0;
    assert_int_equal(flash_one(f, BASE + 0x803, pattern, 100, 0), 0);
    assert_memory_equal(f->t->flash + 0x803, pattern, 100);
    assert_int_equal(f->t->page_erases, 0);
    assert_int_equal(f->t->dw_programs, 0x68 / 8);
    assert_int_equal(f->t->flash_bytes_read, 4 + 2 * 0x68);
    /* unchanged: one compare read of the same units, nothing written, nothing verified */
    f->t->flash_bytes_read = 0;
    assert_int_equal(flash_one(f, BASE + 0x803, pattern, 100, 0), 0);
    assert_int_equal(f->t->flash_bytes_read, 4 + 0x68);
    assert_int_equal(f->t->dw_programs, 0x68 / 8);
}

/* A page that must be erased is read whole first (its other bytes are written back);
 * preserved bytes that are already erased are neither programmed nor verified. */
static void erase_reads_the_rest_of_the_page(void **state)
{
    struct fx *f = *state;
    memset(f->t->flash + 0x800, 0x11, 0x400);
    fill_pattern(pattern, 100, 15);
    assert_int_equal(fx_open(f, "stm32g431rb", 0), 0);
    f->t->flash_bytes_read = 0;
    assert_int_equal(flash_one(f, BASE + 0x803, pattern, 100, 0), 0);
    assert_int_equal(f->t->page_erases, 1);
    assert_memory_equal(f->t->flash + 0x803, pattern, 100);
    assert_int_equal(f->t->flash[0x802], 0x11);
    assert_int_equal(f->t->flash[0xBFF], 0x11);
    assert_int_equal(f->t->flash[0xC00], 0xFF);
    assert_int_equal(f->t->dw_programs, 0x400 / 8);
    /* compare: the probe proves the erase (4), then the page's bytes outside the image
     * are read in 1 KiB blocks (2048); verify: the programmed 0x800..0xC00 (1024) */
    assert_int_equal(f->t->flash_bytes_read, 4 + 2048 + 1024);
}

/* A probe word that differs proves a page must be erased, so compare reads nothing else
 * of it; a page whose probe matches is read until a block shows it must be erased (fake
 * max_block 1 KiB, 2 KiB pages). The image still lands whole. */
static void compare_stops_at_the_first_block_that_forces_an_erase(void **state)
{
    struct fx *f = *state;
    fill_pattern(pattern, 8192, 17);
    memset(f->t->flash, 0x11, 8192);
    memcpy(f->t->flash + 0x800, pattern + 0x800, 0x400); /* page 1: first half already right */
    assert_int_equal(fx_open(f, "stm32g431rb", 0), 0);
    f->t->flash_bytes_read = 0;
    f->t->flash_reads = 0;
    assert_int_equal(flash_one(f, BASE, pattern, 8192, 0), 0);
    assert_memory_equal(f->t->flash, pattern, 8192);
    assert_int_equal(f->t->page_erases, 4);
    /* compare: probes of pages 0-3 (page 1's lands in its matching half, 0x9FC), both
     * halves of page 1; verify: all 8 KiB */
    assert_int_equal(f->t->flash_bytes_read, 4 * 4 + 2048 + 8192);
    assert_int_equal(f->t->flash_reads, 4 + 2 + 8);
    /* with --no-skip every page is erased: compare reads nothing of the image, not even
     * a probe */
    f->t->flash_bytes_read = 0;
    assert_int_equal(flash_one(f, BASE, pattern, 8192, ESPCTL_FLASH_NO_SKIP), 0);
    assert_memory_equal(f->t->flash, pattern, 8192);
    assert_int_equal(f->t->flash_bytes_read, 8192);
}

/* Bytes written back after an erase are verified like the image's. */
static void verify_covers_written_back_bytes(void **state)
{
    struct fx *f = *state;
    memset(f->t->flash + 0x800, 0x11, 0x800);
    f->t->corrupt_addr = BASE + 0xF00; /* read as 0xEE: written back as 0xEE, read back as 0x11 */
    fill_pattern(pattern, 100, 16);
    assert_int_equal(fx_open(f, "stm32g431rb", 0), 0);
    assert_int_equal(flash_one(f, BASE + 0x803, pattern, 100, 0), ESPCTL_E_VERIFY);
    assert_non_null(strstr(f->h->last_error, "verify: mismatch at 0x08000f00"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(writes_image_and_verifies, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(unchanged_image_is_skipped, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(one_changed_byte_erases_one_page, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(bytes_outside_the_image_are_kept, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(no_skip_rewrites_everything, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(verify_names_the_mismatch, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(no_verify_skips_read_back, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(write_protected_page_fails_erase, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(write_protected_erased_page_fails_program, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(pgaerr_is_reported_then_cleared, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(program_runs_cross_pages, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(connection_drop_names_stage_and_address, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(segments_outside_or_overlapping_are_rejected, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(erase_range_rounds_to_pages, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(read_unaligned_range, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(cancellation_stops_between_steps, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(small_image_reads_only_its_units, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(erase_reads_the_rest_of_the_page, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(verify_covers_written_back_bytes, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(compare_stops_at_the_first_block_that_forces_an_erase, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
