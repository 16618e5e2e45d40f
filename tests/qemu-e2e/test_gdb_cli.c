/*
 * The espctl CLI flashing through the gdbremote probe against in-test fake GDB servers
 * (tests/gdbremote/fake_gdb_server.c) on loopback:
 *   - a server that answers the handshake and then goes silent: exit 1, a message
 *     naming the silent server, well inside the wait bound;
 *   - a Black-Magic-Probe-like server with a memory map: cortexm erases whole blocks of
 *     the map through vFlashErase, writes through vFlashWrite, commits once (vFlashDone),
 *     verifies by reading back, and resets; a second flash of the same bundle skips.
 * The bundle is the f405-rtt firmware packaged by `espctl build` (exit 77 without it).
 */
#include "fake_gdb_server.h"
#include "../cli/spawn.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CLI_TIMEOUT_MS 60000

static char work[256];
static char bundle[300];

static struct spawn_result run(const char *const *args)
{
    const char *argv[16] = {ESPCTL, "--plugin-path", PLUGIN_DIR};
    size_t n = 3;
    for (size_t i = 0; args[i] && n < 15; i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    char xdg[300];
    snprintf(xdg, sizeof xdg, "XDG_CONFIG_HOME=%s/xdg", work);
    const char *env[] = {xdg, "ESPCTL_PLUGIN_PATH", NULL};
    struct spawn_result r;
    assert_int_equal(spawn_run(argv, env, CLI_TIMEOUT_MS, &r), 0);
    assert_false(r.timed_out);
    assert_null(strstr(r.err, "Sanitizer"));
    assert_null(strstr(r.err, "runtime error"));
    return r;
}

/* "+$payload#cc" */
static char *acked(const char *payload)
{
    unsigned sum = 0;
    for (const char *p = payload; *p; p++)
        sum = (sum + (unsigned char)*p) & 0xFFu;
    size_t len = strlen(payload) + 8;
    char *s = malloc(len);
    assert_non_null(s);
    snprintf(s, len, "+$%s#%02x", payload, sum);
    return s;
}

static void test_silent_server(void **state)
{
    (void)state;
    char *hello = acked("PacketSize=400");
    const char *const script[] = {hello, NULL};
    struct fake_server server;
    fake_server_start(&server, FAKE_SCRIPT, script, 2);
    char probe[64];
    snprintf(probe, sizeof probe, "gdb:127.0.0.1:%u", server.port);
    const char *args[] = {"flash", bundle, "--probe", probe, NULL};
    struct spawn_result r = run(args);
    fake_server_stop(&server);
    free(hello);
    assert_int_equal(r.exit_code, 1);
    assert_non_null(strstr(r.err, "stopped answering"));
    assert_non_null(strstr(r.err, "127.0.0.1"));
    spawn_result_free(&r);
}

static long file_bytes(const char *path, uint8_t *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return (long)n;
}

static void test_bmp_memory_map(void **state)
{
    (void)state;
    static uint8_t image[FAKE_FLASH_SIZE + 1];
    long size = file_bytes(FIRMWARE_BIN, image, sizeof image);
    assert_true(size > 0 && size <= FAKE_FLASH_SIZE);

    struct fake_server server;
    fake_server_start(&server, FAKE_BMP, NULL, 0);
    memset(server.flash, 0x5A, sizeof server.flash); /* old contents everywhere */
    char probe[64];
    snprintf(probe, sizeof probe, "gdb:127.0.0.1:%u", server.port);
    const char *args[] = {"--json", "flash", bundle, "--probe", probe, NULL};
    struct spawn_result r = run(args);
    fake_server_stop(&server);
    if (r.exit_code != 0)
        fprintf(stderr, "%s\n%s\n", r.out, r.err);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "\"verified\":true"));
    assert_memory_equal(server.flash, image, (size_t)size);
    /* bytes of the block the image does not cover keep their old contents */
    for (size_t i = (size_t)size; i < sizeof server.flash; i++)
        if (server.flash[i] != 0x5A)
            fail_msg("flash byte 0x%zx changed to 0x%02x", i, server.flash[i]);
    /* one block of the map erased (the image fits in it), one commit, one reset */
    assert_int_equal(server.erases, 1);
    assert_int_equal(server.dones, 1);
    assert_true(server.flash_writes >= 1);
    assert_int_equal(server.m_writes, 0);
    assert_true(server.resets >= 1);
    assert_false(server.saw_kill);
    spawn_result_free(&r);
}

static void test_bmp_unchanged_skips(void **state)
{
    (void)state;
    static uint8_t image[FAKE_FLASH_SIZE + 1];
    long size = file_bytes(FIRMWARE_BIN, image, sizeof image);
    assert_true(size > 0 && size <= FAKE_FLASH_SIZE);
    struct fake_server server;
    fake_server_start(&server, FAKE_BMP, NULL, 0);
    /* the block already holds the image, the rest of it erased, as after a flash */
    memset(server.flash, 0xFF, sizeof server.flash);
    memcpy(server.flash, image, (size_t)size);
    char probe[64];
    snprintf(probe, sizeof probe, "gdb:127.0.0.1:%u", server.port);
    const char *args[] = {"--json", "flash", bundle, "--probe", probe, NULL};
    struct spawn_result r = run(args);
    fake_server_stop(&server);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "1 of 1 sectors already held the image and were skipped"));
    assert_int_equal(server.erases, 0);
    assert_int_equal(server.flash_writes, 0);
    spawn_result_free(&r);
}

int main(void)
{
    struct stat st;
    if (stat(FIRMWARE_ELF, &st) != 0 || stat(FIRMWARE_BIN, &st) != 0) {
        printf("SKIP: no f405-rtt firmware (arm-none-eabi-gcc absent)\n");
        return 77;
    }
    snprintf(work, sizeof work, "%s", WORK_DIR);
    mkdir(work, 0755);
    snprintf(bundle, sizeof bundle, "%s/fw.tar.gz", work);
    const char *args[] = {"build", "--rust-elf", FIRMWARE_ELF, "--target", "stm32f405rg", "--out",
                          bundle, NULL};
    struct spawn_result r = run(args);
    if (r.exit_code != 0) {
        fprintf(stderr, "espctl build failed: %s\n", r.err);
        return 1;
    }
    spawn_result_free(&r);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_silent_server),
        cmocka_unit_test(test_bmp_memory_map),
        cmocka_unit_test(test_bmp_unchanged_skips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
