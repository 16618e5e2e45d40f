/*
 * cmd_monitor_loop.c — the monitor loop: target output to stdout, stdin lines to the
 * target, defmt decoding when the firmware ELF carries a .defmt table.
 */
#include "cmd_monitor.h"

#include "espctl/defmt.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define READ_CHUNK 4096u
#define LINE_LIMIT 4096u
#define POLL_MS 50u
#define BUNDLE_ELF "files/firmware.elf"

struct monitor_out {
    struct cli *cli;
    uint32_t channel;
    int raw;
    int timestamps;
    double start;
    espctl_defmt *defmt;
    char line[LINE_LIMIT + 1];
    size_t len;
    uint64_t bytes, lines, bad_frames;
};

struct monitor_in {
    int open;
    char line[LINE_LIMIT];
    size_t len;
};

int monitor_parse_duration(const char *text, double *seconds)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || !end || end == text || *end || !isfinite(v) || v < 0 || v > 31536000.0)
        return -1;
    *seconds = v;
    return 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "[   1.234] " before a line with --timestamps: host seconds since the monitor began. */
static void host_stamp(struct monitor_out *o)
{
    if (o->timestamps && !o->cli->json)
        fprintf(o->cli->out, "[%8.3f] ", now_s() - o->start);
}

static void emit_json(struct monitor_out *o, const char *text, const char *level, const char *stamp,
                      const char *error)
{
    json_t *j = json_pack("{s:s, s:I, s:o}", "type", "monitor", "channel", (json_int_t)o->channel,
                          "text", cli_json_text(text));
    if (j && o->timestamps)
        json_object_set_new(j, "host_time", json_real(now_s() - o->start));
    if (j && level)
        json_object_set_new(j, "level", json_string(level));
    if (j && stamp && *stamp)
        json_object_set_new(j, "timestamp", json_string(stamp));
    if (j && error)
        json_object_set_new(j, "error", cli_json_text(error));
    if (j)
        cli_json_line(o->cli, j);
}

static void emit_line(struct monitor_out *o)
{
    size_t n = o->len;
    if (n && o->line[n - 1] == '\r')
        n--;
    o->line[n] = '\0';
    o->lines++;
    if (o->cli->json) {
        for (size_t i = 0; i < n; i++)
            if (o->line[i] == '\0')
                o->line[i] = '?';
        emit_json(o, o->line, NULL, NULL, NULL);
    } else {
        host_stamp(o);
        fwrite(o->line, 1, n, o->cli->out);
        fputc('\n', o->cli->out);
        fflush(o->cli->out);
    }
    o->len = 0;
}

static const char *level_name(int32_t level)
{
    switch (level) {
    case ESPCTL_LOG_TRACE: return "TRACE";
    case ESPCTL_LOG_DEBUG: return "DEBUG";
    case ESPCTL_LOG_INFO: return "INFO";
    case ESPCTL_LOG_WARN: return "WARN";
    case ESPCTL_LOG_ERROR: return "ERROR";
    default: return NULL;
    }
}

static void on_frame(void *user, const struct espctl_defmt_frame *f)
{
    struct monitor_out *o = user;
    o->lines++;
    if (f->status != 0) {
        char hex[3 * 256 + 8];
        size_t n = 0, shown = f->raw_size < 256 ? f->raw_size : 256;
        for (size_t i = 0; i < shown; i++)
            n += (size_t)snprintf(hex + n, sizeof hex - n, "%s%02x", i ? " " : "", f->raw[i]);
        if (shown < f->raw_size)
            snprintf(hex + n, sizeof hex - n, " ...");
        o->bad_frames++;
        cli_progress_break(o->cli);
        fprintf(o->cli->err, "espctl: warning: %s; frame shown as hex\n", f->text);
        if (o->cli->json)
            emit_json(o, hex, NULL, NULL, f->text);
        else {
            host_stamp(o);
            fprintf(o->cli->out, "%s\n", hex);
        }
        fflush(o->cli->out);
        return;
    }
    const char *level = level_name(f->level);
    if (o->cli->json) {
        emit_json(o, f->text, level, f->timestamp, NULL);
        return;
    }
    host_stamp(o);
    if (f->timestamp[0])
        fprintf(o->cli->out, "%s ", f->timestamp);
    if (level)
        fprintf(o->cli->out, "%-5s ", level);
    fprintf(o->cli->out, "%s\n", f->text);
    fflush(o->cli->out);
}

static void output(struct monitor_out *o, const uint8_t *buf, uint32_t n)
{
    o->bytes += n;
    if (o->raw) {
        fwrite(buf, 1, n, o->cli->out);
        fflush(o->cli->out);
        return;
    }
    if (o->defmt) {
        (void)espctl_defmt_feed(o->defmt, buf, n, on_frame, o);
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (buf[i] == '\n') {
            emit_line(o);
            continue;
        }
        o->line[o->len++] = (char)buf[i];
        if (o->len == LINE_LIMIT)
            emit_line(o);
    }
}

static void output_end(struct monitor_out *o)
{
    if (o->defmt)
        (void)espctl_defmt_flush(o->defmt, on_frame, o);
    else if (o->len && !o->raw)
        emit_line(o);
}

