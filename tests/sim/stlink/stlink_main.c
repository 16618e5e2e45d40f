/* espctl-sim stlink: serve the stlink-server TCP protocol on loopback for one simulated target. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "stlink_front.h"

#define PARTIAL_REQUEST_TIMEOUT_MS 5000
#define SEND_TIMEOUT_MS 5000
#define RX_CAP (2 * STLINK_TCP_MAX_FRAME)

/* Full-speed ST-Link V2: a command and its reply take at least one 1 ms USB frame each way
 * in practice, and bulk throughput is 19 packets x 64 bytes per frame (~822 ns/byte).
 * High-speed V3: 125 us microframes; a round trip costs ~250 us, ~25 ns/byte. */
#define V2_ROUND_TRIP_NS 1000000ull
#define V2_BYTE_NS 822ull
#define V3_ROUND_TRIP_NS 250000ull
#define V3_BYTE_NS 25ull

struct options {
    const char *chip;
    const char *listen_addr;
    long port;
    enum stlink_identity identity;
    long long latency_us;
    long long byte_ns;
    long swd_khz;
    const char *stats;
    const char *flash_in;
    const char *flash_out;
    int once;
    int verbose;
    const char *rtt_spec;
    const char *rtt_addr;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: espctl-sim stlink --chip NAME --port N [--listen 127.0.0.1]\n"
            "         [--identity v2j37|v3j7] [--latency-us U] [--byte-ns B] [--swd-khz K]\n"
            "         [--stats FILE] [--flash-in FILE] [--flash-out FILE] [--fault SPEC]... [--once]\n"
            "         [--verbose] [--rtt-producer SPEC [--rtt-addr ADDR]]\n"
            "  --port 0 picks a free port; 'listening on 127.0.0.1:PORT' is printed on stdout.\n"
            "  --latency-us/--byte-ns: modelled cost per USB command round trip / per byte\n"
            "    (defaults: V2 1000 us + 822 ns/B, V3 250 us + 25 ns/B).\n"
            "  --swd-khz K: also charge each SWD transaction ~56 clock cycles at K kHz (default off).\n"
            "  --fault: drop-after=N, wait=N[@K], fault-at=ADDR, flash-err=KIND[@ADDR], wrp=FIRST-LAST\n"
            "  --rtt-producer rate=BYTES_PER_S,mode=blocking|nonblocking[,bytes=N][,pattern=counter|lines]\n"
            "    [,echo][,size=N][,down=N][,corrupt=pointer|size|count|offset]: play RTT firmware; the\n"
            "    control block goes to --rtt-addr, else the one found in SRAM is used.\n"
            "chips:");
    for (unsigned i = 0; sim_chip_at(i); i++)
        fprintf(f, " %s", sim_chip_at(i)->name);
    fputc('\n', f);
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "espctl-sim stlink: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return 2;
}

static int parse_long(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 0);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* Returns 0, 1 (--help shown) or 2 (usage error, message printed). */
static int parse_args(int argc, char **argv, struct options *o, struct sim_faults *faults)
{
    static const struct option longopts[] = {
        {"chip", required_argument, 0, 'c'},     {"port", required_argument, 0, 'p'},
        {"listen", required_argument, 0, 'l'},   {"identity", required_argument, 0, 'i'},
        {"latency-us", required_argument, 0, 'L'}, {"byte-ns", required_argument, 0, 'B'},
        {"swd-khz", required_argument, 0, 'k'},  {"stats", required_argument, 0, 's'},
        {"flash-in", required_argument, 0, 'I'}, {"flash-out", required_argument, 0, 'O'},
        {"fault", required_argument, 0, 'f'},    {"once", no_argument, 0, '1'},
        {"verbose", no_argument, 0, 'v'},        {"help", no_argument, 0, 'h'},
        {"rtt-producer", required_argument, 0, 'R'}, {"rtt-addr", required_argument, 0, 'A'},
        {0, 0, 0, 0}};
    char err[256];
    long long v;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': o->chip = optarg; break;
        case 'l': o->listen_addr = optarg; break;
        case 'p':
            if (parse_long(optarg, 0, 65535, &v))
                return usage_error("--port: '%s' is not 0..65535", optarg);
            o->port = (long)v;
            break;
        case 'i':
            if (!strcmp(optarg, "v2j37"))
                o->identity = STLINK_V2J37;
            else if (!strcmp(optarg, "v3j7"))
                o->identity = STLINK_V3J7;
            else
                return usage_error("--identity: '%s' is not v2j37 or v3j7", optarg);
            break;
        case 'L':
            if (parse_long(optarg, 0, 10000000, &v))
                return usage_error("--latency-us: bad value '%s'", optarg);
            o->latency_us = v;
            break;
        case 'B':
            if (parse_long(optarg, 0, 1000000, &v))
                return usage_error("--byte-ns: bad value '%s'", optarg);
            o->byte_ns = v;
            break;
        case 'k':
            if (parse_long(optarg, 1, 100000, &v))
                return usage_error("--swd-khz: bad value '%s'", optarg);
            o->swd_khz = (long)v;
            break;
        case 's': o->stats = optarg; break;
        case 'I': o->flash_in = optarg; break;
        case 'O': o->flash_out = optarg; break;
        case 'f':
            if (sim_faults_parse(faults, optarg, err, sizeof err))
                return usage_error("--fault: %s", err);
            break;
        case '1': o->once = 1; break;
        case 'v': o->verbose = 1; break;
        case 'R': o->rtt_spec = optarg; break;
        case 'A': o->rtt_addr = optarg; break;
        case 'h': usage(stdout); return 1;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (o->rtt_addr && !o->rtt_spec)
        return usage_error("%s", "--rtt-addr needs --rtt-producer");
    if (!o->chip || o->port < 0) {
        usage(stderr);
        return usage_error("%s", "--chip and --port are required");
    }
    return 0;
}

