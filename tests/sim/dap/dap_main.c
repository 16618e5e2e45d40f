/* espctl-sim dap: a CMSIS-DAP probe reached over elaphureLink TCP on loopback, in front of one
 * simulated target, with the timing of a v2 bulk, v1 HID or wireless (TCP) probe. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

#include "dap_front.h"
#include "sim/front_runner.h"

#define FRONT "dap"
#define RX_CAP 65536u
#define TX_CAP 65536u

/* Full-speed bulk (DAPLink, debugprobe): like the ST-Link V2, a batch waits ~1 ms for its
 * frame and bulk moves ~19 x 64 bytes per frame (822 ns/byte). HID: one 64-byte report per
 * 1 ms frame each way. TCP (ESP8266/ESP32 over Wi-Fi): assumed 3 ms round trip and
 * ~1 MB/s; set --latency-us/--byte-ns to match a real network. */
#define BULK_ROUND_TRIP_NS 1000000ull
#define BULK_BYTE_NS 822ull
#define HID_FRAME_NS 1000000ull
#define TCP_ROUND_TRIP_NS 3000000ull
#define TCP_BYTE_NS 1000ull

struct options {
    struct sim_front_options common;
    enum dap_link link;
    long long frame_us;
    long packet_size, packet_count;
    long el_version;
    const char *serial;
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: espctl-sim dap --chip NAME --port N [--listen 127.0.0.1] [--transport bulk|hid|tcp]\n"
            "         [--latency-us U] [--byte-ns B] [--frame-us F] [--swd-khz K]\n"
            "         [--packet-size N] [--packet-count N] [--elaphure-version 0|1] [--serial S]\n"
            "         [--stats FILE] [--flash-in FILE] [--flash-out FILE] [--fault SPEC]... [--once] [--verbose]\n"
            "         [--rtt-producer SPEC [--rtt-addr ADDR]]\n"
            "  Speaks elaphureLink over TCP; --transport picks the timing model (a batch = the requests\n"
            "  that arrived together; the probe's execution overlaps the wire time within a batch):\n"
            "    bulk: CMSIS-DAP v2 full speed, 1000 us per batch round trip + 822 ns/B, 512-byte packets x 8\n"
            "    hid:  CMSIS-DAP v1, one 64-byte report per 1000 us frame each way, packets x 4\n"
            "    tcp:  elaphureLink over Wi-Fi, 3000 us per batch + 1000 ns/B, 512-byte packets x 255\n"
            "  --elaphure-version 0 answers the handshake with v0 (bare packets, no framing).\n"
            "  --fault: drop-after=N, wait=N[@K], fault-at=ADDR, flash-err=KIND[@ADDR], wrp=FIRST-LAST\n"
            "  --rtt-producer rate=BYTES_PER_S,mode=blocking|nonblocking[,bytes=N][,pattern=counter|lines]\n"
            "    [,echo][,size=N][,down=N][,corrupt=...]: play the firmware side of SEGGER RTT; the\n"
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
        SIM_FRONT_LONGOPTS,
        {"transport", required_argument, 0, 't'},        {"frame-us", required_argument, 0, 'F'},
        {"packet-size", required_argument, 0, 'P'},      {"packet-count", required_argument, 0, 'C'},
        {"elaphure-version", required_argument, 0, 'E'}, {"serial", required_argument, 0, 'S'},
        {"help", no_argument, 0, 'h'},                   {0, 0, 0, 0}};
    long long v;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        int rc = sim_front_option(FRONT, c, optarg, &o->common, faults);
        if (rc > 0)
            return rc;
        if (rc == 0)
            continue;
        switch (c) {
        case 't':
            if (!strcmp(optarg, "bulk")) o->link = DAP_LINK_BULK;
            else if (!strcmp(optarg, "hid")) o->link = DAP_LINK_HID;
            else if (!strcmp(optarg, "tcp")) o->link = DAP_LINK_TCP;
            else return sim_front_usage_error(FRONT, "--transport: '%s' is not bulk, hid or tcp", optarg);
            break;
        case 'F':
            if (sim_front_parse_num(optarg, 1, 1000000, &v))
                return sim_front_usage_error(FRONT, "--frame-us: bad value '%s'", optarg);
            o->frame_us = v;
            break;
        case 'P':
            if (sim_front_parse_num(optarg, 64, DAP_FRONT_MAX_PACKET, &v))
                return sim_front_usage_error(FRONT, "--packet-size: '%s' is not 64..1496", optarg);
            o->packet_size = (long)v;
            break;
        case 'C':
            if (sim_front_parse_num(optarg, 1, 255, &v))
                return sim_front_usage_error(FRONT, "--packet-count: '%s' is not 1..255", optarg);
            o->packet_count = (long)v;
            break;
        case 'E':
            if (sim_front_parse_num(optarg, 0, 1, &v))
                return sim_front_usage_error(FRONT, "--elaphure-version: '%s' is not 0 or 1", optarg);
            o->el_version = (long)v;
            break;
        case 'S': o->serial = optarg; break;
        case 'h': usage(stdout); return 1;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc)
        return sim_front_usage_error(FRONT, "unexpected argument '%s'", argv[optind]);
    if (!o->common.chip || o->common.port < 0) {
        usage(stderr);
        return sim_front_usage_error(FRONT, "%s", "--chip and --port are required");
    }
    if (o->common.rtt_addr && !o->common.rtt_spec)
        return sim_front_usage_error(FRONT, "%s", "--rtt-addr needs --rtt-producer");
    return 0;
}

