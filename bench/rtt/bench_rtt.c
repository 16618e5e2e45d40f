/* bench/rtt: RTT throughput, latency and loss over espctl-sim's probe models, and a soak
 * mode that watches resident memory. Each run starts the simulator with its RTT
 * producer playing firmware, runs `espctl monitor --raw`, checks every received byte
 * against the producer's counter stream, stops the monitor with SIGINT (the Ctrl-C
 * path) and reads the producer's figures (virtual time) from the simulator's stats. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#define RTT_ADDR "0x20000000"
#define RUN_TIMEOUT_S 300.0
#define MIB (1024.0 * 1024.0)

struct env {
    const char *sim, *espctl, *plugins, *workdir;
    unsigned long long bytes;
    double soak_s;
};

/* One measured configuration: a row of the table. */
struct run {
    const char *front;      /* "stlink" or "dap" (espctl-sim front; also picks the probe selector) */
    const char *front_args; /* extra simulator arguments, space separated, or "" */
    const char *label;
    const char *mode;       /* blocking | nonblocking */
    unsigned long long rate;
    unsigned size;
    double duration_s;      /* wall seconds instead of a byte count (soak), else 0 */
};

struct result {
    unsigned long long received, mismatches, produced, dropped, consumed;
    double modelled_s, throughput_kbs, latency_mean_us, latency_max_us;
    long rss_start_kib, rss_end_kib, sim_rss_start_kib, sim_rss_end_kib;
    int monitor_exit;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kib(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib;
}

static void stop(pid_t pid, int sig, int *status)
{
    kill(pid, sig);
    for (int i = 0; i < 100; i++) {
        if (waitpid(pid, status, WNOHANG) == pid)
            return;
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, status, 0);
}

/* Start the simulator front with the producer; *port from its "listening on" line. */
static pid_t sim_start(const struct env *e, const struct run *r, const char *stats, unsigned *port)
{
    char spec[256], log[512];
    snprintf(spec, sizeof spec, "rate=%llu,mode=%s,pattern=counter,size=%u", r->rate, r->mode, r->size);
    snprintf(log, sizeof log, "%s/sim-%s.log", e->workdir, r->front);
    const char *argv[32] = {e->sim, r->front, "--chip", "stm32g431rb", "--port", "0", "--stats", stats,
                            "--rtt-producer", spec, "--rtt-addr", RTT_ADDR};
    int n = 12;
    char extra[256];
    snprintf(extra, sizeof extra, "%s", r->front_args);
    for (char *save = NULL, *t = strtok_r(extra, " ", &save); t && n < 30; t = strtok_r(NULL, " ", &save))
        argv[n++] = t;
    argv[n] = NULL;
    int out[2];
    if (pipe(out))
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(out[1], STDOUT_FILENO);
        if (fd >= 0)
            dup2(fd, STDERR_FILENO);
        close(out[0]);
        close(out[1]);
        execv(e->sim, (char *const *)argv);
        _exit(127);
    }
    close(out[1]);
    char line[128] = "";
    size_t have = 0;
    while (pid > 0 && !strchr(line, '\n') && have + 1 < sizeof line) {
        struct pollfd pfd = {out[0], POLLIN, 0};
        if (poll(&pfd, 1, 10000) <= 0)
            break;
        ssize_t k = read(out[0], line + have, sizeof line - 1 - have);
        if (k <= 0)
            break;
        have += (size_t)k;
        line[have] = 0;
    }
    close(out[0]);
    if (pid > 0 && sscanf(line, "listening on 127.0.0.1:%u", port) != 1) {
        fprintf(stderr, "bench-rtt: %s %s did not start (see %s)\n", e->sim, r->front, log);
        int st;
        stop(pid, SIGTERM, &st);
        return -1;
    }
    return pid;
}

/* The probe selector that reaches a front on the loopback port: the stlink plugin's
 * stlink-server client, or the cmsisdap plugin's elaphureLink client. */