/* Take what stdin has now (never blocks); complete lines go to the target. */
static int forward_stdin(struct monitor_in *in, espctl_monitor *m)
{
    struct pollfd pfd = {STDIN_FILENO, POLLIN, 0};
    if (!in->open || poll(&pfd, 1, 0) <= 0 || !(pfd.revents & (POLLIN | POLLHUP)))
        return 0;
    ssize_t n = read(STDIN_FILENO, in->line + in->len, sizeof in->line - in->len);
    if (n <= 0) {
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            return 0;
        in->open = 0;
        int rc = in->len ? espctl_monitor_write(m, (const uint8_t *)in->line, (uint32_t)in->len) : 0;
        in->len = 0;
        return rc;
    }
    in->len += (size_t)n;
    size_t sent = 0;
    for (size_t i = 0; i < in->len; i++) {
        if (in->line[i] != '\n')
            continue;
        int rc = espctl_monitor_write(m, (const uint8_t *)in->line + sent, (uint32_t)(i + 1 - sent));
        if (rc)
            return rc;
        sent = i + 1;
    }
    if (sent == 0 && in->len == sizeof in->line) { /* a line longer than the buffer: send it */
        int rc = espctl_monitor_write(m, (const uint8_t *)in->line, (uint32_t)in->len);
        if (rc)
            return rc;
        sent = in->len;
    }
    memmove(in->line, in->line + sent, in->len - sent);
    in->len -= sent;
    return 0;
}

/* A defmt decoder when the ELF has a .defmt table; NULL (plain text) otherwise. */
static espctl_defmt *open_defmt(struct cli *cli, const espctl_bundle *bundle, const char *elf)
{
    espctl_defmt *d = NULL;
    int rc = ESPCTL_E_NOT_FOUND;
    if (elf) {
        rc = espctl_defmt_open(&d, elf);
    } else if (bundle) {
        const void *data = NULL;
        uint64_t size = 0;
        if (espctl_bundle_member_data(bundle, BUNDLE_ELF, &data, &size) == 0)
            rc = espctl_defmt_open_bytes(&d, data, (size_t)size, BUNDLE_ELF);
    }
    if (rc == 0)
        return d;
    if (rc != ESPCTL_E_NOT_FOUND) {
        cli_progress_break(cli);
        fprintf(cli->err, "espctl: warning: defmt table unusable, showing text: %s\n", espctl_last_error());
    }
    return NULL;
}

static int loop(struct cli *cli, espctl_monitor *m, struct monitor_out *o, double duration)
{
    struct monitor_in in = {.open = 1};
    uint8_t *buf = malloc(READ_CHUNK);
    if (!buf)
        return cli_failf(cli, ESPCTL_E_NOMEM, "monitor: out of memory");
    double start = now_s();
    int rc = 0;
    while (!espctl_cancelled(cli->ctx)) {
        double left = duration > 0 ? duration - (now_s() - start) : 1.0;
        if (left <= 0)
            break;
        rc = forward_stdin(&in, m);
        if (rc)
            break;
        uint32_t wait = left * 1000.0 < POLL_MS ? (uint32_t)(left * 1000.0) : POLL_MS;
        uint32_t got = 0;
        rc = espctl_monitor_read(m, buf, READ_CHUNK, &got, wait);
        if (got)
            output(o, buf, got);
        if (rc)
            break;
    }
    free(buf);
    output_end(o);
    if (rc && (rc == ESPCTL_E_CANCELLED || espctl_cancelled(cli->ctx)))
        rc = 0;
    return rc ? cli_fail(cli, rc) : CLI_EXIT_OK;
}

int monitor_run(struct cli *cli, espctl_flash_session *session, const espctl_bundle *bundle,
                const struct monitor_args *a)
{
    struct espctl_monitor_options opts = {
        .hdr = ESPCTL_ABI_HDR(struct espctl_monitor_options),
        .mode = a->mode,
        .channel = a->channel,
        .elf_path = a->elf,
        .rtt_address = a->rtt_address,
        .rtt_timeout_ms = a->rtt_timeout_ms,
        .baud = a->baud,
        .port = a->port,
    };
    espctl_monitor *m = NULL;
    int err = bundle ? espctl_monitor_open_bundle(session, bundle, &opts, &m)
                     : espctl_monitor_open(session, &opts, &m);
    if (err)
        return cli_fail(cli, err);
    struct monitor_out *o = calloc(1, sizeof *o);
    if (!o) {
        espctl_monitor_close(m);
        return cli_failf(cli, ESPCTL_E_NOMEM, "monitor: out of memory");
    }
    o->cli = cli;
    o->channel = a->channel;
    o->raw = a->raw;
    o->timestamps = a->timestamps;
    o->start = now_s();
    if (!a->raw && espctl_monitor_mode(m) == ESPCTL_MONITOR_MODE_RTT)
        o->defmt = open_defmt(cli, bundle, a->elf);
    int rc = loop(cli, m, o, a->duration);
    int32_t mode = espctl_monitor_mode(m);
    uint64_t address = espctl_monitor_rtt_address(m);
    espctl_monitor_close(m);
    cli_result_set(cli, "mode", json_string(mode == ESPCTL_MONITOR_MODE_RTT ? "rtt" : "uart"));
    cli_result_set(cli, "channel", json_integer(a->channel));
    cli_result_set(cli, "bytes", json_integer((json_int_t)o->bytes));
    cli_result_set(cli, "defmt", json_boolean(o->defmt != NULL));
    if (mode == ESPCTL_MONITOR_MODE_RTT) {
        char hex[32];
        snprintf(hex, sizeof hex, "0x%08llx", (unsigned long long)address);
        cli_result_set(cli, "rtt_address", address ? json_string(hex) : json_null());
    }
    espctl_defmt_free(o->defmt);
    free(o);
    return rc;
}
