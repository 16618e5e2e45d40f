#include "sim/front_runner.h"
#include "sim/rtt_producer.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

int sim_front_parse_num(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 0);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int sim_front_usage_error(const char *front, const char *fmt, const char *arg)
{
    fprintf(stderr, "espctl-sim %s: ", front);
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return 2;
}

int sim_front_option(const char *front, int c, const char *arg, struct sim_front_options *o,
                     struct sim_faults *faults)
{
    char err[256];
    long long v;
    switch (c) {
    case 'c': o->chip = arg; return 0;
    case 'l': o->listen_addr = arg; return 0;
    case 'p':
        if (sim_front_parse_num(arg, 0, 65535, &v))
            return sim_front_usage_error(front, "--port: '%s' is not 0..65535", arg);
        o->port = (long)v;
        return 0;
    case 'L':
        if (sim_front_parse_num(arg, 0, 10000000, &v))
            return sim_front_usage_error(front, "--latency-us: bad value '%s'", arg);
        o->latency_us = v;
        return 0;
    case 'B':
        if (sim_front_parse_num(arg, 0, 1000000, &v))
            return sim_front_usage_error(front, "--byte-ns: bad value '%s'", arg);
        o->byte_ns = v;
        return 0;
    case 'k':
        if (sim_front_parse_num(arg, 1, 100000, &v))
            return sim_front_usage_error(front, "--swd-khz: bad value '%s'", arg);
        o->swd_khz = (long)v;
        return 0;
    case 's': o->stats = arg; return 0;
    case 'I': o->flash_in = arg; return 0;
    case 'O': o->flash_out = arg; return 0;
    case 'f':
        if (sim_faults_parse(faults, arg, err, sizeof err))
            return sim_front_usage_error(front, "--fault: %s", err);
        return 0;
    case '1': o->once = 1; return 0;
    case 'v': o->verbose = 1; return 0;
    case 'R': o->rtt_spec = arg; return 0;
    case 'A': o->rtt_addr = arg; return 0;
    default: return -1;
    }
}

static int attach_rtt(const char *front, struct sim_target *t, const struct sim_front_options *b)
{
    struct sim_rtt_config rc;
    char err[512];
    if (sim_rtt_parse(&rc, b->rtt_spec, err, sizeof err)) {
        fprintf(stderr, "espctl-sim %s: --rtt-producer: %s\n", front, err);
        return 2;
    }
    if (b->rtt_addr) {
        long long v;
        if (sim_front_parse_num(b->rtt_addr, 0, 0xFFFFFFFFll, &v)) {
            fprintf(stderr, "espctl-sim %s: --rtt-addr: bad address '%s'\n", front, b->rtt_addr);
            return 2;
        }
        rc.have_address = 1;
        rc.address = (uint32_t)v;
    }
    if (!sim_rtt_producer_attach(t, &rc)) {
        fprintf(stderr, "espctl-sim %s: out of memory\n", front);
        return 1;
    }
    return 0;
}

int sim_front_boot_target(const char *front, struct sim_target *t, const struct sim_front_options *b)
{
    char err[512];
    if (sim_target_apply_faults(t)) {
        fprintf(stderr, "espctl-sim %s: --fault wrp=%u-%u: pages out of range for %s\n", front,
                t->faults.wrp_first, t->faults.wrp_last, t->chip->name);
        return 2;
    }
    if (b->flash_in && sim_target_load_flash(t, b->flash_in, err, sizeof err)) {
        fprintf(stderr, "espctl-sim %s: --flash-in: %s\n", front, err);
        return 2;
    }
    sim_target_system_reset(t); /* boot from the loaded image */
    t->core.reset_st = false;
    return b->rtt_spec ? attach_rtt(front, t, b) : 0;
}

int sim_front_listen(const char *front, const char *addr, long port, uint16_t *bound_port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1 || (ntohl(sa.sin_addr.s_addr) >> 24) != 127) {
        fprintf(stderr, "espctl-sim %s: --listen: '%s' is not a loopback IPv4 address\n", front, addr);
        return -2;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    socklen_t len = sizeof sa;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
        bind(fd, (struct sockaddr *)&sa, sizeof sa) || listen(fd, 1) ||
        getsockname(fd, (struct sockaddr *)&sa, &len)) {
        fprintf(stderr, "espctl-sim %s: cannot listen on %s:%ld: %s\n", front, addr, port, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *bound_port = ntohs(sa.sin_port);
    return fd;
}

void sim_front_run(int lfd, const char *addr, uint16_t port, int once, sim_front_serve_fn serve,
                   void *user)
{
    sigset_t block, waitmask;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &waitmask);
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    printf("listening on %s:%u\n", addr, port);
    fflush(stdout);

    while (!stop_requested) {
        struct pollfd pfd = {lfd, POLLIN, 0};
        if (ppoll(&pfd, 1, NULL, &waitmask) <= 0)
            continue;
        int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (cfd < 0)
            continue;
        int one = 1;
        setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        serve(cfd, &waitmask, user);
        close(cfd);
        if (once)
            break;
    }
}

int sim_front_stop_requested(void)
{
    return stop_requested;
}

int sim_front_wait_input(int fd, const sigset_t *waitmask)
{
    struct pollfd pfd = {fd, POLLIN, 0};
    struct timespec tmo = {0, 200 * 1000000L};
    return ppoll(&pfd, 1, &tmo, waitmask);
}

uint64_t sim_front_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int sim_front_send_all(int fd, const uint8_t *buf, size_t len)
{
    while (len) {
        struct pollfd pfd = {fd, POLLOUT, 0};
        if (poll(&pfd, 1, SIM_FRONT_SEND_TIMEOUT_MS) <= 0)
            return -1;
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

int sim_front_save_flash(const char *front, const struct sim_target *t, const char *path)
{
    char err[512];
    if (path && sim_target_save_flash(t, path, err, sizeof err)) {
        fprintf(stderr, "espctl-sim %s: --flash-out: %s\n", front, err);
        return 1;
    }
    return 0;
}