static const char *front_selector(const char *front)
{
    if (strcmp(front, "stlink") == 0)
        return "stlink-tcp";
    if (strcmp(front, "dap") == 0)
        return "dap-tcp";
    return NULL;
}

static pid_t monitor_start(const struct env *e, const struct run *r, unsigned port, int *out_fd)
{
    char probe[64], log[512];
    snprintf(probe, sizeof probe, "%s:127.0.0.1:%u", front_selector(r->front), port);
    snprintf(log, sizeof log, "%s/monitor.log", e->workdir);
    int out[2];
    if (pipe(out))
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int in = open("/dev/null", O_RDONLY);
        dup2(out[1], STDOUT_FILENO);
        if (fd >= 0)
            dup2(fd, STDERR_FILENO);
        if (in >= 0)
            dup2(in, STDIN_FILENO);
        close(out[0]);
        close(out[1]);
        const char *argv[] = {e->espctl, "--plugin-path", e->plugins, "monitor", "--rtt", "--probe", probe,
                              "--chip", "stm32g431rb", "--rtt-addr", RTT_ADDR, "--raw", NULL};
        execv(e->espctl, (char *const *)argv);
        _exit(127);
    }
    close(out[1]);
    *out_fd = out[0];
    return pid;
}

static int read_stats(const char *path, struct result *res)
{
    json_error_t jerr;
    json_t *j = json_load_file(path, 0, &jerr);
    if (!j) {
        fprintf(stderr, "bench-rtt: %s: %s\n", path, jerr.text);
        return -1;
    }
    json_int_t produced = 0, dropped = 0, consumed = 0, first = 0, last = 0, lmax = 0;
    double lmean = 0;
    int rc = json_unpack_ex(j, &jerr, 0, "{s:{s:I, s:I, s:I, s:I, s:I, s:F, s:I}}", "rtt",
                            "produced", &produced, "dropped", &dropped, "consumed", &consumed,
                            "first_write_ns", &first, "last_consume_ns", &last, "latency_mean_us",
                            &lmean, "latency_max_us", &lmax);
    json_decref(j);
    if (rc) {
        fprintf(stderr, "bench-rtt: %s: %s\n", path, jerr.text);
        return -1;
    }
    res->produced = (unsigned long long)produced;
    res->dropped = (unsigned long long)dropped;
    res->consumed = (unsigned long long)consumed;
    res->modelled_s = (double)(last - first) / 1e9;
    res->throughput_kbs = res->modelled_s > 0 ? (double)consumed / res->modelled_s / 1000.0 : 0;
    res->latency_mean_us = lmean;
    res->latency_max_us = (double)lmax;
    return 0;
}

/* Receive until `want` bytes (or the wall duration) and check them against the stream. */
static void receive(int fd, pid_t mon, pid_t sim, const struct run *r, unsigned long long want,
                    struct result *res)
{
    static unsigned char buf[65536];
    double start = now_s(), sampled = 0;
    unsigned long long expect_index = 0;
    while (r->duration_s > 0 ? now_s() - start < r->duration_s : res->received < want) {
        if (now_s() - start > (r->duration_s > 0 ? r->duration_s + 30 : RUN_TIMEOUT_S)) {
            fprintf(stderr, "bench-rtt: %s: no progress, giving up\n", r->label);
            break;
        }
        if (!sampled && now_s() - start > 1.0) { /* past start-up allocations */
            res->rss_start_kib = rss_kib(mon);
            res->sim_rss_start_kib = rss_kib(sim);
            sampled = 1;
        }
        struct pollfd pfd = {fd, POLLIN, 0};
        if (poll(&pfd, 1, 200) <= 0)
            continue;
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++, expect_index++)
            if (buf[i] != (unsigned char)(expect_index % 251u))
                res->mismatches++;
        res->received += (unsigned long long)n;
    }
    res->rss_end_kib = rss_kib(mon);
    res->sim_rss_end_kib = rss_kib(sim);
}

