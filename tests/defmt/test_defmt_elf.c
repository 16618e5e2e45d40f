/* The ELF side: defmt table loading errors (versions, sections, JSON), malformed section
 * headers and symbol tables, and espctl_elf_symbol for _SEGGER_RTT. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static uint8_t *build_basic(size_t *size, struct test_elf_layout *layout, const char *version)
{
    struct test_elf e;
    test_elf_init(&e);
    test_elf_defmt_meta(&e, version, "rzcobs");
    test_elf_defmt(&e, 1, "defmt_info", "hello {=u8}");
    test_elf_symbol(&e, "_SEGGER_RTT", 0x20000400, 120, TE_DATA);
    test_elf_symbol(&e, "undefined_ref", 0, 0, TE_UNDEF);
    uint8_t *elf = test_elf_build(&e, size, layout);
    test_elf_free(&e);
    return elf;
}

static int open_bytes(const uint8_t *elf, size_t size)
{
    espctl_defmt *d = NULL;
    int rc = espctl_defmt_open_bytes(&d, elf, size, "fw.elf");
    if (rc == 0)
        espctl_defmt_free(d);
    else
        assert_null(d);
    return rc;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void expect_detail(const char *needle)
{
    const char *detail = espctl_last_error();
    if (!strstr(detail, needle))
        fail_msg("detail \"%s\" lacks \"%s\"", detail, needle);
}

static void test_version_errors(void **state)
{
    (void)state;
    size_t size;
    uint8_t *elf = build_basic(&size, NULL, "5");
    assert_int_equal(open_bytes(elf, size), ESPCTL_E_NOT_SUPPORTED);
    expect_detail("fw.elf: defmt wire format version \"5\"");
    expect_detail("supported versions: 3, 4");
    free(elf);

    elf = build_basic(&size, NULL, "0.2");
    assert_int_equal(open_bytes(elf, size), ESPCTL_E_NOT_SUPPORTED);
    expect_detail("\"0.2\"");
    free(elf);

    /* LLD keeps the linker script's quotes around the symbol name. */
    struct test_elf e;
    test_elf_init(&e);
    test_elf_symbol(&e, "\"_defmt_version_ = 4\"", 0, 1, TE_ABS);
    test_elf_defmt(&e, 1, "defmt_info", "quoted");
    elf = test_elf_build(&e, &size, NULL);
    assert_int_equal(open_bytes(elf, size), 0);
    free(elf);

    test_elf_symbol(&e, "_defmt_version_ = 3", 0, 1, TE_DEFMT);
    elf = test_elf_build(&e, &size, NULL);
    assert_int_equal(open_bytes(elf, size), ESPCTL_E_FORMAT);
    expect_detail("multiple defmt versions");
    free(elf);
    test_elf_free(&e);

    /* A .defmt section without a version symbol. */
    test_elf_init(&e);
    test_elf_defmt(&e, 1, "defmt_info", "x");
    elf = test_elf_build(&e, &size, NULL);
    assert_int_equal(open_bytes(elf, size), ESPCTL_E_FORMAT);
    expect_detail("no `_defmt_version_` symbol");
    free(elf);
    test_elf_free(&e);

    /* Unknown encoding. */
    test_elf_init(&e);
    test_elf_defmt_meta(&e, "4", "lz4");
    elf = test_elf_build(&e, &size, NULL);
    assert_int_equal(open_bytes(elf, size), ESPCTL_E_NOT_SUPPORTED);
    expect_detail("encoding \"lz4\"");
    free(elf);
    test_elf_free(&e);
}

static void test_no_defmt_section(void **state)
{
    (void)state;
    struct test_elf e;
    test_elf_init(&e);
    test_elf_symbol(&e, "main", 0x08000000, 4, TE_TEXT);
    size_t size;
    uint8_t *elf = test_elf_build(&e, &size, NULL);
    test_elf_free(&e);
    /* Rename the section so the ELF has no .defmt at all. */
    uint8_t *name = memmem(elf, size, ".defmt", 7);
    assert_non_null(name);
    name[5] = 'x';
    assert_int_equal(open_bytes(elf, size), ESPCTL_E_NOT_FOUND);
    expect_detail("no `.defmt` section");
    free(elf);
}

