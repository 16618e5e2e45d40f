/*
 * The built gdbremote plugin against fake GDB servers on loopback: a server that stops
 * answering (bounded ESPCTL_E_TIMEOUT), malformed packets (bad checksum, truncated,
 * huge, garbage, bad run-length) as clean errors, reply decoding (escapes, run-length),
 * and a Black-Magic-Probe-like server for no-ack mode, X writes, the memory map,
 * vFlash* through the flash-writer extension and all-stop run control.
 */
#include "espctl/plugin/ext/flash_writer.h"
#include "espctl/plugin/ext/run_control.h"
#include "fake_gdb_server.h"
#include "gdb_test_host.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIMEOUT_MS 300u

static const char *const fast_config[] = {"gdbremote.timeout_ms", "300", NULL};
static const char *const bad_reset_config[] = {"gdbremote.timeout_ms", "2000",
                                               "gdbremote.reset_command", "bogus", NULL};

struct fx {
    struct gdb_test_plugin tp;
    struct fake_server server;
    char selector[128];
    void *probe;
};

static struct fx *fx_new(const char *const *config, enum fake_mode mode, const char *const *script,
                         size_t count)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    gdb_test_load(&f->tp, PLUGIN_SO, config);
    fake_server_start(&f->server, mode, script, count);
    snprintf(f->selector, sizeof f->selector, "gdb:127.0.0.1:%u", f->server.port);
    return f;
}

static int fx_open(struct fx *f)
{
    return f->tp.driver->open(f->tp.driver->driver_data, f->selector, &f->probe);
}

static void fx_free(struct fx *f)
{
    if (f->probe)
        f->tp.driver->close(f->probe);
    fake_server_stop(&f->server);
    gdb_test_unload(&f->tp);
    free(f);
}

/* "+$payload#cc": an ack followed by a correctly framed packet. */
static char *framed(const char *payload)
{
    size_t len = strlen(payload);
    char *out = malloc(len + 6);
    assert_non_null(out);
    uint8_t sum = 0;
    for (size_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + (uint8_t)payload[i]);
    snprintf(out, len + 6, "+$%s#%02x", payload, sum);
    return out;
}

static void expect_error(struct fx *f, int rc, int code, const char *text)
{
    if (rc != code)
        fail_msg("expected %d, got %d (%s)", code, rc, f->tp.last_error);
    if (!strstr(f->tp.last_error, text))
        fail_msg("error '%s' does not mention '%s'", f->tp.last_error, text);
}

static void test_silent_server_times_out(void **state)
{
    (void)state;
    struct fx *f = fx_new(fast_config, FAKE_SILENT, NULL, 0);
    uint64_t start = gdb_test_now_ms();
    int rc = fx_open(f);
    uint64_t elapsed = gdb_test_now_ms() - start;
    expect_error(f, rc, ESPCTL_E_TIMEOUT, "stopped answering");
    assert_non_null(strstr(f->tp.last_error, "300 ms"));
    assert_true(elapsed >= TIMEOUT_MS);
    assert_true(elapsed < TIMEOUT_MS + 5000);
    assert_null(f->probe);
    fx_free(f);
}

/* "$payload#cc" without an ack: a packet the server sends on its own. */
static char *unacked(const char *payload)
{
    char *with_ack = framed(payload);
    memmove(with_ack, with_ack + 1, strlen(with_ack));
    return with_ack;
}

/* QEMU stops a running machine when a client connects and reports the stop before it
 * reads the client's next packet: a packet waiting where an acknowledgement is due is
 * taken (and acknowledged), not an error. A server that keeps sending packets instead
 * of an acknowledgement still is one. (The fake acknowledges each packet itself before
 * its scripted answer, so the stop is queued behind the answer to the first packet.) */
