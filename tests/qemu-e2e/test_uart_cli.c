/*
 * `espctl monitor --uart --port socket://127.0.0.1:PORT` through the CLI against an
 * in-test TCP peer standing in for a board's UART (the esp32 plugin's monitor):
 *   - line mode: "\r\n" endings stripped, a line typed on stdin reaches the peer and
 *     its answer comes back, --timestamps prefixes every line with "[   s.mmm] ";
 *   - raw mode: the bytes exactly as sent;
 *   - --raw with --timestamps, and flash --timestamps without --monitor: usage errors.
 */
#include "../cli/spawn.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CLI_TIMEOUT_MS 30000
#define PEER_WAIT_MS 15000

static const char greeting[] = "boot line 1\r\nline two\n";

struct peer {
    int listen_fd;
    uint16_t port;
    pthread_t thread;
    char got[256]; /* what the monitor sent */
    size_t got_len;
};

static void *serve(void *arg)
{
    struct peer *p = arg;
    struct pollfd lp = {p->listen_fd, POLLIN, 0};
    if (poll(&lp, 1, PEER_WAIT_MS) <= 0)
        return NULL;
    int fd = accept(p->listen_fd, NULL, NULL);
    if (fd < 0)
        return NULL;
    if (write(fd, greeting, sizeof greeting - 1) < 0)
        goto out;
    /* answer the first line that arrives, then wait for the monitor to hang up */
    int answered = 0;
    for (;;) {
        struct pollfd pfd = {fd, POLLIN, 0};
        if (poll(&pfd, 1, PEER_WAIT_MS) <= 0)
            break;
        ssize_t n = read(fd, p->got + p->got_len, sizeof p->got - 1 - p->got_len);
        if (n <= 0)
            break;
        p->got_len += (size_t)n;
        if (!answered && memchr(p->got, '\n', p->got_len)) {
            answered = 1;
            if (write(fd, "pong\n", 5) < 0)
                break;
        }
    }
out:
    close(fd);
    return NULL;
}

static void peer_start(struct peer *p)
{
    memset(p, 0, sizeof *p);
    p->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(p->listen_fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(p->listen_fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(p->listen_fd, 1), 0);
    socklen_t len = sizeof a;
    assert_int_equal(getsockname(p->listen_fd, (struct sockaddr *)&a, &len), 0);
    p->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&p->thread, NULL, serve, p), 0);
}

static void peer_stop(struct peer *p)
{
    pthread_join(p->thread, NULL);
    close(p->listen_fd);
}

/* espctl monitor with `options`, "ping" on stdin, through /bin/sh for the redirection. */
static struct spawn_result monitor(const struct peer *p, const char *options)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "printf 'ping\\n' | '%s' --plugin-path '%s' monitor --uart "
             "--port socket://127.0.0.1:%u --duration 3 %s",
             ESPCTL, PLUGIN_DIR, p->port, options);
    const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    const char *env[] = {"ESPCTL_PLUGIN_PATH", "XDG_CONFIG_HOME=" WORK_DIR, NULL};
    struct spawn_result r;
    assert_int_equal(spawn_run(argv, env, CLI_TIMEOUT_MS, &r), 0);
    assert_false(r.timed_out);
    assert_null(strstr(r.err, "Sanitizer"));
    assert_null(strstr(r.err, "runtime error"));
    return r;
}

static void line_mode_with_timestamps(void **state)
{
    (void)state;
    struct peer p;
    peer_start(&p);
    struct spawn_result r = monitor(&p, "--timestamps");
    peer_stop(&p);
    if (r.exit_code != 0)
        fprintf(stderr, "%s\n", r.err);
    assert_int_equal(r.exit_code, 0);
    assert_int_equal(p.got_len, 5);
    assert_memory_equal(p.got, "ping\n", 5);
    regex_t re;
    assert_int_equal(regcomp(&re,
                             "^\\[ *[0-9]+\\.[0-9]{3}\\] boot line 1\n"
                             "\\[ *[0-9]+\\.[0-9]{3}\\] line two\n"
                             "\\[ *[0-9]+\\.[0-9]{3}\\] pong\n$",
                             REG_EXTENDED),
                     0);
    int match = regexec(&re, r.out, 0, NULL, 0);
    regfree(&re);
    if (match != 0)
        fprintf(stderr, "stdout: '%s'\n", r.out);
    assert_int_equal(match, 0);
    spawn_result_free(&r);
}

static void raw_mode_copies_bytes(void **state)
{
    (void)state;
    struct peer p;
    peer_start(&p);
    struct spawn_result r = monitor(&p, "--raw");
    peer_stop(&p);
    assert_int_equal(r.exit_code, 0);
    assert_string_equal(r.out, "boot line 1\r\nline two\npong\n");
    assert_memory_equal(p.got, "ping\n", 5);
    spawn_result_free(&r);
}

static void timestamps_usage_errors(void **state)
{
    (void)state;
    const char *raw[] = {ESPCTL, "monitor", "--uart", "--port", "socket://127.0.0.1:1", "--raw",
                         "--timestamps", NULL};
    struct spawn_result r;
    assert_int_equal(spawn_run(raw, NULL, CLI_TIMEOUT_MS, &r), 0);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "--raw and --timestamps exclude each other"));
    spawn_result_free(&r);
    const char *flash[] = {ESPCTL, "flash", "x.tar.gz", "--timestamps", NULL};
    assert_int_equal(spawn_run(flash, NULL, CLI_TIMEOUT_MS, &r), 0);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "--timestamps needs --monitor"));
    spawn_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(line_mode_with_timestamps),
        cmocka_unit_test(raw_mode_copies_bytes),
        cmocka_unit_test(timestamps_usage_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
