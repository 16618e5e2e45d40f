/* bench/flash-dap: flash 128 KiB into the simulated STM32G431 through the cmsisdap plugin
 * (espctl flash --probe dap-tcp:...) under each link model of `espctl-sim dap` -- v2 bulk,
 * v1 HID, elaphureLink over TCP -- and print the simulator's modelled time, batches (round
 * trips), DAP packets and bytes next to the physical limit (the chip's own erase + program
 * time) and the floor of any host-driven flasher with skip-unchanged and read-back verify on
 * each link model (docs/decisions/0405-flash-floor.md). The target is at most 1.15x the limit
 * on the v2 bulk link. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <jansson.h>

#include "bench_image.h"
#include "bench_proc.h"
#include "bench_stats.h"
#include "espctl/bundle.h"
#include "espctl/espctl.h"

struct bench_env {
    const char *sim, *espctl, *plugin_dir, *cc, *workdir;
    char bundle[512];
    char old_image[512]; /* the chip starts holding this, so every page must be erased */
};

struct bench_result {
    int tool_exit;
    double modelled_s;
    long long batches, packets, to_probe, from_probe, page_erases, double_words, words_read;
};

/* One row: a link model of `espctl-sim dap` and, for high speed, its timing overrides; then
 * the timing the model applies (tests/sim/dap/dap_latency.c), used for the floor. */
struct link_row {
    const char *name;
    const char *transport;
    const char *latency_us, *byte_ns; /* NULL = the model's default */
    double round_trip_s;              /* per batch; for HID one 1 ms frame */
    double byte_s;                    /* per byte on the wire (bulk, TCP) */
    unsigned packet_size, packet_count;
    int frames;                       /* HID: every report costs one frame of wire time */
};

/* Time of one pass moving `bytes` of memory data in batches of packet_count packets of
 * `payload` data bytes each: latency + max(wire, probe execution) per batch, execution being
 * the flash programming the batch's data causes (0 for reads). Command and header bytes are not
 * counted, so this is a lower bound. */
static double pass_time(const struct link_row *l, uint64_t bytes, unsigned payload, double exec_per_byte)
{
    double t = 0;
    const uint64_t per_batch = (uint64_t)payload * l->packet_count;
    for (uint64_t left = bytes; left;) {
        uint64_t n = left < per_batch ? left : per_batch;
        uint64_t packets = (n + payload - 1) / payload;
        double wire = l->frames ? (double)packets * l->round_trip_s : (double)n * l->byte_s;
        double exec = (double)n * exec_per_byte;
        t += l->round_trip_s + (wire > exec ? wire : exec);
        left -= n;
    }
    return t;
}

/* Floor: every page erased; one word read per page proving it differs (all of them fit in
 * one batch of DAP_Transfer requests); the program data and one verify read at the largest
 * DAP_TransferBlock payloads a packet holds (reads (size-4)/4 words, writes (size-5)/4 words). */
static double floor_time(const struct link_row *l)
{
    unsigned read_payload = (l->packet_size - 4) / 4 * 4, write_payload = (l->packet_size - 5) / 4 * 4;
    double read = pass_time(l, BENCH_IMAGE_SIZE, read_payload, 0);
    return BENCH_IMAGE_SIZE / BENCH_PAGE_SIZE * BENCH_PAGE_ERASE_S + l->round_trip_s + read +
           pass_time(l, BENCH_IMAGE_SIZE, write_payload, BENCH_DOUBLE_WORD_S / 8);
}

static int sim_start(const struct bench_env *env, const struct link_row *link, const char *stats, pid_t *pid,
                     unsigned *port)
{
    const char *argv[20] = {env->sim, "dap", "--chip", "stm32g431rb", "--port", "0", "--once", "--transport",
                            link->transport, "--stats", stats, "--flash-in", env->old_image};
    int n = 13;
    if (link->latency_us) {
        argv[n++] = "--latency-us";
        argv[n++] = link->latency_us;
    }
    if (link->byte_ns) {
        argv[n++] = "--byte-ns";
        argv[n++] = link->byte_ns;
    }
    argv[n] = NULL;
    return bench_sim_spawn(argv, "flash-dap", pid, port);
}

