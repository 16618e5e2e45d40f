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
    struct sim_front_options common;
    enum stlink_identity identity;
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
        SIM_FRONT_LONGOPTS, {"identity", required_argument, 0, 'i'}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        int rc = sim_front_option(FRONT, c, optarg, &o->common, faults);
        if (rc > 0)
            return rc;
        if (rc == 0)
            continue;
        switch (c) {
        case 'i':
            if (!strcmp(optarg, "v2j37"))
                o->identity = STLINK_V2J37;
            else if (!strcmp(optarg, "v3j7"))
                o->identity = STLINK_V3J7;
            else
                return sim_front_usage_error(FRONT, "--identity: '%s' is not v2j37 or v3j7", optarg);
            break;
        case 'h': usage(stdout); return 1;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc)
        return sim_front_usage_error(FRONT, "unexpected argument '%s'", argv[optind]);
    if (o->common.rtt_addr && !o->common.rtt_spec)
        return sim_front_usage_error(FRONT, "%s", "--rtt-addr needs --rtt-producer");
    if (!o->common.chip || o->common.port < 0) {
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
    struct options o = {.common = SIM_FRONT_OPTIONS_INIT, .identity = STLINK_V2J37};
    struct sim_faults faults = {0};
    int rc = parse_args(argc, argv, &o, &faults);
    if (rc)
        return rc == 1 ? 0 : 2;
    const struct sim_chip *chip = sim_chip_find(o.common.chip);
    if (!chip) {
        fprintf(stderr, "espctl-sim stlink: unknown chip '%s'\n", o.common.chip);
        usage(stderr);
        return 2;
    }
    struct sim_target *t = sim_target_new(chip);
    if (!t) {
        fprintf(stderr, "espctl-sim stlink: out of memory\n");
        return 1;
    }
    int v3 = o.identity == STLINK_V3J7;
    t->clock.round_trip_ns = o.common.latency_us >= 0 ? (uint64_t)o.common.latency_us * 1000u
                                                      : (v3 ? V3_ROUND_TRIP_NS : V2_ROUND_TRIP_NS);
    t->clock.byte_ns = o.common.byte_ns >= 0 ? (uint64_t)o.common.byte_ns : (v3 ? V3_BYTE_NS : V2_BYTE_NS);
    /* An SWD transaction: 8 request + 1 turnaround + 3 ack + 1 turnaround + 33 data + 8 idle
     * bits, plus ~2 cycles of probe overhead = 56 SWCLK cycles. */
    if (o.common.swd_khz)
        t->clock.swd_transfer_ns = 56u * 1000000u / (uint64_t)o.common.swd_khz;
    t->faults = faults;
    rc = sim_front_boot_target(FRONT, t, &o.common);
    if (rc) {
        sim_target_free(t);
        return rc;
    }

    uint16_t port = 0;
    int lfd = sim_front_listen(FRONT, o.common.listen_addr, o.common.port, &port);
    if (lfd < 0) {
        sim_target_free(t);
        return lfd == -2 ? 2 : 1;
    }
    struct stlink_probe probe;
    stlink_probe_init(&probe, t, o.identity);
    probe.verbose = o.common.verbose;
    sim_front_run(lfd, o.common.listen_addr, port, o.common.once, serve_client, &probe);
    close(lfd);
    rc = sim_front_save_flash(FRONT, t, o.common.flash_out);
    char err[512];
    if (o.common.stats && sim_target_save_stats(t, o.common.stats, err, sizeof err)) {
        fprintf(stderr, "espctl-sim stlink: --stats: %s\n", err);
        rc = 1;
    }
    sim_target_free(t);
    return rc;
}
