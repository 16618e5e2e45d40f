/* The STM32G4 family driven directly through a target_mem over the fake probe. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fixture.h"
#include "link.h"
#include "target_mem.h"

#include <string.h>

struct g4fx {
    struct fx base;
    struct cm_link link;
    struct espctl_target_mem mem;
    const struct espctl_chip_family *fam;
};

static int g4_setup(void **state)
{
    struct fx *f;
    if (fx_setup((void **)&f))
        return -1;
    struct g4fx *g = calloc(1, sizeof *g);
    g->base = *f;
    free(f);
    g->link = (struct cm_link){.host = &g->base.h->host, .drv = g->base.h->drivers[0],
                               .probe = g->base.t, .max_block = 1024, .stage = "test",
                               .at = UINT64_MAX};
    cm_target_mem_init(&g->mem, &g->link);
    g->fam = g->base.h->families[0];
    *state = g;
    return 0;
}

static int g4_teardown(void **state)
{
    struct g4fx *g = *state;
    struct fx *f = malloc(sizeof *f);
    *f = g->base;
    free(g);
    void *s = f;
    return fx_teardown(&s);
}

static const struct espctl_chip_desc *chip(struct g4fx *g, const char *name)
{
    for (const struct espctl_chip_desc *const *d = g->fam->chips; *d; d++)
        if (!strcmp((*d)->name, name))
            return *d;
    return NULL;
}

static void table_and_identify(void **state)
{
    struct g4fx *g = *state;
    assert_string_equal(g->fam->name, "stm32g4");
    assert_string_equal(g->fam->arch, "cortexm");
    const struct espctl_chip_desc *d = chip(g, "stm32g431rb");
    assert_non_null(d);
    assert_string_equal(d->probe_rs_name, "STM32G431RBTx");
    assert_int_equal(d->device_id, 0x468);
    assert_int_equal(d->flash_size, 128 * 1024);
    assert_int_equal(chip(g, "stm32g474ve")->device_id, 0x469);
    assert_int_equal(chip(g, "stm32g4a1ke")->device_id, 0x479);
    assert_int_equal(chip(g, "stm32g441kb")->flash_size, 128 * 1024);
    assert_null(chip(g, "stm32g431re")); /* no 512 KiB G431 exists */

    static const struct {
        uint32_t idcode, dev;
    } ids[] = {{0x20016468u, 0x468}, {0x10006469u, 0x469}, {0x10016479u, 0x479}};
    for (size_t i = 0; i < 3; i++) {
        g->base.t->idcode = ids[i].idcode;
        const struct espctl_chip_desc *seen = NULL;
        assert_int_equal(g->fam->identify(g->fam->family_data, &g->mem, &seen), 0);
        assert_int_equal(seen->device_id, ids[i].dev);
    }
    g->base.t->idcode = 0x10016413u;
    const struct espctl_chip_desc *seen = NULL;
    assert_int_equal(g->fam->identify(g->fam->family_data, &g->mem, &seen), ESPCTL_E_NOT_FOUND);
    assert_non_null(strstr(g->base.h->last_error, "0x413"));
}

static void size_register_and_unlock(void **state)
{
    struct g4fx *g = *state;
    void *flash = NULL;
    struct espctl_flash_geometry geo;
    g->base.t->size_kib = 64;
    g->base.t->sr = 1u << 7; /* stale PGSERR from an earlier session */
    assert_int_equal(g->fam->flash_open(g->fam->family_data, chip(g, "stm32g431rb"), &g->mem, &flash, &geo), 0);
    assert_int_equal(geo.base, 0x08000000u);
    assert_int_equal(geo.size, 64 * 1024);
    assert_int_equal(geo.write_unit, 8);
    assert_int_equal(geo.erased_value, 0xFF);
    assert_int_equal(geo.bank_count, 1);
    assert_int_equal(g->base.t->cr & (1u << 31), 0); /* unlocked */
    assert_int_equal(g->base.t->sr, 0);              /* stale flags cleared */
    uint64_t start, size;
    assert_int_equal(g->fam->sector_at(flash, 0x08001234, &start, &size), 0);
    assert_int_equal(start, 0x08001000);
    assert_int_equal(size, 2048);
    assert_int_equal(g->fam->sector_at(flash, 0x08010000, &start, &size), ESPCTL_E_INVAL);
    assert_int_equal(g->fam->program(flash, 0x08000004, (const uint8_t *)"12345678", 8), ESPCTL_E_INVAL);
    g->fam->flash_close(flash);
    assert_true(g->base.t->cr & (1u << 31)); /* locked again */

    g->base.t->size_kib = 0xFFFF; /* unprogrammed: fall back to the table */
    assert_int_equal(g->fam->flash_open(g->fam->family_data, chip(g, "stm32g431r8"), &g->mem, &flash, &geo), 0);
    assert_int_equal(geo.size, 64 * 1024);
    g->fam->flash_close(flash);
}