static int sim_finish(pid_t pid, const char *stats, struct bench_result *r)
{
    bench_sim_reap(pid);
    json_t *j = bench_stats_load(stats, "flash-dap");
    if (!j)
        return -1;
    json_error_t jerr;
    json_int_t b = 0, p = 0, tp = 0, fp = 0, pe = 0, dw = 0, wr = 0;
    int bad = json_unpack_ex(j, &jerr, 0, "{s:F, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "modelled_seconds",
                             &r->modelled_s, "batches", &b, "dap_packets", &p, "bytes_to_probe", &tp,
                             "bytes_from_probe", &fp, "page_erases", &pe, "double_words_programmed", &dw,
                             "words_read", &wr);
    json_decref(j);
    if (bad) {
        fprintf(stderr, "flash-dap: %s: %s\n", stats, jerr.text);
        return -1;
    }
    r->batches = b, r->packets = p, r->to_probe = tp, r->from_probe = fp, r->page_erases = pe;
    r->double_words = dw, r->words_read = wr;
    return 0;
}

static int flash_over(const struct bench_env *env, const struct link_row *link, struct bench_result *r)
{
    char stats[512], probe[64], log[512];
    snprintf(stats, sizeof stats, "%s/stats-%s.json", env->workdir, link->name);
    snprintf(log, sizeof log, "%s/espctl-%s.log", env->workdir, link->name);
    pid_t pid;
    unsigned port;
    if (sim_start(env, link, stats, &pid, &port))
        return -1;
    snprintf(probe, sizeof probe, "dap-tcp:127.0.0.1:%u", port);
    const char *argv[] = {"timeout", BENCH_TOOL_TIMEOUT, env->espctl, "--plugin-path", env->plugin_dir,
                          "flash", env->bundle, "--probe", probe, NULL};
    r->tool_exit = bench_run_logged(argv, log);
    return sim_finish(pid, stats, r);
}

