/*
 * bench/flash-esp: flashes half-compressible 1 MiB and 4 MiB images into espctl-sim's
 * ESP32-S3 ROM loader through the real esp32 plugin, at 115200 and 921600 baud, then
 * flashes the same image again (unchanged), and prints the simulator's modelled figures.
 *
 * The limit a ROM-loader flasher cannot beat: the zlib stream's time on the wire at 8N1
 * (10 bits per byte) plus the flash chip's own erase and program time. The flash model is
 * the simulator's (tests/sim/esp/esp_flash.c): Winbond W25Q32JV datasheet typical times,
 * 64 KiB block erase 150 ms, 4 KiB sector erase 45 ms, 256-byte page program 0.4 ms.
 *
 * usage: bench_flash_esp --sim PATH --plugin PATH --workdir DIR
 */
#include "espctl/plugin.h"

#include <dlfcn.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define T_BLOCK_ERASE 0.150
#define T_SECTOR_ERASE 0.045
#define T_PAGE_PROGRAM 0.0004

static char last_error[1024];

static void h_log(const struct espctl_host *h, int32_t level, const char *msg)
{
    (void)h;
    if (level >= ESPCTL_LOG_WARN)
        fprintf(stderr, "  [plugin] %s\n", msg);
}
static void h_emit(const struct espctl_host *h, const struct espctl_event *e)
{
    (void)h;
    (void)e;
}
static int h_set_error(const struct espctl_host *h, int code, const char *msg)
{
    (void)h;
    snprintf(last_error, sizeof last_error, "%s", msg);
    return code;
}
static const char *h_config(const struct espctl_host *h, const char *key)
{
    (void)h;
    return !strcmp(key, "esp32.before") ? "no-reset" : NULL; /* a pty has no DTR/RTS */
}
static int32_t h_cancelled(const struct espctl_host *h)
{
    (void)h;
    return 0;
}
static uint64_t h_now(const struct espctl_host *h)
{
    (void)h;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
static int h_sleep(const struct espctl_host *h, uint64_t us)
{
    (void)h;
    usleep((useconds_t)us);
    return 0;
}

static const struct espctl_host host = {
    .hdr = ESPCTL_ABI_HDR(struct espctl_host), .log = h_log, .emit = h_emit, .set_error = h_set_error,
    .config_get = h_config, .cancelled = h_cancelled, .now_us = h_now, .sleep_us = h_sleep};

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "bench_flash_esp: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(1);
}

/* Half-compressible: alternating 64-byte runs of xorshift noise and of one repeated byte. */
static void fill(uint8_t *buf, size_t len)
{
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < len; i++) {
        if ((i / 64) % 2) {
            buf[i] = (uint8_t)(i / 64);
        } else {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            buf[i] = (uint8_t)x;
        }
    }
}

struct sim {
    pid_t pid;
    char pty[128], stats[512];
};

