/* espctl-sim stlink: serve the stlink-server TCP protocol on loopback for one simulated target. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sim/front_runner.h"
#include "stlink_front.h"

#define FRONT "stlink"
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
            if (sim_front_parse_num(optarg, 0, 65535, &v))
                return sim_front_usage_error(FRONT, "--port: '%s' is not 0..65535", optarg);
            o->port = (long)v;
            break;
        case 'i':
            if (!strcmp(optarg, "v2j37"))
                o->identity = STLINK_V2J37;
            else if (!strcmp(optarg, "v3j7"))
                o->identity = STLINK_V3J7;
            else
                return sim_front_usage_error(FRONT, "--identity: '%s' is not v2j37 or v3j7", optarg);
            break;
        case 'L':
            if (sim_front_parse_num(optarg, 0, 10000000, &v))
                return sim_front_usage_error(FRONT, "--latency-us: bad value '%s'", optarg);
            o->latency_us = v;
            break;
        case 'B':
            if (sim_front_parse_num(optarg, 0, 1000000, &v))
                return sim_front_usage_error(FRONT, "--byte-ns: bad value '%s'", optarg);
            o->byte_ns = v;
            break;
        case 'k':
            if (sim_front_parse_num(optarg, 1, 100000, &v))
                return sim_front_usage_error(FRONT, "--swd-khz: bad value '%s'", optarg);
            o->swd_khz = (long)v;
            break;
        case 's': o->stats = optarg; break;
        case 'I': o->flash_in = optarg; break;
        case 'O': o->flash_out = optarg; break;
        case 'f':
            if (sim_faults_parse(faults, optarg, err, sizeof err))
                return sim_front_usage_error(FRONT, "--fault: %s", err);
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
        return sim_front_usage_error(FRONT, "unexpected argument '%s'", argv[optind]);
    if (o->rtt_addr && !o->rtt_spec)
        return sim_front_usage_error(FRONT, "%s", "--rtt-addr needs --rtt-producer");
    if (!o->chip || o->port < 0) {
        usage(stderr);
        return sim_front_usage_error(FRONT, "%s", "--chip and --port are required");
    }
    return 0;
}

/* Serve one client until it disconnects, misbehaves, or a stop is requested. */
static void serve_stream(int fd, struct stlink_probe *p, const sigset_t *waitmask)
{
    static uint8_t rx[RX_CAP], reply[STLINK_TCP_MAX_FRAME];
    size_t have = 0;
    uint64_t partial_since = 0;
    while (!sim_front_stop_requested()) {
        int pr = sim_front_wait_input(fd, waitmask);
        if (pr < 0 && errno != EINTR)
            break;
        if (have && sim_front_now_ms() - partial_since > SIM_FRONT_PARTIAL_REQUEST_TIMEOUT_MS) {
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
            partial_since = sim_front_now_ms();
        have += (size_t)n;
        for (;;) {
            long want = stlink_tcp_frame_len(rx, have);
            if (want < 0) {
                fprintf(stderr, "espctl-sim stlink: malformed request (command byte 0x%02X); "
                        "answering BAD_PARAM and closing\n", rx[0]);
                sim_le_put(reply, 4, STLINK_TCP_BAD_PARAM);
                sim_front_send_all(fd, reply, 4);
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
            if (sim_front_send_all(fd, reply, res.reply_len))
                return;
            memmove(rx, rx + want, have - (size_t)want);
            have -= (size_t)want;
            partial_since = sim_front_now_ms();
        }
    }
}

static void serve_client(int fd, const sigset_t *waitmask, void *user)
{
    struct stlink_probe *p = user;
    serve_stream(fd, p, waitmask);
    p->connect_id = 0; /* the server closes what a vanished client left open */
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
    struct sim_front_boot boot = {.flash_in = o.flash_in, .rtt_spec = o.rtt_spec, .rtt_addr = o.rtt_addr};
    rc = sim_front_boot_target(FRONT, t, &boot);
    if (rc) {
        sim_target_free(t);
        return rc;
    }

    uint16_t port = 0;
    int lfd = sim_front_listen(FRONT, o.listen_addr, o.port, &port);
    if (lfd < 0) {
        sim_target_free(t);
        return lfd == -2 ? 2 : 1;
    }
    struct stlink_probe probe;
    stlink_probe_init(&probe, t, o.identity);
    probe.verbose = o.verbose;
    sim_front_run(lfd, o.listen_addr, port, o.once, serve_client, &probe);
    close(lfd);
    rc = sim_front_save_flash(FRONT, t, o.flash_out);
    char err[512];
    if (o.stats && sim_target_save_stats(t, o.stats, err, sizeof err)) {
        fprintf(stderr, "espctl-sim stlink: --stats: %s\n", err);
        rc = 1;
    }
    sim_target_free(t);
    return rc;
}