static int measure(const struct env *e, const struct run *r, struct result *res)
{
    memset(res, 0, sizeof *res);
    char stats[512];
    snprintf(stats, sizeof stats, "%s/stats-%s.json", e->workdir, r->front);
    unsigned port = 0;
    pid_t sim = sim_start(e, r, stats, &port);
    if (sim < 0)
        return -1;
    int fd = -1;
    pid_t mon = monitor_start(e, r, port, &fd);
    if (mon < 0) {
        int st;
        stop(sim, SIGTERM, &st);
        return -1;
    }
    receive(fd, mon, sim, r, e->bytes, res);
    int st = 0;
    stop(mon, SIGINT, &st); /* Ctrl-C: detach */
    res->monitor_exit = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    /* bytes the monitor printed after our count stopped */
    unsigned char tail[4096];
    while (read(fd, tail, sizeof tail) > 0)
        ;
    close(fd);
    stop(sim, SIGTERM, &st);
    return read_stats(stats, res);
}

/* Loss is what the producer dropped; a received byte that differs from the stream is
 * corruption (only meaningful in blocking mode, where nothing is skipped). */
static void print_row(const struct run *r, const struct result *x)
{
    int blocking = strcmp(r->mode, "blocking") == 0;
    printf("%-48s %7.1f %8.3f %10.0f %10.0f %9llu %9llu %6.2f%% %9s %4d\n", r->label, x->throughput_kbs,
           x->modelled_s, x->latency_mean_us, x->latency_max_us, x->received, x->dropped,
           x->produced + x->dropped ? 100.0 * (double)x->dropped / (double)(x->produced + x->dropped) : 0.0,
           !blocking ? "-" : x->mismatches ? "CORRUPT" : "in order", x->monitor_exit);
}

static int front_has_producer(const struct env *e, const char *front)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' %s --help 2>&1 | grep -q -- --rtt-producer", e->sim, front);
    return system(cmd) == 0;
}