static void dual_bank_layout(void **state)
{
    struct g4fx *g = *state;
    g->base.t->idcode = 0x10006469u;
    g->base.t->size_kib = 256;
    g->base.t->optr |= 1u << 22; /* DBANK */
    void *flash = NULL;
    struct espctl_flash_geometry geo;
    assert_int_equal(g->fam->flash_open(g->fam->family_data, chip(g, "stm32g474vc"), &g->mem, &flash, &geo), 0);
    assert_int_equal(geo.bank_count, 2);
    uint64_t start, size;
    assert_int_equal(g->fam->sector_at(flash, 0x08040900, &start, &size), 0);
    assert_int_equal(start, 0x08040800);
    assert_int_equal(size, 2048);
    /* trimmed part: the gap between bank 1 (128 KiB) and bank 2 at 0x08040000 */
    assert_int_equal(g->fam->sector_at(flash, 0x08030000, &start, &size), ESPCTL_E_INVAL);
    memset(g->base.t->flash + 0x40800, 0, 2048);
    g->base.t->cr_log_count = 0;
    assert_int_equal(g->fam->erase_sector(flash, 0x08040800), 0);
    assert_int_equal(g->base.t->cr_log[0], (1u << 1) | (1u << 3) | (1u << 11) | (1u << 16));
    assert_int_equal(g->base.t->flash[0x40800], 0xFF);
    g->fam->flash_close(flash);

    g->base.t->optr &= ~(1u << 22); /* single bank: 4 KiB pages */
    assert_int_equal(g->fam->flash_open(g->fam->family_data, chip(g, "stm32g474vc"), &g->mem, &flash, &geo), 0);
    assert_int_equal(geo.bank_count, 1);
    assert_int_equal(g->fam->sector_at(flash, 0x08001800, &start, &size), 0);
    assert_int_equal(start, 0x08001000);
    assert_int_equal(size, 4096);
    g->fam->flash_close(flash);
}

/* Page erases follow each other without BSY polling (the next CR write waits on the bus);
 * one SR read per page catches a refused erase and names that page. */
static void erases_are_not_polled(void **state)
{
    struct g4fx *g = *state;
    void *flash = NULL;
    struct espctl_flash_geometry geo;
    assert_int_equal(g->fam->flash_open(g->fam->family_data, chip(g, "stm32g431rb"), &g->mem, &flash, &geo), 0);
    g->base.t->busy_reads = 5;
    g->base.t->sr_reads = 0;
    assert_int_equal(g->fam->erase_sector(flash, 0x08000000), 0);
    assert_int_equal(g->fam->erase_sector(flash, 0x08000800), 0);
    assert_int_equal(g->base.t->sr_reads, 2);
    assert_int_equal(g->base.t->page_erases, 2);
    g->base.t->wrp_first_page = 2;
    g->base.t->wrp_last_page = 2;
    assert_int_equal(g->fam->erase_sector(flash, 0x08001000), ESPCTL_E_TARGET);
    assert_non_null(strstr(g->base.h->last_error, "erase: WRPERR at 0x08001000"));
    /* programming after an erase first waits it out */
    g->base.t->wrp_last_page = 0;
    static const uint8_t dw[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    assert_int_equal(g->fam->erase_sector(flash, 0x08001800), 0);
    assert_int_equal(g->fam->program(flash, 0x08001800, dw, 8), 0);
    assert_int_equal(g->base.t->busy_left, 0);
    assert_memory_equal(g->base.t->flash + 0x1800, dw, 8);
    g->fam->flash_close(flash);
}

static void busy_forever_times_out(void **state)
{
    struct g4fx *g = *state;
    void *flash = NULL;
    struct espctl_flash_geometry geo;
    assert_int_equal(g->fam->flash_open(g->fam->family_data, chip(g, "stm32g431rb"), &g->mem, &flash, &geo), 0);
    g->base.t->busy_reads = 1 << 30;
    /* the erase starts; programming must wait for it and gives up, naming the page */
    static const uint8_t dw[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    assert_int_equal(g->fam->erase_sector(flash, 0x08000800), 0);
    assert_int_equal(g->fam->program(flash, 0x08000800, dw, 8), ESPCTL_E_TIMEOUT);
    assert_non_null(strstr(g->base.h->last_error, "erase: flash controller still busy"));
    assert_non_null(strstr(g->base.h->last_error, "0x08000800"));
    g->base.t->busy_left = 0;
    g->fam->flash_close(flash);
}

static void locked_controller_is_reported(void **state)
{
    struct g4fx *g = *state;
    g->base.t->keys_refused = 1;
    void *flash = NULL;
    struct espctl_flash_geometry geo;
    assert_int_equal(g->fam->flash_open(g->fam->family_data, chip(g, "stm32g431rb"), &g->mem, &flash, &geo),
                     ESPCTL_E_TARGET);
    assert_non_null(strstr(g->base.h->last_error, "unlock: flash controller stays locked"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(table_and_identify, g4_setup, g4_teardown),
        cmocka_unit_test_setup_teardown(size_register_and_unlock, g4_setup, g4_teardown),
        cmocka_unit_test_setup_teardown(dual_bank_layout, g4_setup, g4_teardown),
        cmocka_unit_test_setup_teardown(erases_are_not_polled, g4_setup, g4_teardown),
        cmocka_unit_test_setup_teardown(busy_forever_times_out, g4_setup, g4_teardown),
        cmocka_unit_test_setup_teardown(locked_controller_is_reported, g4_setup, g4_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