static void test_unsolicited_stop_before_ack(void **state)
{
    (void)state;
    char *stop = unacked("T02thread:01;");
    char *hello = framed("PacketSize=400");
    char first[512];
    snprintf(first, sizeof first, "%s%s", hello, stop);
    char *not_qemu = framed("");
    const char *script[] = {first, not_qemu};
    struct fx *f = fx_new(fast_config, FAKE_SCRIPT, script, 2);
    assert_int_equal(fx_open(f), 0);
    fx_free(f);

    char flood[512];
    snprintf(flood, sizeof flood, "%s%s%s%s%s%s", hello, stop, stop, stop, stop, stop);
    const char *script2[] = {flood, not_qemu};
    f = fx_new(fast_config, FAKE_SCRIPT, script2, 2);
    expect_error(f, fx_open(f), ESPCTL_E_PROTOCOL, "where an acknowledgement was due");
    fx_free(f);
    free(stop);
    free(hello);
    free(not_qemu);
}

/* Handshake answered, then silence: the first packet of connect() times out, and the
 * connection is dead from then on (every call fails at once). */
static void test_server_goes_silent_later(void **state)
{
    (void)state;
    char *hello = framed("PacketSize=400");
    char *not_qemu = framed("");
    const char *script[] = {hello, not_qemu, NULL};
    struct fx *f = fx_new(fast_config, FAKE_SCRIPT, script, 3);
    assert_int_equal(fx_open(f), 0);
    uint64_t start = gdb_test_now_ms();
    expect_error(f, f->tp.driver->connect(f->probe, 0), ESPCTL_E_TIMEOUT, "stopped answering");
    assert_true(gdb_test_now_ms() - start < TIMEOUT_MS + 5000);
    uint8_t buf[4];
    start = gdb_test_now_ms();
    expect_error(f, f->tp.driver->mem_read(f->probe, 0, 0x20000000, 32, buf, 4), ESPCTL_E_NO_DEVICE,
                 "lost earlier");
    assert_true(gdb_test_now_ms() - start < TIMEOUT_MS);
    fx_free(f);
    free(hello);
    free(not_qemu);
}

static void test_bad_checksum(void **state)
{
    (void)state;
    /* Four bad frames: the first answer and three resends after our '-'. */
    const char *script[] = {"+$PacketSize=400#00$PacketSize=400#00$PacketSize=400#00"
                            "$PacketSize=400#00"};
    struct fx *f = fx_new(fast_config, FAKE_SCRIPT, script, 1);
    expect_error(f, fx_open(f), ESPCTL_E_PROTOCOL, "bad checksum");
    fx_free(f);
    const char *non_hex[] = {"+$PacketSize=400#zz$PacketSize=400#zz$PacketSize=400#zz"
                             "$PacketSize=400#zz"};
    f = fx_new(fast_config, FAKE_SCRIPT, non_hex, 1);
    expect_error(f, fx_open(f), ESPCTL_E_PROTOCOL, "bad checksum");
    fx_free(f);
}

static void test_truncated_packet(void **state)
{
    (void)state;
    const char *script[] = {"+$PacketSi"};
    struct fx *f = fx_new(fast_config, FAKE_SCRIPT, script, 1);
    expect_error(f, fx_open(f), ESPCTL_E_TIMEOUT, "stopped answering");
    fx_free(f);

    /* A truncated frame followed by a complete one: the complete one counts. */
    char *good = framed("PacketSize=400");
    char *cut_then_good = malloc(strlen(good) + 16);
    assert_non_null(cut_then_good);
    snprintf(cut_then_good, strlen(good) + 16, "+$Pack%s", good + 1);
    char *not_qemu = framed("");
    const char *script2[] = {cut_then_good, not_qemu};
    f = fx_new(fast_config, FAKE_SCRIPT, script2, 2);
    assert_int_equal(fx_open(f), 0);
    fx_free(f);
    free(good);
    free(cut_then_good);
    free(not_qemu);
}

