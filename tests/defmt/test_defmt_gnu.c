/* An ELF made by the GNU toolchain (arm-none-eabi-as/ld), not by our test writer:
 * the section and symbol reader agree with a real linker's output. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static void test_segger_rtt(void **state)
{
    (void)state;
    uint64_t address = 0, size = 0;
    assert_int_equal(espctl_elf_symbol(GNU_FW_ELF, "_SEGGER_RTT", &address, &size), 0);
    assert_int_equal(address, 0x20000000);
    assert_int_equal(size, 120);
    assert_int_equal(espctl_elf_symbol(GNU_FW_ELF, "_start", &address, NULL), 0);
    assert_int_equal(address & ~1ull, 0x08000000);
}

static void test_decode(void **state)
{
    (void)state;
    espctl_defmt *d = NULL;
    if (espctl_defmt_open(&d, GNU_FW_ELF))
        fail_msg("%s", espctl_last_error());
    assert_int_equal(espctl_defmt_version(d), 4);
    assert_int_equal(espctl_defmt_table_size(d), 3);
    /* Indices follow the linker's layout: prim at 1, info at 2, error at 3. */
    struct capture c = {.count = 0};
    struct wire w = {.len = 0};
    wire_u16(&w, 2);
    wire_u8(&w, 7);
    const struct captured *f = decode_frame(d, &w, &c);
    assert_string_equal(f->text, "hello 7 \"q\"");
    assert_int_equal(f->level, ESPCTL_LOG_INFO);
    wire_reset(&w);
    wire_u16(&w, 3);
    wire_u16(&w, 1);
    wire_u32(&w, 0x40021000);
    f = decode_frame(d, &w, &c);
    assert_string_equal(f->text, "reg 0x40021000");
    assert_int_equal(f->level, ESPCTL_LOG_ERROR);
    espctl_defmt_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_segger_rtt),
        cmocka_unit_test(test_decode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
