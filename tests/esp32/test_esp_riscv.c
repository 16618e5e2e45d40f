/* A real ESP32-C3 ELF from the RISC-V cross compiler (riscv/app.c, riscv/link.ld) through
 * the image format and into espctl-sim's ESP32-C3 loader. */
#include "esp_build.h"
#include "esp_chip.h"
#include "esp_elf.h"
#include "support.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static const char banner[] = "hello from espctl on esp32c3";

static void test_real_riscv_elf(void **state)
{
    (void)state;
    size_t elf_len, boot_len;
    uint8_t *elf = test_read_file(RISCV_APP_ELF, &elf_len);
    assert_non_null(elf);
    struct esp_elf e;
    char err[256];
    assert_int_equal(esp_elf_parse(elf, elf_len, &e, err, sizeof err), 0);
    assert_int_equal(e.machine, ESP_EM_RISCV);
    /* .rwtext .text .rodata .data; not .bss (NOBITS) nor .riscv.attributes (not allocated) */
    assert_int_equal(e.chunk_count, 4);
    esp_elf_free(&e);

    uint8_t *boot = test_bootloader("esp32c3", &boot_len);
    const struct esp_chip_info *c3 = esp_chip_by_name("esp32c3");
    struct esp_build_opts o = {.bootloader = boot, .bootloader_len = boot_len, .flash_size = "2MB"};
    struct esp_vec m = {0};
    struct esp_build_result r;
    if (esp_build_merged(c3, elf, elf_len, &o, &m, &r, err, sizeof err))
        fail_msg("%s", err);
    const uint8_t *app = m.data + 0x10000;
    assert_int_equal(app[0], 0xE9);
    assert_int_equal(app[4] | app[5] << 8 | app[6] << 16 | (uint32_t)app[7] << 24, 0x42000020); /* _start */
    assert_int_equal(app[12], 5);                                                               /* ESP32-C3 */
    assert_int_equal(app[3], 0x1F);                                                             /* 2MB, 80m */
    /* the string is in the image, inside the DROM segment */
    assert_non_null(memmem(app, m.len - 0x10000, banner, sizeof banner));
    char *json = NULL;
    assert_int_equal(esp_describe(0, m.data, m.len, &json, err, sizeof err), 0);
    json_t *d = json_loads(json, 0, NULL);
    free(json);
    assert_string_equal(json_string_value(json_object_get(d, "chip")), "esp32c3");
    assert_string_equal(json_string_value(json_object_get(json_object_get(d, "app"), "sha256")), "ok");
    int kinds = 0;
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(d, "segments"), i, s) {
        const char *kind = json_string_value(json_object_get(s, "kind"));
        const char *addr = json_string_value(json_object_get(s, "address"));
        long long off = json_integer_value(json_object_get(s, "file_offset"));
        if (!strcmp(kind, "irom")) {
            assert_string_equal(addr, "0x42000020");
            assert_int_equal(off % 0x10000, 0x20);
            kinds |= 1;
        } else if (!strcmp(kind, "drom")) {
            assert_string_equal(addr, "0x3c000020");
            assert_int_equal(off % 0x10000, 0x20);
            kinds |= 2;
        } else if (!strcmp(kind, "ram")) {
            kinds |= 4;
        }
    }
    assert_int_equal(kinds, 7);
    json_decref(d);

    /* and it flashes into the ESP32-C3 loader */
    char dir[256];
    test_tmpdir(dir);
    struct sim sim;
    sim_start(&sim, dir, "esp32c3", 0, (const char *const[]){"--flash-size", "2MB", NULL});
    struct fake_host h;
    fake_host_init(&h);
    struct loaded_plugin p;
    plugin_load(&p, &h);
    struct espctl_target_params tp = {.hdr = ESPCTL_ABI_HDR(struct espctl_target_params), .port = sim.endpoint,
                                      .target_json = "{\"kind\":\"esp32\",\"chip\":\"esp32c3\",\"flash_mode\":\"dio\","
                                                     "\"flash_freq\":\"80m\",\"flash_size\":\"2MB\"}"};
    void *session = NULL;
    assert_int_equal(p.target->open(p.target->target_data, &tp, &session), 0);
    struct espctl_segment seg = {0, m.len, m.data};
    struct espctl_flash_image img = {.hdr = ESPCTL_ABI_HDR(struct espctl_flash_image), .segment_count = 1, .segments = &seg};
    int rc = p.target->flash(session, &img, 0);
    if (rc)
        fail_msg("flash: %s", h.last_error);
    p.target->close(session);
    plugin_unload(&p);
    sim_stop(&sim);
    size_t flen;
    uint8_t *flash = test_read_file(sim.flash_out, &flen);
    assert_non_null(flash);
    assert_int_equal(flen, 2u << 20);
    assert_memory_equal(flash, m.data, m.len);
    free(flash);
    test_rmtree(dir);
    esp_vec_free(&m);
    free(boot);
    free(elf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_real_riscv_elf)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
