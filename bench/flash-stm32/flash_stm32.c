/* bench/flash-stm32: flash 128 KiB into the simulated STM32G431 (espctl-sim stlink) with each
 * tool and print the simulator's modelled time, round trips and bytes next to the physical
 * limit (the chip's own erase + program time) and the floor of any host-driven flasher with
 * skip-unchanged and read-back verify on this model (docs/decisions/0405). Adding a tool = one run_<tool>() function plus
 * one row in the tools[] table; a row may start the chip from other contents (preload). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <jansson.h>

#include "bench_image.h"
#include "bench_proc.h"
#include "bench_stats.h"

/* The simulator's ST-Link V2 full-speed model: per round trip and per byte on the wire. */
#define ROUND_TRIP_S 0.001
#define BYTE_S 822e-9
/* The ST-Link firmware's data buffer: no memory command moves more. */
#define STLINK_BUFFER 6144u

struct bench_env {
    const char *sim;
    const char *openocd;
    const char *espctl;
    const char *plugin_dir;
    const char *cc;         /* arm-none-eabi-gcc: wraps the raw image in an ELF for espctl */
    const char *workdir;
    const char *image;      /* raw image for 0x08000000 */
    const char *other;      /* another 128 KiB image: "the chip holds other contents" */
    const char *latency_us; /* NULL = simulator default */
};

/* What the simulated flash holds before a row runs. */
enum preload { BLANK, OTHER_CONTENTS, SAME_IMAGE };

struct bench_sim {
    pid_t pid;
    unsigned port;
    char stats[512];
};

struct bench_result {
    int tool_exit;
    double modelled_s;
    long long round_trips, to_probe, from_probe, page_erases, double_words;
};

/* Start the simulator (one client, then exit) and read its port. 0 or -1. */
static int sim_start(const struct bench_env *env, const char *tag, enum preload pre,
                     struct bench_sim *s)
{
    snprintf(s->stats, sizeof s->stats, "%s/stats-%s.json", env->workdir, tag);
    const char *argv[16] = {env->sim, "stlink", "--chip", "stm32g431rb", "--port", "0", "--once",
                            "--stats", s->stats};
    int n = 9;
    if (pre != BLANK) {
        argv[n++] = "--flash-in";
        argv[n++] = pre == SAME_IMAGE ? env->image : env->other;
    }
    if (env->latency_us) {
        argv[n++] = "--latency-us";
        argv[n++] = env->latency_us;
    }
    argv[n] = NULL;
    return bench_sim_spawn(argv, "flash-stm32", &s->pid, &s->port);
}

/* Wait (bounded) for the simulator to exit after its client left, then read its stats. */
static int sim_finish(struct bench_sim *s, struct bench_result *r)
{
    bench_sim_reap(s->pid);
    json_t *j = bench_stats_load(s->stats, "flash-stm32");
    if (!j)
        return -1;
    json_error_t jerr;
    json_int_t rt = 0, tp = 0, fp = 0, pe = 0, dw = 0;
    if (json_unpack_ex(j, &jerr, 0, "{s:F, s:I, s:I, s:I, s:I, s:I}", "modelled_seconds", &r->modelled_s,
                       "round_trips", &rt, "bytes_to_probe", &tp, "bytes_from_probe", &fp,
                       "page_erases", &pe, "double_words_programmed", &dw)) {
        fprintf(stderr, "flash-stm32: %s: %s\n", s->stats, jerr.text);
        json_decref(j);
        return -1;
    }
    r->round_trips = rt, r->to_probe = tp, r->from_probe = fp, r->page_erases = pe, r->double_words = dw;
    json_decref(j);
    return 0;
}