static void test_bad_json_symbol(void **state)
{
    (void)state;
    struct test_elf e;
    test_elf_init(&e);
    test_elf_defmt_meta(&e, "4", "rzcobs");
    test_elf_symbol(&e, "{\"tag\":\"defmt_info\",\"data\":", 1, 1, TE_DEFMT);
    size_t size;
    uint8_t *elf = test_elf_build(&e, &size, NULL);
    assert_int_equal(open_bytes(elf, size), ESPCTL_E_FORMAT);
    expect_detail(".defmt symbol 3 (symbol table offset");
    expect_detail("is not JSON");
    free(elf);
    test_elf_free(&e);

    test_elf_init(&e);
    test_elf_defmt_meta(&e, "4", "rzcobs");
    test_elf_symbol(&e, "{\"tag\":\"defmt_info\"}", 1, 1, TE_DEFMT);
    elf = test_elf_build(&e, &size, NULL);
    assert_int_equal(open_bytes(elf, size), ESPCTL_E_FORMAT);
    expect_detail("lacks a string \"tag\" or \"data\"");
    free(elf);
    test_elf_free(&e);
}

static void test_malformed_headers(void **state)
{
    (void)state;
    size_t size;
    struct test_elf_layout lay;
    uint8_t *good = build_basic(&size, &lay, "4");
    uint8_t *elf = malloc(size);
    assert_non_null(elf);

    memcpy(elf, good, size);
    elf[0] = 0;
    assert_int_equal(open_bytes(elf, size), ESPCTL_E_FORMAT);
    expect_detail("e_ident[EI_MAG0..3] at offset 0");

    memcpy(elf, good, size);
    elf[4] = 2;
    assert_int_equal(open_bytes(elf, size), ESPCTL_E_FORMAT);
    expect_detail("e_ident[EI_CLASS] at offset 4 is 2");

    memcpy(elf, good, size);
    put32(elf + 32, (uint32_t)size);
    assert_int_equal(open_bytes(elf, size), ESPCTL_E_FORMAT);
    expect_detail("e_shoff at offset 32");

    memcpy(elf, good, size);
    elf[46] = 39;
    assert_int_equal(open_bytes(elf, size), ESPCTL_E_FORMAT);
    expect_detail("e_shentsize at offset 46 is 39");

    memcpy(elf, good, size);
    elf[50] = 9;
    assert_int_equal(open_bytes(elf, size), ESPCTL_E_FORMAT);
    expect_detail("e_shstrndx at offset 50 is 9");

    memcpy(elf, good, size);
    elf[48] = 200; /* more section headers than the file holds */
    assert_int_equal(open_bytes(elf, size), ESPCTL_E_FORMAT);
    expect_detail("section header table");

    /* .defmt (section 3) with a size running off the end of the file. */
    memcpy(elf, good, size);
    put32(elf + lay.shoff + 3 * 40 + 20, 0x7fffffff);
    assert_int_equal(open_bytes(elf, size), ESPCTL_E_FORMAT);
    expect_detail("sh_offset");
    expect_detail("lies beyond the file");

    /* A section name outside the name table. */
    memcpy(elf, good, size);
    put32(elf + lay.shoff + 1 * 40, 5000);
    assert_int_equal(open_bytes(elf, size), ESPCTL_E_FORMAT);
    expect_detail("sh_name 5000");

    /* Symbol table entry size, size and link. */
    memcpy(elf, good, size);
    put32(elf + lay.shoff + 4 * 40 + 36, 12);
    assert_int_equal(open_bytes(elf, size), ESPCTL_E_FORMAT);
    expect_detail("sh_entsize is 12, need 16");
    memcpy(elf, good, size);
    put32(elf + lay.shoff + 4 * 40 + 24, 1);
    assert_int_equal(open_bytes(elf, size), ESPCTL_E_FORMAT);
    expect_detail("need 3 (SHT_STRTAB)");

    /* A symbol name offset past the string table. */
    memcpy(elf, good, size);
    put32(elf + lay.symtab + 16, 0xffff);
    assert_int_equal(open_bytes(elf, size), ESPCTL_E_FORMAT);
    expect_detail("symbol 1 at offset");
    expect_detail("st_name 65535");

    /* Every truncation fails cleanly. */
    for (size_t n = 0; n < size; n += 7) {
        espctl_defmt *d = NULL;
        int rc = espctl_defmt_open_bytes(&d, good, n, "cut.elf");
        assert_int_not_equal(rc, 0);
        assert_null(d);
        assert_true(strncmp(espctl_last_error(), "cut.elf: ", 9) == 0);
    }
    free(elf);
    free(good);
}