static int make_bundle(struct bench_env *env)
{
    char bin[512], src[512], elf[512], log[512];
    static unsigned char old[BENCH_IMAGE_SIZE];
    memset(old, 0x00, sizeof old);
    snprintf(env->old_image, sizeof env->old_image, "%s/old-128k.bin", env->workdir);
    FILE *o = fopen(env->old_image, "wb");
    if (!o || fwrite(old, 1, sizeof old, o) != sizeof old || fclose(o)) {
        fprintf(stderr, "flash-dap: cannot write %s: %s\n", env->old_image, strerror(errno));
        return -1;
    }
    snprintf(bin, sizeof bin, "%s/image-128k.bin", env->workdir);
    snprintf(src, sizeof src, "%s/image-128k.S", env->workdir);
    snprintf(elf, sizeof elf, "%s/image-128k.elf", env->workdir);
    snprintf(log, sizeof log, "%s/cc.log", env->workdir);
    if (bench_write_image(bin, 0x2545F491u)) {
        fprintf(stderr, "flash-dap: cannot write %s: %s\n", bin, strerror(errno));
        return -1;
    }
    if (bench_write_incbin(src, bin))
        return -1;
    if (bench_link_elf(env->cc, src, elf, log)) {
        fprintf(stderr, "flash-dap: %s failed (see %s)\n", env->cc, log);
        return -1;
    }
    snprintf(env->bundle, sizeof env->bundle, "%s/image-128k.tar.gz", env->workdir);
    struct espctl_bundle_create_options opts = {
        .hdr = ESPCTL_ABI_HDR(struct espctl_bundle_create_options),
        .elf_path = elf,
        .chip = "STM32G431RB",
        .out_path = env->bundle,
        .project = "bench-flash-dap",
    };
    struct espctl_bundle_create_result res = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_create_result)};
    int rc = espctl_bundle_create(NULL, &opts, &res);
    if (rc) {
        fprintf(stderr, "flash-dap: bundle: %s: %s\n", espctl_strerror(rc), espctl_last_error());
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct bench_env env = {.cc = "arm-none-eabi-gcc"};
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--sim")) env.sim = argv[i + 1];
        else if (!strcmp(argv[i], "--espctl")) env.espctl = argv[i + 1];
        else if (!strcmp(argv[i], "--plugin-dir")) env.plugin_dir = argv[i + 1];
        else if (!strcmp(argv[i], "--cc")) env.cc = argv[i + 1];
        else if (!strcmp(argv[i], "--workdir")) env.workdir = argv[i + 1];
        else break;
    }
    if (!env.sim || !env.espctl || !env.plugin_dir || !env.workdir) {
        fprintf(stderr, "usage: flash-dap --sim ESPCTL_SIM --espctl ESPCTL --plugin-dir DIR --workdir DIR "
                        "[--cc arm-none-eabi-gcc]\n");
        return 2;
    }
    /* the CLI must see only this build's plugins and no user configuration */
    setenv("ESPCTL_PLUGIN_PATH", "", 1);
    char xdg[600];
    snprintf(xdg, sizeof xdg, "%s/xdg", env.workdir);
    setenv("XDG_CONFIG_HOME", xdg, 1);
    if (make_bundle(&env))
        return 1;
    unsigned pages = BENCH_IMAGE_PAGES, dws = BENCH_IMAGE_DOUBLE_WORDS;
    double limit = bench_flash_limit();
    printf("flash-dap: espctl flash of %u KiB into a simulated STM32G431RB through the cmsisdap plugin\n",
           BENCH_IMAGE_SIZE / 1024);
    printf("the chip starts with another image (all zero), so every page is erased and programmed\n");
    printf("physical limit: %u page erases x 22 ms + %u double words x 82 us = %.3f s\n", pages, dws, limit);
    printf("links: bulk = v2 full speed (1000 us/batch + 822 ns/B, 512 B x 8); bulk-hs = v2 high speed\n"
           "       (250 us/batch + 25 ns/B); hid = v1 (one 64 B report per 1 ms frame each way, x 4);\n"
           "       tcp = elaphureLink over Wi-Fi (assumed 3000 us/batch + 1000 ns/B, 512 B x 255)\n\n");
    printf("floor: 64 erases + one batch of probes + program data + verify read, per batch latency + max(wire, "
           "programming),\n       at full packets; x_floor = modelled / floor (docs/decisions/0405-flash-floor.md)\n\n");
    printf("%-7s %4s %11s %8s %8s %8s %8s %8s %10s %10s %7s %7s %9s\n", "link", "exit", "modelled_s", "x_limit",
           "floor_s", "x_floor", "batches", "packets", "bytes_to", "bytes_from", "erases", "dwords", "words_rd");
    static const struct link_row links[] = {
        {"bulk", "bulk", NULL, NULL, 0.001, 822e-9, 512, 8, 0},
        {"bulk-hs", "bulk", "250", "25", 0.00025, 25e-9, 512, 8, 0},
        {"hid", "hid", NULL, NULL, 0.001, 0, 64, 4, 1},
        {"tcp", "tcp", NULL, NULL, 0.003, 1000e-9, 512, 255, 0},
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
        struct bench_result r = {0};
        if (flash_over(&env, &links[i], &r)) {
            printf("%-7s failed to run (see %s)\n", links[i].name, env.workdir);
            rc = 1;
            continue;
        }
        double fl = floor_time(&links[i]);
        printf("%-7s %4d %11.3f %8.3f %8.3f %8.3f %8lld %8lld %10lld %10lld %7lld %7lld %9lld\n", links[i].name,
               r.tool_exit, r.modelled_s, r.modelled_s / limit, fl, r.modelled_s / fl, r.batches, r.packets, r.to_probe, r.from_probe, r.page_erases,
               r.double_words, r.words_read);
        if (r.tool_exit != 0)
            rc = 1;
    }
    return rc;
}