static int run_openocd(const struct bench_env *env, enum preload pre, struct bench_result *r)
{
    struct bench_sim s;
    if (sim_start(env, "openocd", pre, &s))
        return -1;
    char backend[64], program[1024], log[512];
    snprintf(backend, sizeof backend, "st-link backend tcp %u", s.port);
    snprintf(program, sizeof program, "program %s 0x08000000 verify reset exit", env->image);
    snprintf(log, sizeof log, "%s/openocd.log", env->workdir);
    const char *argv[] = {"timeout", BENCH_TOOL_TIMEOUT, env->openocd,
                          "-c", "gdb_port disabled", "-c", "telnet_port disabled", "-c", "tcl_port disabled",
                          "-f", "interface/stlink-dap.cfg", "-c", backend,
                          "-c", "transport select dapdirect_swd", "-c", "set WORKAREASIZE 0",
                          "-f", "target/stm32g4x.cfg", "-c", program, NULL};
    r->tool_exit = bench_run_logged(argv, log);
    return sim_finish(&s, r);
}

/* espctl: wrap the image in an ELF, package it with `espctl build` (once), then
 * `espctl flash` it through the simulator's stlink-server front. */
static int run_espctl(const struct bench_env *env, enum preload pre, struct bench_result *r)
{
    char elf[512], src[512], bundle[512], log[512];
    snprintf(elf, sizeof elf, "%s/image-128k.elf", env->workdir);
    snprintf(src, sizeof src, "%s/image-128k.S", env->workdir);
    snprintf(bundle, sizeof bundle, "%s/image-128k.tar.gz", env->workdir);
    if (access(bundle, R_OK) != 0) {
        if (bench_write_incbin(src, env->image)) {
            fprintf(stderr, "flash-stm32: cannot write %s\n", src);
            return -1;
        }
        snprintf(log, sizeof log, "%s/espctl-build.log", env->workdir);
        const char *build[] = {env->espctl, "--plugin-path", env->plugin_dir, "build", "--rust-elf",
                               elf, "--target", "stm32g431rb", "--out", bundle, NULL};
        if (bench_link_elf(env->cc, src, elf, log) != 0 || bench_run_logged(build, log) != 0) {
            fprintf(stderr, "flash-stm32: cannot make the espctl bundle (see %s)\n", log);
            return -1;
        }
    }
    static const char *const tags[] = {"espctl-blank", "espctl-other", "espctl-same"};
    struct bench_sim s;
    if (sim_start(env, tags[pre], pre, &s))
        return -1;
    char probe[64];
    snprintf(probe, sizeof probe, "stlink-tcp:127.0.0.1:%u", s.port);
    snprintf(log, sizeof log, "%s/%s.log", env->workdir, tags[pre]);
    const char *argv[] = {"timeout", BENCH_TOOL_TIMEOUT, env->espctl, "--plugin-path", env->plugin_dir,
                          "flash", bundle, "--probe", probe, NULL};
    r->tool_exit = bench_run_logged(argv, log);
    return sim_finish(&s, r);
}

struct tool {
    const char *name;
    int (*run)(const struct bench_env *env, enum preload pre, struct bench_result *r);
    enum preload pre;
};

static const struct tool tools[] = {
    {"openocd", run_openocd, BLANK},
    {"espctl", run_espctl, BLANK},
    {"espctl/other", run_espctl, OTHER_CONTENTS},
    {"espctl/same", run_espctl, SAME_IMAGE},
};

/* The floor for a row: the chip time its start state makes unavoidable (blank: program only;
 * other contents: every page erased and programmed; same image: nothing) plus the transfers
 * no skip-unchanged, read-back-verifying flasher can avoid, each at one round trip per
 * STLINK_BUFFER bytes and BYTE_S per data byte (command headers not counted): a blank chip
 * needs one compare read of the image (to know it is blank), the program data and one verify
 * read; other contents need only one short read per two pages (a read across a page boundary
 * proves both differ), the program data and the verify read; the same image one compare read. */
static double floor_time(enum preload pre, double round_trip_s)
{
    const unsigned dws = BENCH_IMAGE_DOUBLE_WORDS;
    const unsigned transfers = (BENCH_IMAGE_SIZE + STLINK_BUFFER - 1) / STLINK_BUFFER;
    const double pass = BENCH_IMAGE_SIZE * BYTE_S + transfers * round_trip_s;
    switch (pre) {
    case BLANK: return dws * BENCH_DOUBLE_WORD_S + 3 * pass;
    case OTHER_CONTENTS: return bench_flash_limit() + 2 * pass + (BENCH_IMAGE_PAGES + 1) / 2 * round_trip_s;
    default: return pass;
    }
}