/* --rtt-producer / --rtt-addr: 0, or -1 with the message printed. */
static int attach_rtt(const struct options *o, struct sim_target *t)
{
    struct sim_rtt_config rc;
    char err[512];
    if (sim_rtt_parse(&rc, o->rtt_spec, err, sizeof err)) {
        fprintf(stderr, "espctl-sim stlink: --rtt-producer: %s\n", err);
        return -1;
    }
    if (o->rtt_addr) {
        long long v;
        if (parse_long(o->rtt_addr, 0, 0xFFFFFFFFll, &v)) {
            fprintf(stderr, "espctl-sim stlink: --rtt-addr: bad address '%s'\n", o->rtt_addr);
            return -1;
        }
        rc.have_address = 1;
        rc.address = (uint32_t)v;
    }
    if (!sim_rtt_producer_attach(t, &rc)) {
        fprintf(stderr, "espctl-sim stlink: out of memory\n");
        return -1;
    }
    return 0;
}

static int open_listener(const struct options *o, uint16_t *bound_port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)o->port)};
    if (inet_pton(AF_INET, o->listen_addr, &sa.sin_addr) != 1 ||
        (ntohl(sa.sin_addr.s_addr) >> 24) != 127) {
        fprintf(stderr, "espctl-sim stlink: --listen: '%s' is not a loopback IPv4 address\n", o->listen_addr);
        return -2;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    socklen_t len = sizeof sa;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
        bind(fd, (struct sockaddr *)&sa, sizeof sa) || listen(fd, 1) ||
        getsockname(fd, (struct sockaddr *)&sa, &len)) {
        fprintf(stderr, "espctl-sim stlink: cannot listen on %s:%ld: %s\n", o->listen_addr, o->port,
                strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *bound_port = ntohs(sa.sin_port);
    return fd;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int send_all(int fd, const uint8_t *buf, size_t len)
{
    while (len) {
        struct pollfd pfd = {fd, POLLOUT, 0};
        if (poll(&pfd, 1, SEND_TIMEOUT_MS) <= 0)
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

/* Serve one client until it disconnects, misbehaves, or a stop is requested. */
static void serve_client(int fd, struct stlink_probe *p, const sigset_t *waitmask)
{
    static uint8_t rx[RX_CAP], reply[STLINK_TCP_MAX_FRAME];
    size_t have = 0;
    uint64_t partial_since = 0;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    while (!stop_requested) {
        struct pollfd pfd = {fd, POLLIN, 0};
        struct timespec tmo = {0, 200 * 1000000L};
        int pr = ppoll(&pfd, 1, &tmo, waitmask);
        if (pr < 0 && errno != EINTR)
            break;
        if (have && now_ms() - partial_since > PARTIAL_REQUEST_TIMEOUT_MS) {
            fprintf(stderr, "espctl-sim stlink: client went silent mid-request (command byte 0x%02X, "
                    "%zu bytes received); dropping it\n", rx[0], have);
            break;
        }
        if (pr <= 0)
            continue;
        ssize_t n = recv(fd, rx + have, sizeof rx - have, 0);
        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
            break;
        if (n < 0)
            continue;
        if (!have)
            partial_since = now_ms();
        have += (size_t)n;
        for (;;) {
            long want = stlink_tcp_frame_len(rx, have);
            if (want < 0) {
                fprintf(stderr, "espctl-sim stlink: malformed request (command byte 0x%02X); "
                        "answering BAD_PARAM and closing\n", rx[0]);
                sim_le_put(reply, 4, STLINK_TCP_BAD_PARAM);
                send_all(fd, reply, 4);
                return;
            }
            if (want == 0 || (size_t)want > have)
                break;
            struct stlink_tcp_result res = stlink_tcp_handle(p, rx, (size_t)want, reply);
            if (res.drop) {
                fprintf(stderr, "espctl-sim stlink: injected connection drop after %llu commands\n",
                        (unsigned long long)p->target->stats.round_trips);
                return;
            }
            if (send_all(fd, reply, res.reply_len))
                return;
            memmove(rx, rx + want, have - (size_t)want);
            have -= (size_t)want;
            partial_since = now_ms();
        }
    }
}

static int write_outputs(const struct options *o, const struct sim_target *t)
{
    char err[512];
    int rc = 0;
    if (o->flash_out && sim_target_save_flash(t, o->flash_out, err, sizeof err)) {
        fprintf(stderr, "espctl-sim stlink: --flash-out: %s\n", err);
        rc = 1;
    }
    if (o->stats && sim_target_save_stats(t, o->stats, err, sizeof err)) {
        fprintf(stderr, "espctl-sim stlink: --stats: %s\n", err);
        rc = 1;
    }
    return rc;
}

int sim_stlink_main(int argc, char **argv)
{
    struct options o = {.listen_addr = "127.0.0.1", .port = -1, .identity = STLINK_V2J37,
                        .latency_us = -1, .byte_ns = -1};
    struct sim_faults faults = {0};
    int rc = parse_args(argc, argv, &o, &faults);
    if (rc)
        return rc == 1 ? 0 : 2;
    const struct sim_chip *chip = sim_chip_find(o.chip);
    if (!chip) {
        fprintf(stderr, "espctl-sim stlink: unknown chip '%s'\n", o.chip);
        usage(stderr);
        return 2;
    }
    struct sim_target *t = sim_target_new(chip);
    if (!t) {
        fprintf(stderr, "espctl-sim stlink: out of memory\n");
        return 1;
    }
    int v3 = o.identity == STLINK_V3J7;
    t->clock.round_trip_ns = o.latency_us >= 0 ? (uint64_t)o.latency_us * 1000u
                                               : (v3 ? V3_ROUND_TRIP_NS : V2_ROUND_TRIP_NS);
    t->clock.byte_ns = o.byte_ns >= 0 ? (uint64_t)o.byte_ns : (v3 ? V3_BYTE_NS : V2_BYTE_NS);
    /* An SWD transaction: 8 request + 1 turnaround + 3 ack + 1 turnaround + 33 data + 8 idle
     * bits, plus ~2 cycles of probe overhead = 56 SWCLK cycles. */
    if (o.swd_khz)
        t->clock.swd_transfer_ns = 56u * 1000000u / (uint64_t)o.swd_khz;
    t->faults = faults;
    char err[512];
    if (sim_target_apply_faults(t)) {
        fprintf(stderr, "espctl-sim stlink: --fault wrp=%u-%u: pages out of range for %s\n",
                faults.wrp_first, faults.wrp_last, chip->name);
        sim_target_free(t);
        return 2;
    }
    if (o.flash_in && sim_target_load_flash(t, o.flash_in, err, sizeof err)) {
        fprintf(stderr, "espctl-sim stlink: --flash-in: %s\n", err);
        sim_target_free(t);
        return 2;
    }
    sim_target_system_reset(t); /* boot from the loaded image */
    t->core.reset_st = false;
    if (o.rtt_spec && attach_rtt(&o, t)) {
        sim_target_free(t);
        return 2;
    }

    uint16_t port = 0;
    int lfd = open_listener(&o, &port);
    if (lfd < 0) {
        sim_target_free(t);
        return lfd == -2 ? 2 : 1;
    }
    struct stlink_probe probe;
    stlink_probe_init(&probe, t, o.identity);
    probe.verbose = o.verbose;

    sigset_t block, waitmask;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &waitmask);
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    printf("listening on %s:%u\n", o.listen_addr, port);
    fflush(stdout);

    while (!stop_requested) {
        struct pollfd pfd = {lfd, POLLIN, 0};
        int pr = ppoll(&pfd, 1, NULL, &waitmask);
        if (pr <= 0)
            continue;
        int cfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (cfd < 0)
            continue;
        serve_client(cfd, &probe, &waitmask);
        close(cfd);
        probe.connect_id = 0; /* the server closes what a vanished client left open */
        if (o.once)
            break;
    }
    close(lfd);
    rc = write_outputs(&o, t);
    sim_target_free(t);
    return rc;
}