struct batch {
    unsigned packets;
    uint64_t to, from;
    uint64_t start_ns; /**< virtual time when the batch began executing */
};

static void charge(struct dapsim_probe *p, const struct dap_latency *m, struct batch *b)
{
    if (b->packets)
        p->batches++;
    dap_latency_charge(p->target, m, b->packets, b->to, b->from, p->target->clock.now_ns - b->start_ns);
    memset(b, 0, sizeof *b);
}

/* Serve one client. Everything that arrived together is one batch: the host pipelined it. */
static void serve_stream(int fd, struct dapsim_probe *p, const struct dap_latency *m, uint32_t el_version,
                         const sigset_t *waitmask)
{
    static uint8_t rx[RX_CAP], tx[TX_CAP];
    struct el_session s = {.state = EL_WANT_HANDSHAKE, .server_version = el_version};
    struct sim_faults *f = &p->target->faults;
    size_t have = 0;
    uint64_t partial_since = 0;
    while (!sim_front_stop_requested()) {
        int pr = sim_front_wait_input(fd, waitmask);
        if (pr < 0 && errno != EINTR)
            return;
        if (have && sim_front_now_ms() - partial_since > SIM_FRONT_PARTIAL_REQUEST_TIMEOUT_MS) {
            fprintf(stderr, "espctl-sim dap: client went silent mid-request (%zu bytes buffered); dropping it\n",
                    have);
            return;
        }
        if (pr <= 0)
            continue;
        ssize_t n = recv(fd, rx + have, sizeof rx - have, 0);
        if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
            return;
        if (n < 0)
            continue;
        if (!have)
            partial_since = sim_front_now_ms();
        have += (size_t)n;
        size_t txlen = 0;
        struct batch b = {.start_ns = p->target->clock.now_ns};
        for (;;) {
            if (s.state != EL_WANT_HANDSHAKE && have && f->drop_after && p->packets >= f->drop_after) {
                fprintf(stderr, "espctl-sim dap: injected connection drop after %llu DAP commands\n",
                        (unsigned long long)p->packets);
                f->drop_after = 0;
                charge(p, m, &b);
                return;
            }
            if (TX_CAP - txlen < DAP_FRONT_MAX_PACKET + 8u) {
                if (sim_front_send_all(fd, tx, txlen))
                    return;
                txlen = 0;
            }
            struct el_step st = el_consume(&s, p, rx, have, tx + txlen);
            if (st.close) {
                fprintf(stderr, "espctl-sim dap: malformed elaphureLink stream (first byte 0x%02X, %zu bytes); "
                        "closing\n", rx[0], have);
                charge(p, m, &b);
                return;
            }
            if (!st.consumed)
                break;
            if (st.is_dap) {
                b.packets++;
                b.to += st.dap_in;
                b.from += st.dap_out;
            }
            txlen += st.reply_len;
            memmove(rx, rx + st.consumed, have - st.consumed);
            have -= st.consumed;
            partial_since = sim_front_now_ms();
        }
        charge(p, m, &b);
        if (txlen && sim_front_send_all(fd, tx, txlen))
            return;
    }
}