/* The chip's own time for what a run made it do: its page erases and double words. */
static double chip_time(const struct bench_result *r)
{
    return (double)r->page_erases * BENCH_PAGE_ERASE_S + (double)r->double_words * BENCH_DOUBLE_WORD_S;
}

static const struct bench_result *find_row(const struct bench_result *rows, const int *ok,
                                           const char *name)
{
    for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++)
        if (ok[i] && !strcmp(tools[i].name, name))
            return &rows[i];
    return NULL;
}

static void print_summary(const struct bench_result *rows, const int *ok, double limit, double rt_s)
{
    const struct bench_result *ocd = find_row(rows, ok, "openocd");
    const struct bench_result *blank = find_row(rows, ok, "espctl");
    const struct bench_result *other = find_row(rows, ok, "espctl/other");
    const struct bench_result *same = find_row(rows, ok, "espctl/same");
    printf("\n");
    if (ocd && blank)
        printf("espctl / openocd (blank chip, same model and latency): %.3f  (target <= 0.80)\n",
               blank->modelled_s / ocd->modelled_s);
    if (blank)
        printf("espctl / limit, blank chip:        %.2f x %.3f s touched-page limit, %.2f x %.3f s it needed "
               "(target <= 1.15)\n", blank->modelled_s / limit, limit, blank->modelled_s / chip_time(blank),
               chip_time(blank));
    if (other)
        printf("espctl / limit, other contents:    %.3f x %.3f s touched-page limit (target <= 1.15)\n",
               other->modelled_s / limit, limit);
    if (other)
        printf("espctl / floor, other contents:    %.3f x %.3f s floor (limit + mandatory transfers); "
               "1.15 x limit = %.3f s leaves %.0f ms above the floor\n", other->modelled_s / floor_time(OTHER_CONTENTS, rt_s),
               floor_time(OTHER_CONTENTS, rt_s), 1.15 * limit, 1000 * (1.15 * limit - floor_time(OTHER_CONTENTS, rt_s)));
    if (blank)
        printf("espctl / floor, blank chip:        %.3f x %.3f s floor\n", blank->modelled_s / floor_time(BLANK, rt_s),
               floor_time(BLANK, rt_s));
    if (same)
        printf("espctl / floor, unchanged:         %.3f x %.3f s floor (one compare read)\n",
               same->modelled_s / floor_time(SAME_IMAGE, rt_s), floor_time(SAME_IMAGE, rt_s));
    if (same && other)
        printf("unchanged re-flash / full flash:   %.1f %% of the flash over other contents (target <= 10 %%)\n",
               100.0 * same->modelled_s / other->modelled_s);
    if (same && blank)
        printf("unchanged re-flash / blank flash:  %.1f %% of the blank-chip flash\n",
               100.0 * same->modelled_s / blank->modelled_s);
}