static void sim_start(struct sim *s, const char *sim_path, const char *workdir)
{
    snprintf(s->stats, sizeof s->stats, "%s/stats.json", workdir);
    unlink(s->stats);
    int out[2];
    if (pipe(out))
        die("pipe");
    s->pid = fork();
    if (s->pid == 0) {
        dup2(out[1], 1);
        close(out[0]);
        close(out[1]);
        execl(sim_path, sim_path, "esp", "--chip", "esp32s3", "--pty", "--flash-size", "8MB", "--stats", s->stats,
              (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    char line[256];
    size_t n = 0;
    struct pollfd p = {out[0], POLLIN, 0};
    while (n < sizeof line - 1 && poll(&p, 1, 10000) == 1 && read(out[0], line + n, 1) == 1 && line[n] != '\n')
        n++;
    line[n] = '\0';
    close(out[0]);
    if (strncmp(line, "pty ", 4))
        die("espctl-sim did not announce a pty (got '%s')", line);
    snprintf(s->pty, sizeof s->pty, "%.*s", (int)sizeof s->pty - 1, line + 4);
}

static void sim_stop(struct sim *s)
{
    kill(s->pid, SIGTERM);
    waitpid(s->pid, NULL, 0);
}

struct stats {
    long long sessions, bytes_in, bytes_out;
    double modelled, wire, flash;
};

static int load_stats(const char *path, struct stats *st)
{
    json_error_t je;
    json_t *r = json_load_file(path, 0, &je);
    if (!r)
        return -1;
    st->sessions = json_integer_value(json_object_get(r, "sessions"));
    st->bytes_in = json_integer_value(json_object_get(r, "bytes_from_host"));
    st->bytes_out = json_integer_value(json_object_get(r, "bytes_to_host"));
    st->modelled = json_real_value(json_object_get(r, "modelled_seconds"));
    st->wire = json_real_value(json_object_get(r, "wire_seconds"));
    st->flash = json_real_value(json_object_get(r, "flash_seconds"));
    json_decref(r);
    return 0;
}

/* The stats file is rewritten when a session ends; wait for session n's. */
static void wait_stats(const char *path, long long n, struct stats *st)
{
    for (int i = 0; i < 1000; i++) {
        if (load_stats(path, st) == 0 && st->sessions >= n)
            return;
        usleep(10000);
    }
    die("no stats for session %lld in %s", n, path);
}

static void flash_once(const struct espctl_flash_target *t, const char *port, uint32_t baud, const uint8_t *img,
                       size_t len)
{
    struct espctl_target_params p = {.hdr = ESPCTL_ABI_HDR(struct espctl_target_params), .chip = "esp32s3",
                                     .port = port, .baud = baud, .target_json = "{\"flash_size\":\"8MB\"}"};
    void *s = NULL;
    if (t->open(t->target_data, &p, &s))
        die("open: %s", last_error);
    struct espctl_segment seg = {0, len, img};
    struct espctl_flash_image fi = {.hdr = ESPCTL_ABI_HDR(struct espctl_flash_image), .segment_count = 1, .segments = &seg};
    if (t->flash(s, &fi, 0))
        die("flash: %s", last_error);
    t->close(s);
}

static double flash_limit(size_t len, size_t zlen, uint32_t baud)
{
    size_t blocks = len / 0x10000, sectors = (len % 0x10000 + 0xFFF) / 0x1000, pages = (len + 255) / 256;
    return (double)zlen * 10.0 / baud + blocks * T_BLOCK_ERASE + sectors * T_SECTOR_ERASE + pages * T_PAGE_PROGRAM;
}

int main(int argc, char **argv)
{
    const char *sim_path = NULL, *plugin_path = NULL, *workdir = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--sim"))
            sim_path = argv[i + 1];
        else if (!strcmp(argv[i], "--plugin"))
            plugin_path = argv[i + 1];
        else if (!strcmp(argv[i], "--workdir"))
            workdir = argv[i + 1];
    }
    if (!sim_path || !plugin_path || !workdir) {
        fprintf(stderr, "usage: bench_flash_esp --sim PATH --plugin PATH --workdir DIR\n");
        return 2;
    }
    void *dl = dlopen(plugin_path, RTLD_NOW);
    if (!dl)
        die("dlopen %s: %s", plugin_path, dlerror());
    espctl_plugin_entry_fn entry_fn = (espctl_plugin_entry_fn)dlsym(dl, ESPCTL_PLUGIN_ENTRY_SYMBOL);
    const struct espctl_plugin_entry *entry = entry_fn ? entry_fn() : NULL;
    void *data = NULL;
    if (!entry || entry->init(&host, &data))
        die("cannot initialise %s: %s", plugin_path, last_error);
    const struct espctl_flash_target *t = NULL;
    for (const struct espctl_component *const *c = entry->components(data); *c; c++)
        if ((*c)->kind == ESPCTL_COMPONENT_FLASH_TARGET)
            t = (*c)->vtable;
    if (!t)
        die("no flash target in %s", plugin_path);

    printf("flash-esp: esp32 plugin -> espctl-sim esp32s3 ROM loader over a pty (W25Q32JV timing model)\n");
    printf("%-6s %8s %9s %12s %9s %9s %9s %6s %10s %7s\n", "image", "baud", "modelled", "wire_bytes", "kbit/s",
           "limit", "ratio", "ok", "reflash_s", "reflash%");
    static const size_t sizes[] = {1u << 20, 4u << 20};
    static const uint32_t bauds[] = {115200, 921600};
    int all_ok = 1;
    for (size_t si = 0; si < 2; si++) {
        size_t len = sizes[si];
        uint8_t *img = malloc(len);
        uLongf zcap = compressBound(len);
        uint8_t *z = malloc(zcap);
        if (!img || !z)
            die("out of memory");
        fill(img, len);
        if (compress2(z, &zcap, img, len, 9) != Z_OK)
            die("zlib");
        for (size_t bi = 0; bi < 2; bi++) {
            struct sim sim;
            sim_start(&sim, sim_path, workdir);
            struct stats a, b;
            flash_once(t, sim.pty, bauds[bi], img, len);
            wait_stats(sim.stats, 1, &a);
            flash_once(t, sim.pty, bauds[bi], img, len);
            wait_stats(sim.stats, 2, &b);
            sim_stop(&sim);
            double limit = flash_limit(len, zcap, bauds[bi]);
            double ratio = a.modelled / limit, re = b.modelled - a.modelled, re_pct = 100.0 * re / a.modelled;
            int ok = ratio <= 1.15 && re_pct <= 5.0;
            all_ok &= ok;
            printf("%-6s %8u %8.2fs %12lld %9.1f %8.2fs %9.3f %6s %9.2fs %6.2f%%\n", si ? "4MiB" : "1MiB", bauds[bi],
                   a.modelled, a.bytes_in + a.bytes_out, len * 8.0 / a.modelled / 1000.0, limit, ratio, ok ? "yes" : "NO",
                   re, re_pct);
            printf("       (zlib stream %lu bytes = %.1f%% of the image; modelled wire %.2fs + flash %.2fs)\n",
                   (unsigned long)zcap, 100.0 * zcap / len, a.wire, a.flash);
        }
        free(z);
        free(img);
    }
    printf("targets: modelled <= 1.15 x limit, unchanged re-flash <= 5%% of a full flash: %s\n", all_ok ? "met" : "NOT met");
    entry->deinit(data);
    dlclose(dl);
    return all_ok ? 0 : 1;
}