static int write_stats(const char *path, const struct sim_target *t, const struct dapsim_probe *p,
                       const struct dap_latency *m)
{
    json_t *j = sim_target_stats_json(t);
    if (!j)
        return -1;
    json_object_set_new(j, "front", json_string("dap"));
    json_object_set_new(j, "transport", json_string(dap_link_name(m->link)));
    json_object_set_new(j, "dap_packets", json_integer((json_int_t)p->packets));
    json_object_set_new(j, "batches", json_integer((json_int_t)p->batches));
    json_object_set_new(j, "packet_size", json_integer(p->packet_size));
    json_object_set_new(j, "packet_count", json_integer(p->packet_count));
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    int rc = json_dump_file(j, tmp, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(j);
    if (rc || rename(tmp, path)) {
        fprintf(stderr, "espctl-sim dap: --stats: cannot write %s: %s\n", path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

static void set_defaults(struct options *o, struct dap_latency *m)
{
    m->link = o->link;
    switch (o->link) {
    case DAP_LINK_HID:
        if (o->packet_size < 0) o->packet_size = 64;
        if (o->packet_count < 0) o->packet_count = 4;
        m->frame_ns = o->frame_us > 0 ? (uint64_t)o->frame_us * 1000u : HID_FRAME_NS;
        m->report_size = (uint32_t)o->packet_size;
        break;
    case DAP_LINK_BULK:
        if (o->packet_size < 0) o->packet_size = 512;
        if (o->packet_count < 0) o->packet_count = 8;
        m->round_trip_ns = o->common.latency_us >= 0 ? (uint64_t)o->common.latency_us * 1000u : BULK_ROUND_TRIP_NS;
        m->byte_ns = o->common.byte_ns >= 0 ? (uint64_t)o->common.byte_ns : BULK_BYTE_NS;
        break;
    case DAP_LINK_TCP:
        if (o->packet_size < 0) o->packet_size = 512;
        if (o->packet_count < 0) o->packet_count = 255;
        m->round_trip_ns = o->common.latency_us >= 0 ? (uint64_t)o->common.latency_us * 1000u : TCP_ROUND_TRIP_NS;
        m->byte_ns = o->common.byte_ns >= 0 ? (uint64_t)o->common.byte_ns : TCP_BYTE_NS;
        break;
    }
}

/* What one client session needs besides the socket. */
struct session {
    struct dapsim_probe *probe;
    const struct dap_latency *model;
    uint32_t el_version;
};

static void serve_client(int fd, const sigset_t *waitmask, void *user)
{
    struct session *se = user;
    serve_stream(fd, se->probe, se->model, se->el_version, waitmask);
    se->probe->port = 0; /* a vanished client leaves the probe disconnected */
    se->probe->swd_selected = 0;
}

int sim_dap_main(int argc, char **argv)
{
    struct options o = {.common = SIM_FRONT_OPTIONS_INIT, .link = DAP_LINK_TCP, .frame_us = -1,
                        .packet_size = -1, .packet_count = -1, .el_version = 1, .serial = "SIMDAP0001"};
    struct sim_faults faults = {0};
    int rc = parse_args(argc, argv, &o, &faults);
    if (rc)
        return rc == 1 ? 0 : 2;
    const struct sim_chip *chip = sim_chip_find(o.common.chip);
    if (!chip) {
        fprintf(stderr, "espctl-sim dap: unknown chip '%s'\n", o.common.chip);
        usage(stderr);
        return 2;
    }
    struct dap_latency model = {0};
    set_defaults(&o, &model);
    struct sim_target *t = sim_target_new(chip);
    if (!t) {
        fprintf(stderr, "espctl-sim dap: out of memory\n");
        return 1;
    }
    /* the link model charges the clock itself; the model's own per-command costs stay 0 */
    t->clock.round_trip_ns = 0;
    t->clock.byte_ns = 0;
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
    struct dapsim_probe probe;
    dapsim_probe_init(&probe, t, (uint16_t)o.packet_size, (uint8_t)o.packet_count, o.serial);
    probe.verbose = o.common.verbose;
    struct session session = {.probe = &probe, .model = &model, .el_version = o.el_version ? 0x00010000u : 0};
    sim_front_run(lfd, o.common.listen_addr, port, o.common.once, serve_client, &session);
    close(lfd);
    rc = sim_front_save_flash(FRONT, t, o.common.flash_out);
    if (o.common.stats && write_stats(o.common.stats, t, &probe, &model))
        rc = 1;
    sim_target_free(t);
    return rc;
}