static int soak(const struct env *e)
{
    struct run r = {"stlink", "", "soak: ST-Link V2, blocking, 1 KiB", "blocking", 10000000ull, 1024,
                    e->soak_s};
    struct result x;
    printf("soak: %.0f s at full rate (blocking), every byte checked\n", e->soak_s);
    if (measure(e, &r, &x))
        return 1;
    long growth = x.rss_end_kib - x.rss_start_kib;
    long sim_growth = x.sim_rss_end_kib - x.sim_rss_start_kib;
    printf("soak: received %llu bytes (%.1f KB/s modelled over %.1f s), lost %llu, mismatched %llu\n",
           x.received, x.throughput_kbs, x.modelled_s, x.dropped, x.mismatches);
    printf("soak: espctl RSS %ld KiB at 1 s, %ld KiB at end: growth %ld KiB (limit 1024)\n",
           x.rss_start_kib, x.rss_end_kib, growth);
    printf("soak: espctl-sim RSS %ld KiB -> %ld KiB (growth %ld KiB)\n", x.sim_rss_start_kib,
           x.sim_rss_end_kib, sim_growth);
    int ok = growth < 1024 && x.dropped == 0 && x.mismatches == 0 && x.monitor_exit == 0;
    printf("soak: %s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    struct env e = {.bytes = 2000000ull};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--sim") && i + 1 < argc)
            e.sim = argv[++i];
        else if (!strcmp(argv[i], "--espctl") && i + 1 < argc)
            e.espctl = argv[++i];
        else if (!strcmp(argv[i], "--plugin-dir") && i + 1 < argc)
            e.plugins = argv[++i];
        else if (!strcmp(argv[i], "--workdir") && i + 1 < argc)
            e.workdir = argv[++i];
        else if (!strcmp(argv[i], "--bytes") && i + 1 < argc)
            e.bytes = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--soak"))
            e.soak_s = i + 1 < argc && argv[i + 1][0] != '-' ? strtod(argv[++i], NULL) : 600.0;
        else {
            fprintf(stderr, "usage: bench_rtt --sim ESPCTL_SIM --espctl ESPCTL --plugin-dir DIR "
                            "--workdir DIR [--bytes N] [--soak [SECONDS]]\n");
            return 2;
        }
    }
    if (!e.sim || !e.espctl || !e.plugins || !e.workdir || e.bytes == 0 || e.soak_s < 0) {
        fprintf(stderr, "bench-rtt: --sim, --espctl, --plugin-dir and --workdir are required\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    if (e.soak_s > 0)
        return soak(&e);

    const struct run runs[] = {
        {"stlink", "", "ST-Link V2, blocking, 1 KiB buffer", "blocking", 10000000ull, 1024, 0},
        {"stlink", "", "ST-Link V2, blocking, 4 KiB buffer", "blocking", 10000000ull, 4096, 0},
        {"stlink", "", "ST-Link V2, blocking, 16 KiB buffer", "blocking", 10000000ull, 16384, 0},
        {"stlink", "--identity v3j7", "ST-Link V3, blocking, 1 KiB buffer", "blocking", 10000000ull, 1024, 0},
        {"stlink", "--identity v3j7", "ST-Link V3, blocking, 4 KiB buffer", "blocking", 10000000ull, 4096, 0},
        {"stlink", "", "ST-Link V2, 50 KB/s, blocking, 1 KiB", "blocking", 50000ull, 1024, 0},
        {"stlink", "", "ST-Link V2, 140 KB/s, non-blocking, 1 KiB", "nonblocking", 140000ull, 1024, 0},
        {"stlink", "", "ST-Link V2, 140 KB/s, non-blocking, 4 KiB", "nonblocking", 140000ull, 4096, 0},
        {"dap", "--transport bulk", "CMSIS-DAP v2 bulk, blocking, 1 KiB", "blocking", 10000000ull, 1024, 0},
        {"dap", "--transport bulk", "CMSIS-DAP v2 bulk, blocking, 4 KiB", "blocking", 10000000ull, 4096, 0},
        {"dap", "--transport bulk", "CMSIS-DAP v2 bulk, blocking, 16 KiB", "blocking", 10000000ull, 16384, 0},
        {"dap", "--transport bulk", "CMSIS-DAP v2 bulk, 140 KB/s, non-blocking, 4 KiB", "nonblocking",
         140000ull, 4096, 0},
        {"dap", "--transport tcp", "elaphureLink TCP, blocking, 1 KiB", "blocking", 10000000ull, 1024, 0},
        {"dap", "--transport tcp", "elaphureLink TCP, blocking, 4 KiB", "blocking", 10000000ull, 4096, 0},
        {"dap", "--transport tcp", "elaphureLink TCP, blocking, 16 KiB", "blocking", 10000000ull, 16384, 0},
        {"dap", "--transport tcp", "elaphureLink TCP, 140 KB/s, non-blocking, 4 KiB", "nonblocking",
         140000ull, 4096, 0},
    };
    printf("RTT over espctl-sim: %llu bytes per run, counter stream checked byte by byte\n", e.bytes);
    printf("throughput and latency in modelled (virtual) time; KB = 1000 bytes\n\n");
    printf("%-48s %7s %8s %10s %10s %9s %9s %7s %9s %4s\n", "configuration", "KB/s", "model s",
           "lat.mean us", "lat.max us", "received", "dropped", "loss", "stream", "exit");
    int rc = 0;
    for (size_t i = 0; i < sizeof runs / sizeof runs[0]; i++) {
        struct result x;
        if (!front_has_producer(&e, runs[i].front)) {
            printf("%-48s skipped (espctl-sim %s has no --rtt-producer)\n", runs[i].label, runs[i].front);
            continue;
        }
        if (measure(&e, &runs[i], &x)) {
            printf("%-48s failed to run\n", runs[i].label);
            rc = 1;
            continue;
        }
        print_row(&runs[i], &x);
        if (x.monitor_exit || (!strcmp(runs[i].mode, "blocking") && (x.dropped || x.mismatches)))
            rc = 1;
    }
    return rc;
}