static void test_huge_packet_and_garbage(void **state)
{
    (void)state;
    size_t n = 300000;
    char *huge = malloc(n + 3);
    assert_non_null(huge);
    memcpy(huge, "+$", 2);
    memset(huge + 2, 'a', n);
    huge[n + 2] = '\0';
    const char *script[] = {huge};
    struct fx *f = fx_new(fast_config, FAKE_SCRIPT, script, 1);
    expect_error(f, fx_open(f), ESPCTL_E_PROTOCOL, "longer than");
    fx_free(f);

    huge[1] = 'z'; /* no '$' at all */
    f = fx_new(fast_config, FAKE_SCRIPT, script, 1);
    expect_error(f, fx_open(f), ESPCTL_E_PROTOCOL, "no packet");
    fx_free(f);

    /* Framed and checksummed, but it decodes past the reply bound: run-length bomb. */
    size_t reps = 20000;
    char *bomb = malloc(reps * 3 + 2);
    assert_non_null(bomb);
    for (size_t i = 0; i < reps; i++)
        memcpy(bomb + 3 * i, "a*~", 3);
    bomb[reps * 3] = '\0';
    char *bomb_frame = framed(bomb);
    const char *script2[] = {bomb_frame};
    f = fx_new(fast_config, FAKE_SCRIPT, script2, 1);
    expect_error(f, fx_open(f), ESPCTL_E_PROTOCOL, "longer than");
    fx_free(f);
    free(bomb);
    free(bomb_frame);
    free(huge);
}

static void test_reply_decoding(void **state)
{
    (void)state;
    char *hello = framed("PacketSize=400");
    char *not_qemu = framed("");
    char *stop = framed("T05");
    char *zeros = framed("0*,");          /* '0' and 15 more: 8 zero bytes */
    char *mixed = framed("ab}Ccd* ");     /* ab, escaped c, c, d and 3 more d */
    char *rle_first = framed("*!00");     /* run-length with nothing to repeat */
    const char *script[] = {hello, not_qemu, stop, zeros, mixed, rle_first};
    struct fx *f = fx_new(fast_config, FAKE_SCRIPT, script, 6);
    assert_int_equal(fx_open(f), 0);
    assert_int_equal(f->tp.driver->connect(f->probe, 0), 0);
    uint8_t buf[8];
    memset(buf, 0x55, sizeof buf);
    assert_int_equal(f->tp.driver->mem_read(f->probe, 0, 0x20000000, 32, buf, 8), 0);
    for (int i = 0; i < 8; i++)
        assert_int_equal(buf[i], 0);
    assert_int_equal(f->tp.driver->mem_read(f->probe, 0, 0x20000000, 32, buf, 4), 0);
    static const uint8_t want[] = {0xab, 0xcc, 0xdd, 0xdd};
    assert_memory_equal(buf, want, 4);
    expect_error(f, f->tp.driver->mem_read(f->probe, 0, 0x20000000, 8, buf, 2), ESPCTL_E_PROTOCOL,
                 "run-length");
    fx_free(f);
    free(hello);
    free(not_qemu);
    free(stop);
    free(zeros);
    free(mixed);
    free(rle_first);
}

static void test_open_errors(void **state)
{
    (void)state;
    struct fx *f = fx_new(fast_config, FAKE_SILENT, NULL, 0);
    void *probe = NULL;
    expect_error(f, f->tp.driver->open(f->tp.driver->driver_data, "gdb:nohostport", &probe),
                 ESPCTL_E_INVAL, "gdb:HOST:PORT");
    expect_error(f, f->tp.driver->open(f->tp.driver->driver_data, "gdb:/nonexistent/ttyACM9", &probe),
                 ESPCTL_E_NOT_FOUND, "/nonexistent/ttyACM9");
    assert_null(probe);
    fx_free(f);
}