int main(int argc, char **argv)
{
    struct bench_env env = {.openocd = "openocd", .cc = "arm-none-eabi-gcc"};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--sim") && i + 1 < argc)
            env.sim = argv[++i];
        else if (!strcmp(argv[i], "--openocd") && i + 1 < argc)
            env.openocd = argv[++i];
        else if (!strcmp(argv[i], "--espctl") && i + 1 < argc)
            env.espctl = argv[++i];
        else if (!strcmp(argv[i], "--plugin-dir") && i + 1 < argc)
            env.plugin_dir = argv[++i];
        else if (!strcmp(argv[i], "--cc") && i + 1 < argc)
            env.cc = argv[++i];
        else if (!strcmp(argv[i], "--workdir") && i + 1 < argc)
            env.workdir = argv[++i];
        else if (!strcmp(argv[i], "--latency-us") && i + 1 < argc)
            env.latency_us = argv[++i];
        else {
            fprintf(stderr, "usage: flash-stm32 --sim PATH/espctl-sim --espctl PATH/espctl --plugin-dir DIR "
                            "--workdir DIR [--openocd PATH] [--cc ARM_GCC] [--latency-us U]\n");
            return 2;
        }
    }
    if (!env.sim || !env.workdir || !env.espctl || !env.plugin_dir) {
        fprintf(stderr, "flash-stm32: --sim, --espctl, --plugin-dir and --workdir are required\n");
        return 2;
    }
    char image[512], other[512];
    snprintf(image, sizeof image, "%s/image-128k.bin", env.workdir);
    snprintf(other, sizeof other, "%s/other-128k.bin", env.workdir);
    char bundle[512];
    snprintf(bundle, sizeof bundle, "%s/image-128k.tar.gz", env.workdir);
    remove(bundle); /* rebuilt from this run's image by the first espctl row */
    if (bench_write_image(image, 0x2545F491u) || bench_write_image(other, 0x9E3779B9u)) {
        fprintf(stderr, "flash-stm32: cannot write the images in %s: %s\n", env.workdir, strerror(errno));
        return 1;
    }
    env.image = image;
    env.other = other;
    unsigned pages = BENCH_IMAGE_PAGES, dws = BENCH_IMAGE_DOUBLE_WORDS;
    double limit = bench_flash_limit();
    printf("flash-stm32: %u KiB into a simulated STM32G431RB behind an ST-Link V2 (latency %s)\n",
           BENCH_IMAGE_SIZE / 1024, env.latency_us ? env.latency_us : "default");
    printf("physical limit: %u page erases x 22 ms + %u double words x 82 us = %.3f s "
           "(program only: %.3f s)\n", pages, dws, limit, dws * BENCH_DOUBLE_WORD_S);
    double rt_s = env.latency_us ? atof(env.latency_us) / 1e6 : ROUND_TRIP_S;
    printf("floor: chip time the start state needs + per pass (compare, program, verify) %u KiB x %.0f ns + "
           "%u transfers of <= %u B x %.3f ms;\n       over other contents the compare pass is %u short "
           "reads, one per two pages\n", BENCH_IMAGE_SIZE / 1024, BYTE_S * 1e9,
           (BENCH_IMAGE_SIZE + STLINK_BUFFER - 1) / STLINK_BUFFER, STLINK_BUFFER, rt_s * 1000,
           (BENCH_IMAGE_PAGES + 1) / 2);
    printf("rows: openocd and espctl start from a blank chip; espctl/other from a chip holding other\n"
           "contents (every page must be erased); espctl/same from a chip already holding the image.\n\n");
    printf("%-13s %4s %10s %8s %8s %8s %8s %11s %10s %11s %7s %7s\n", "tool", "exit", "modelled_s", "x_limit",
           "x_needed", "floor_s", "x_floor", "round_trips", "bytes_to", "bytes_from", "erases", "dwords");
    int rc = 0;
    struct bench_result rows[sizeof tools / sizeof tools[0]];
    int ok[sizeof tools / sizeof tools[0]];
    for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++) {
        struct bench_result *r = &rows[i];
        memset(r, 0, sizeof *r);
        ok[i] = 0;
        if (tools[i].run(&env, tools[i].pre, r)) {
            printf("%-13s failed to run (see %s)\n", tools[i].name, env.workdir);
            rc = 1;
            continue;
        }
        double needed = chip_time(r);
        char x_needed[16] = "-";
        if (needed > 0)
            snprintf(x_needed, sizeof x_needed, "%.2f", r->modelled_s / needed);
        double fl = floor_time(tools[i].pre, rt_s);
        printf("%-13s %4d %10.3f %8.2f %8s %8.3f %8.3f %11lld %10lld %11lld %7lld %7lld\n", tools[i].name,
               r->tool_exit, r->modelled_s, r->modelled_s / limit, x_needed, fl, r->modelled_s / fl, r->round_trips,
               r->to_probe, r->from_probe, r->page_erases, r->double_words);
        if (r->tool_exit != 0)
            rc = 1;
        else
            ok[i] = 1;
    }
    printf("x_limit: over the %.3f s limit; x_needed: over the chip time of the erases and double words "
           "that run actually made\n", limit);
    printf("x_floor: over the floor of any host-driven flasher with skip-unchanged and read-back verify on "
           "this model (docs/decisions/0405-flash-floor.md)\n");
    print_summary(rows, ok, limit, rt_s);
    return rc;
}
