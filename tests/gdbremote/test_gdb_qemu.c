/*
 * End to end on a real emulator: QEMU's netduinoplus2 (STM32F405) runs firmware built
 * from examples/firmware/f405-rtt. Through the gdbremote plugin the test writes the
 * image into QEMU's flash model, verifies it, resets, and reads the firmware's RTT
 * output (all-stop: halt, read, resume) and a down-channel echo.
 */
#include "espctl/plugin/ext/flash_writer.h"
#include "espctl/plugin/ext/run_control.h"
#include "gdb_test_host.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define FLASH_BASE 0x08000000u
#define LINE_COUNT 1000
#define RTT_HEADER 24u
#define RTT_DESC 24u
#define POLL_DEADLINE_MS 120000u

struct qemu_fixture {
    pid_t qemu;
    char selector[64];
    struct gdb_test_plugin tp;
    void *probe;
    const struct espctl_run_control *run;
    uint32_t rtt_addr;
    uint8_t *image;
    size_t image_len;
};

static const char *const config[] = {"gdbremote.timeout_ms", "5000", NULL};

static uint16_t free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static pid_t start_qemu(uint16_t port)
{
    char gdb_arg[64];
    snprintf(gdb_arg, sizeof gdb_arg, "tcp:127.0.0.1:%u", port);
    char *argv[] = {(char *)QEMU_SYSTEM_ARM, "-M", "netduinoplus2", "-nographic", "-S", "-gdb",
                    gdb_arg, "-monitor", "none", "-serial", "none", NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "qemu-gdbremote.log", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc)
        fail_msg("cannot start %s: %s", argv[0], strerror(rc));
    return pid;
}

static void stop_qemu(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(pid, SIGTERM);
    for (int i = 0; i < 100; i++) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return;
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *data = malloc((size_t)size);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *len = (size_t)size;
    return data;
}

/* Address of a symbol, read with arm-none-eabi-nm. */
static uint32_t symbol_address(const char *name)
{
    char command[2048];
    snprintf(command, sizeof command, "'%s' '%s'", ARM_NM, FIRMWARE_ELF);
    FILE *p = popen(command, "r");
    assert_non_null(p);
    char line[256];
    unsigned long value = 0;
    int found = 0;
    while (fgets(line, sizeof line, p)) {
        char type, sym[200];
        unsigned long v;
        if (sscanf(line, "%lx %c %199s", &v, &type, sym) == 3 && strcmp(sym, name) == 0) {
            value = v;
            found = 1;
        }
    }
    pclose(p);
    if (!found)
        fail_msg("symbol %s not in %s", name, FIRMWARE_ELF);
    return (uint32_t)value;
}