static void test_bmp_like_server(void **state)
{
    (void)state;
    struct fx *f = fx_new(bad_reset_config, FAKE_BMP, NULL, 0);
    const struct espctl_probe_driver *d = f->tp.driver;
    assert_int_equal(fx_open(f), 0);
    assert_int_equal(d->connect(f->probe, 0), 0);

    struct espctl_probe_caps caps = {.hdr = ESPCTL_ABI_HDR(struct espctl_probe_caps)};
    assert_int_equal(d->caps(f->probe, &caps), 0);
    assert_true(caps.flags & ESPCTL_PROBE_CAP_FLASH_WRITE);
    assert_int_equal(caps.max_mem_block, (0x400 - 1) / 2);

    const struct espctl_flash_writer *fw = d->get_extension(f->probe, ESPCTL_EXT_FLASH_WRITER);
    assert_non_null(fw);
    assert_int_equal(fw->flags, 0);
    assert_int_equal(fw->region_count(f->probe), 1);
    struct espctl_flash_region region = {.hdr = ESPCTL_ABI_HDR(struct espctl_flash_region)};
    assert_int_equal(fw->region(f->probe, 0, &region), 0);
    assert_int_equal(region.start, FAKE_FLASH_BASE);
    assert_int_equal(region.length, FAKE_FLASH_SIZE);
    assert_int_equal(region.block_size, FAKE_FLASH_BLOCK);
    assert_int_equal(fw->region(f->probe, 1, &region), ESPCTL_E_NOT_FOUND);

    expect_error(f, fw->erase(f->probe, FAKE_FLASH_BASE + 4, FAKE_FLASH_BLOCK), ESPCTL_E_INVAL,
                 "aligned");
    expect_error(f, fw->erase(f->probe, FAKE_RAM_BASE, FAKE_FLASH_BLOCK), ESPCTL_E_INVAL,
                 "outside");
    assert_int_equal(fw->erase(f->probe, FAKE_FLASH_BASE, 2 * FAKE_FLASH_BLOCK), 0);

    uint8_t image[1500];
    for (size_t i = 0; i < sizeof image; i++)
        image[i] = (uint8_t)(i * 7 + (i >> 8));
    image[0] = '#';
    image[1] = '$';
    image[2] = '}';
    image[3] = '*';
    assert_int_equal(fw->write(f->probe, FAKE_FLASH_BASE, image, sizeof image), 0);
    assert_int_equal(fw->done(f->probe), 0);
    uint8_t back[sizeof image];
    assert_int_equal(d->mem_read(f->probe, 0, FAKE_FLASH_BASE, 8, back, sizeof back), 0);
    assert_memory_equal(back, image, sizeof image);

    static const uint8_t special[8] = {'#', '$', '}', '*', 0x00, 0x03, 0x7d, 0xff};
    assert_int_equal(d->mem_write(f->probe, 0, FAKE_RAM_BASE + 8, 8, special, 8), 0);
    uint8_t ram[8];
    assert_int_equal(d->mem_read(f->probe, 0, FAKE_RAM_BASE + 8, 8, ram, 8), 0);
    assert_memory_equal(ram, special, 8);

    const struct espctl_run_control *run = d->get_extension(f->probe, ESPCTL_EXT_RUN_CONTROL);
    assert_non_null(run);
    assert_true(run->flags & ESPCTL_RUN_CONTROL_ALL_STOP);
    int32_t halted = -1;
    assert_int_equal(run->resume(f->probe), 0);
    assert_int_equal(run->is_halted(f->probe, &halted), 0);
    assert_int_equal(halted, 0);
    /* A memory read while running halts for the access and resumes afterwards. */
    assert_int_equal(d->mem_read(f->probe, 0, FAKE_RAM_BASE + 8, 8, ram, 8), 0);
    assert_memory_equal(ram, special, 8);
    assert_int_equal(run->is_halted(f->probe, &halted), 0);
    assert_int_equal(halted, 0);
    assert_int_equal(run->halt(f->probe), 0);
    assert_int_equal(run->is_halted(f->probe, &halted), 0);
    assert_int_equal(halted, 1);

    /* The configured reset command is refused by this server ("Failed" console text). */
    expect_error(f, d->reset(f->probe, ESPCTL_RESET_SYSTEM), ESPCTL_E_TARGET, "Failed");
    expect_error(f, d->reset(f->probe, ESPCTL_RESET_HW_PULSE), ESPCTL_E_NOT_SUPPORTED, "system reset");
    assert_int_equal(d->disconnect(f->probe), 0);
    d->close(f->probe);
    f->probe = NULL;
    fake_server_stop(&f->server);

    struct fake_server *s = &f->server;
    assert_int_equal(s->noack, 1);
    assert_int_equal(s->acks_after_noack, 1); /* only the ack of QStartNoAckMode's own OK */
    assert_int_equal(s->saw_kill, 0);
    assert_int_equal(s->m_writes, 0);
    assert_true(s->x_packets >= 1);
    assert_memory_equal(s->last_x, special, 8);
    assert_int_equal(s->erases, 1);
    assert_true(s->flash_writes >= 2); /* 1500 bytes do not fit one 0x400 packet */
    assert_int_equal(s->dones, 1);
    assert_int_equal(s->interrupts, 2);
    assert_int_equal(s->continues, 3);
    gdb_test_unload(&f->tp);
    free(f);
}