static void test_segger_rtt_symbol(void **state)
{
    (void)state;
    size_t size;
    struct test_elf_layout lay;
    uint8_t *elf = build_basic(&size, &lay, "4");
    uint64_t address = 0, sym_size = 0;
    assert_int_equal(espctl_elf_symbol_bytes(elf, size, "fw.elf", "_SEGGER_RTT", &address, &sym_size), 0);
    assert_int_equal(address, 0x20000400);
    assert_int_equal(sym_size, 120);

    assert_int_equal(espctl_elf_symbol_bytes(elf, size, "fw.elf", "_SEGGER_RTX", &address, NULL),
                     ESPCTL_E_NOT_FOUND);
    expect_detail("fw.elf: symbol _SEGGER_RTX not found");
    /* An undefined reference is not a definition. */
    assert_int_equal(espctl_elf_symbol_bytes(elf, size, "fw.elf", "undefined_ref", NULL, NULL),
                     ESPCTL_E_NOT_FOUND);

    /* Malformed symbol table. */
    uint8_t *bad = malloc(size);
    assert_non_null(bad);
    memcpy(bad, elf, size);
    put32(bad + lay.shoff + 4 * 40 + 20, 17);
    assert_int_equal(espctl_elf_symbol_bytes(bad, size, "fw.elf", "_SEGGER_RTT", &address, NULL),
                     ESPCTL_E_FORMAT);
    expect_detail("sh_size 17 is not a multiple of 16");
    memcpy(bad, elf, size);
    put32(bad + lay.shoff + 4 * 40 + 16, (uint32_t)size - 8);
    assert_int_equal(espctl_elf_symbol_bytes(bad, size, "fw.elf", "_SEGGER_RTT", &address, NULL),
                     ESPCTL_E_FORMAT);
    expect_detail("section 4 (.symtab)");
    /* No symbol table at all (stripped). */
    memcpy(bad, elf, size);
    put32(bad + lay.shoff + 4 * 40 + 4, 1);
    assert_int_equal(espctl_elf_symbol_bytes(bad, size, "fw.elf", "_SEGGER_RTT", &address, NULL),
                     ESPCTL_E_NOT_FOUND);
    expect_detail("no symbol table");
    free(bad);

    /* From a file. */
    char path[] = TEST_TMP_DIR "/elfXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, elf, size), (ssize_t)size);
    close(fd);
    address = 0;
    assert_int_equal(espctl_elf_symbol(path, "_SEGGER_RTT", &address, &sym_size), 0);
    assert_int_equal(address, 0x20000400);
    espctl_defmt *d = NULL;
    assert_int_equal(espctl_defmt_open(&d, path), 0);
    assert_int_equal(espctl_defmt_table_size(d), 1);
    espctl_defmt_free(d);
    unlink(path);
    assert_int_equal(espctl_elf_symbol(path, "_SEGGER_RTT", &address, NULL), ESPCTL_E_NOT_FOUND);
    assert_int_equal(espctl_defmt_open(&d, path), ESPCTL_E_NOT_FOUND);
    assert_int_equal(espctl_elf_symbol(NULL, "_SEGGER_RTT", &address, NULL), ESPCTL_E_INVAL);
    free(elf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_errors),
        cmocka_unit_test(test_no_defmt_section),
        cmocka_unit_test(test_bad_json_symbol),
        cmocka_unit_test(test_malformed_headers),
        cmocka_unit_test(test_segger_rtt_symbol),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