static uint32_t get32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void put32(uint8_t *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

static int setup(void **state)
{
    if (!FIRMWARE_ELF[0]) {
        fprintf(stderr, "arm-none-eabi-gcc not found: skipping the QEMU end-to-end test\n");
        exit(77);
    }
    struct qemu_fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    gdb_test_load(&fx->tp, PLUGIN_SO, config);
    fx->image = read_file(FIRMWARE_BIN, &fx->image_len);
    fx->rtt_addr = symbol_address("_SEGGER_RTT");
    for (int attempt = 0; attempt < 3 && !fx->probe; attempt++) {
        uint16_t port = free_port();
        fx->qemu = start_qemu(port);
        snprintf(fx->selector, sizeof fx->selector, "gdb:127.0.0.1:%u", port);
        uint64_t deadline = gdb_test_now_ms() + 10000;
        while (!fx->probe && gdb_test_now_ms() < deadline) {
            if (fx->tp.driver->open(fx->tp.driver->driver_data, fx->selector, &fx->probe) == 0)
                break;
            fx->probe = NULL;
            if (waitpid(fx->qemu, NULL, WNOHANG) == fx->qemu) {
                fx->qemu = 0;
                break; /* port taken meanwhile: try another */
            }
            struct timespec ts = {0, 50000000};
            nanosleep(&ts, NULL);
        }
        if (!fx->probe) {
            stop_qemu(fx->qemu);
            fx->qemu = 0;
        }
    }
    if (!fx->probe)
        fail_msg("QEMU's gdbstub never answered: %s", fx->tp.last_error);
    fx->run = fx->tp.driver->get_extension(fx->probe, ESPCTL_EXT_RUN_CONTROL);
    assert_non_null(fx->run);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct qemu_fixture *fx = *state;
    if (fx->probe)
        fx->tp.driver->close(fx->probe);
    stop_qemu(fx->qemu);
    gdb_test_unload(&fx->tp);
    free(fx->image);
    free(fx);
    return 0;
}

static void check(struct qemu_fixture *fx, int rc, const char *what)
{
    if (rc)
        fail_msg("%s: %d (%s)", what, rc, fx->tp.last_error);
}

/* Flash the image the way the cortexm engine will: through the flash-writer extension. */
static void test_flash_verify_reset(void **state)
{
    struct qemu_fixture *fx = *state;
    const struct espctl_probe_driver *d = fx->tp.driver;
    check(fx, d->connect(fx->probe, 0), "connect");

    struct espctl_probe_caps caps = {.hdr = ESPCTL_ABI_HDR(struct espctl_probe_caps)};
    check(fx, d->caps(fx->probe, &caps), "caps");
    assert_true(caps.flags & ESPCTL_PROBE_CAP_MEM);
    assert_true(caps.flags & ESPCTL_PROBE_CAP_FLASH_WRITE);
    assert_false(caps.flags & ESPCTL_PROBE_CAP_DP_AP);
    assert_null(d->dp_read);

    const struct espctl_flash_writer *fw = d->get_extension(fx->probe, ESPCTL_EXT_FLASH_WRITER);
    assert_non_null(fw);
    assert_true(fw->flags & ESPCTL_FLASH_WRITER_NO_MAP);
    assert_int_equal(fw->region_count(fx->probe), 0);

    uint64_t erase_len = (fx->image_len + 0x3fff) & ~(uint64_t)0x3fff;
    check(fx, fw->erase(fx->probe, FLASH_BASE, erase_len), "erase");
    uint8_t probe_bytes[16];
    check(fx, d->mem_read(fx->probe, 0, FLASH_BASE + erase_len - 16, 32, probe_bytes, 16),
          "read erased");
    for (int i = 0; i < 16; i++)
        assert_int_equal(probe_bytes[i], 0xff);

    check(fx, fw->write(fx->probe, FLASH_BASE, fx->image, (uint32_t)fx->image_len), "write");
    check(fx, fw->done(fx->probe), "done");

    uint8_t *back = malloc(fx->image_len);
    assert_non_null(back);
    check(fx, d->mem_read(fx->probe, 0, FLASH_BASE, 8, back, (uint32_t)fx->image_len), "verify");
    assert_memory_equal(back, fx->image, fx->image_len);
    free(back);

    /* The vector table as the core will fetch it: initial SP, then the reset handler. */
    uint8_t vectors[8];
    check(fx, d->mem_read(fx->probe, 0, FLASH_BASE, 32, vectors, 8), "vector table");
    assert_int_equal(get32(vectors), 0x20020000u);
    assert_int_equal(get32(vectors + 4), symbol_address("reset_handler") | 1u);

    /* QEMU aliases flash at 0: the M4 boots from there. */
    uint8_t alias[8];
    check(fx, d->mem_read(fx->probe, 0, 0, 32, alias, 8), "alias at 0");
    assert_memory_equal(alias, vectors, 8);

    /* Unaligned accesses are refused before anything is sent. */
    assert_int_equal(d->mem_read(fx->probe, 0, FLASH_BASE + 2, 32, alias, 4), ESPCTL_E_INVAL);

    int32_t halted = -1;
    check(fx, fx->run->is_halted(fx->probe, &halted), "is_halted");
    assert_int_equal(halted, 1);
    check(fx, d->reset(fx->probe, ESPCTL_RESET_SYSTEM), "reset");
    check(fx, fx->run->is_halted(fx->probe, &halted), "is_halted");
    assert_int_equal(halted, 0);
}

struct rtt_reader {
    char text[32768];
    size_t len;
};

/* One all-stop RTT poll: halt, drain up channel 0, advance RdOff, resume. Returns the
 * number of bytes read, or -1 while the control block is not initialised yet. */
static int rtt_poll(struct qemu_fixture *fx, struct rtt_reader *rd)
{
    const struct espctl_probe_driver *d = fx->tp.driver;
    check(fx, fx->run->halt(fx->probe), "halt");
    uint8_t cb[RTT_HEADER + 2 * RTT_DESC];
    check(fx, d->mem_read(fx->probe, 0, fx->rtt_addr, 32, cb, sizeof cb), "read control block");
    int got = -1;
    if (memcmp(cb, "SEGGER RTT\0\0\0\0\0\0", 16) == 0) {
        assert_int_equal(get32(cb + 16), 1);
        assert_int_equal(get32(cb + 20), 1);
        const uint8_t *up = cb + RTT_HEADER;
        uint32_t buffer = get32(up + 4), size = get32(up + 8);
        uint32_t wr = get32(up + 12), rd_off = get32(up + 16);
        assert_int_equal(get32(up + 20) & 3u, 2u); /* BlockIfFull */
        assert_true(size > 0 && size <= 4096 && wr < size && rd_off < size);
        got = 0;
        while (rd_off != wr) {
            uint32_t end = wr > rd_off ? wr : size;
            uint32_t n = end - rd_off;
            assert_true(rd->len + n < sizeof rd->text);
            check(fx, d->mem_read(fx->probe, 0, buffer + rd_off, 8, (uint8_t *)rd->text + rd->len, n),
                  "read up buffer");
            rd->len += n;
            got += (int)n;
            rd_off = end == size ? 0 : end;
        }
        uint8_t off[4];
        put32(off, rd_off);
        check(fx, d->mem_write(fx->probe, 0, fx->rtt_addr + RTT_HEADER + 16, 32, off, 4),
              "write RdOff");
        rd->text[rd->len] = '\0';
    }
    check(fx, fx->run->resume(fx->probe), "resume");
    return got;
}

static void poll_until(struct qemu_fixture *fx, struct rtt_reader *rd, const char *needle)
{
    uint64_t deadline = gdb_test_now_ms() + POLL_DEADLINE_MS;
    while (!strstr(rd->text, needle)) {
        if (gdb_test_now_ms() > deadline)
            fail_msg("no '%s' from the firmware; got %zu bytes", needle, rd->len);
        if (rtt_poll(fx, rd) <= 0) {
            struct timespec ts = {0, 2000000};
            nanosleep(&ts, NULL);
        }
    }
}

static struct rtt_reader reader;

static void test_rtt_lines_in_order(void **state)
{
    struct qemu_fixture *fx = *state;
    poll_until(fx, &reader, "line 999\n");
    const char *p = reader.text;
    for (int n = 0; n < LINE_COUNT; n++) {
        char want[32];
        int len = snprintf(want, sizeof want, "line %d\n", n);
        if (strncmp(p, want, (size_t)len) != 0)
            fail_msg("expected '%.*s' at offset %zu, got '%.16s'", len - 1, want,
                     (size_t)(p - reader.text), p);
        p += len;
    }
    assert_int_equal(*p, '\0');
}

static void test_rtt_down_echo(void **state)
{
    struct qemu_fixture *fx = *state;
    const struct espctl_probe_driver *d = fx->tp.driver;
    const char ping[] = "ping\n";
    check(fx, fx->run->halt(fx->probe), "halt");
    uint32_t down = fx->rtt_addr + RTT_HEADER + RTT_DESC;
    uint8_t desc[RTT_DESC];
    check(fx, d->mem_read(fx->probe, 0, down, 32, desc, sizeof desc), "read down descriptor");
    uint32_t buffer = get32(desc + 4), size = get32(desc + 8), wr = get32(desc + 12);
    uint32_t rd_off = get32(desc + 16);
    uint32_t free_bytes = rd_off > wr ? rd_off - wr - 1 : size - wr + rd_off - 1;
    assert_true(size >= 8 && wr < size && free_bytes >= sizeof ping - 1);
    for (size_t i = 0; i < sizeof ping - 1; i++) {
        check(fx, d->mem_write(fx->probe, 0, buffer + wr, 8, (const uint8_t *)ping + i, 1),
              "write down byte");
        wr = wr + 1 == size ? 0 : wr + 1;
    }
    uint8_t off[4];
    put32(off, wr);
    check(fx, d->mem_write(fx->probe, 0, down + 12, 32, off, 4), "write WrOff");
    check(fx, fx->run->resume(fx->probe), "resume");

    size_t before = reader.len;
    poll_until(fx, &reader, "echo: ping\n");
    assert_string_equal(reader.text + before, "echo: ping\n");

    check(fx, d->disconnect(fx->probe), "disconnect");
    int32_t halted = -1;
    check(fx, fx->run->is_halted(fx->probe, &halted), "is_halted");
    assert_int_equal(halted, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flash_verify_reset),
        cmocka_unit_test(test_rtt_lines_in_order),
        cmocka_unit_test(test_rtt_down_echo),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