static void test_bmp_reset(void **state)
{
    (void)state;
    static const char *const config[] = {"gdbremote.timeout_ms", "2000", NULL};
    struct fx *f = fx_new(config, FAKE_BMP, NULL, 0);
    const struct espctl_probe_driver *d = f->tp.driver;
    assert_int_equal(fx_open(f), 0);
    assert_int_equal(d->connect(f->probe, 0), 0);
    assert_int_equal(d->reset(f->probe, ESPCTL_RESET_SYSTEM), 0);
    const struct espctl_run_control *run = d->get_extension(f->probe, ESPCTL_EXT_RUN_CONTROL);
    int32_t halted = -1;
    assert_int_equal(run->is_halted(f->probe, &halted), 0);
    assert_int_equal(halted, 0);
    assert_int_equal(run->reset_and_halt(f->probe), 0);
    assert_int_equal(run->is_halted(f->probe, &halted), 0);
    assert_int_equal(halted, 1);
    d->close(f->probe);
    f->probe = NULL;
    fake_server_stop(&f->server);
    assert_int_equal(f->server.resets, 2);
    assert_int_equal(f->server.saw_kill, 0);
    gdb_test_unload(&f->tp);
    free(f);
}

/* The serial-port transport (Black Magic Probe's GDB port) over a pseudo-terminal. */
static void test_bmp_over_serial_port(void **state)
{
    (void)state;
    static const char *const config[] = {"gdbremote.timeout_ms", "2000", NULL};
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    gdb_test_load(&f->tp, PLUGIN_SO, config);
    fake_server_start_pty(&f->server, FAKE_BMP);
    snprintf(f->selector, sizeof f->selector, "gdb:%s", f->server.pty_path);
    const struct espctl_probe_driver *d = f->tp.driver;
    if (fx_open(f))
        fail_msg("open %s: %s", f->selector, f->tp.last_error);
    assert_int_equal(d->connect(f->probe, 0), 0);
    uint8_t data[600];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i ^ 0x5a);
    assert_int_equal(d->mem_write(f->probe, 0, FAKE_RAM_BASE, 32, data, sizeof data), 0);
    uint8_t back[sizeof data];
    assert_int_equal(d->mem_read(f->probe, 0, FAKE_RAM_BASE, 32, back, sizeof back), 0);
    assert_memory_equal(back, data, sizeof data);
    f->tp.cancel = 1;
    expect_error(f, d->mem_read(f->probe, 0, FAKE_RAM_BASE, 32, back, sizeof back),
                 ESPCTL_E_CANCELLED, "cancelled");
    expect_error(f, d->mem_write(f->probe, 0, FAKE_RAM_BASE, 32, data, sizeof data),
                 ESPCTL_E_CANCELLED, "cancelled");
    f->tp.cancel = 0;
    assert_int_equal(d->mem_read(f->probe, 0, FAKE_RAM_BASE, 32, back, 4), 0);
    d->close(f->probe);
    f->probe = NULL;
    fake_server_stop(&f->server);
    assert_memory_equal(f->server.ram, data, sizeof data);
    assert_int_equal(f->server.noack, 1);
    gdb_test_unload(&f->tp);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_silent_server_times_out),
        cmocka_unit_test(test_server_goes_silent_later),
        cmocka_unit_test(test_unsolicited_stop_before_ack),
        cmocka_unit_test(test_bad_checksum),
        cmocka_unit_test(test_truncated_packet),
        cmocka_unit_test(test_huge_packet_and_garbage),
        cmocka_unit_test(test_reply_decoding),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_bmp_like_server),
        cmocka_unit_test(test_bmp_reset),
        cmocka_unit_test(test_bmp_over_serial_port),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
