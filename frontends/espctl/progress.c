/*
 * progress.c — library events as JSON lines (--json) or as progress on stderr:
 * one redrawn line with a bar and KiB/s on a terminal, plain lines otherwise.
 */
#include "cli.h"

#include <limits.h>
#include <string.h>
#include <time.h>

#define BAR_WIDTH 30
#define REDRAW_INTERVAL_NS 100000000ull

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static const char *kind_name(int32_t kind)
{
    switch (kind) {
    case ESPCTL_EVENT_STAGE_BEGIN:
        return "stage_begin";
    case ESPCTL_EVENT_PROGRESS:
        return "progress";
    case ESPCTL_EVENT_STAGE_END:
        return "stage_end";
    case ESPCTL_EVENT_MESSAGE:
        return "message";
    default:
        return "unknown";
    }
}

static json_t *json_u64(uint64_t value)
{
    return value <= (uint64_t)LLONG_MAX ? json_integer((json_int_t)value) : json_null();
}

json_t *cli_event_json(const struct espctl_event *event)
{
    json_t *address = event->address == ESPCTL_NO_ADDRESS ? json_null()
                                                           : json_u64(event->address);
    json_t *status = event->status == 0 ? json_null()
                                        : json_string(espctl_error_name(event->status));
    return json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "type", "event",
                     "kind", kind_name(event->kind), "stage", cli_json_text(event->stage),
                     "source", cli_json_text(event->source), "done", json_u64(event->done),
                     "total", json_u64(event->total), "address", address, "status", status,
                     "message", cli_json_text(event->message));
}

static void format_size(char *buf, size_t size, uint64_t bytes)
{
    if (bytes < 1024)
        snprintf(buf, size, "%llu B", (unsigned long long)bytes);
    else if (bytes < 1024ull * 1024)
        snprintf(buf, size, "%.1f KiB", (double)bytes / 1024.0);
    else
        snprintf(buf, size, "%.1f MiB", (double)bytes / (1024.0 * 1024.0));
}

static double seconds_since(uint64_t begin_ns)
{
    return (double)(now_ns() - begin_ns) / 1e9;
}

static double kib_per_s(uint64_t bytes, double seconds)
{
    return seconds > 0.0 ? (double)bytes / 1024.0 / seconds : 0.0;
}

void cli_progress_break(struct cli *cli)
{
    if (cli->progress.line_open) {
        fputc('\n', cli->err);
        cli->progress.line_open = 0;
    }
}

static void draw_bar(struct cli *cli)
{
    struct cli_progress *p = &cli->progress;
    char done[32];
    format_size(done, sizeof done, p->done);
    double rate = kib_per_s(p->done, seconds_since(p->begin_ns));

    fprintf(cli->err, "\r\033[K%-10s ", p->stage);
    if (p->total > 0) {
        uint64_t shown = p->done < p->total ? p->done : p->total;
        int filled = (int)(shown * BAR_WIDTH / p->total);
        char bar[BAR_WIDTH + 1];
        memset(bar, '#', (size_t)filled);
        memset(bar + filled, '.', (size_t)(BAR_WIDTH - filled));
        bar[BAR_WIDTH] = '\0';
        fprintf(cli->err, "[%s] %3u%%  ", bar, (unsigned)(shown * 100 / p->total));
    }
    fprintf(cli->err, "%s  %.1f KiB/s", done, rate);
    fflush(cli->err);
    p->line_open = 1;
    p->last_draw_ns = now_ns();
}

static void stage_begin(struct cli *cli, const struct espctl_event *event)
{
    struct cli_progress *p = &cli->progress;
    cli_progress_break(cli);
    snprintf(p->stage, sizeof p->stage, "%s", event->stage != NULL ? event->stage : "?");
    p->begin_ns = now_ns();
    p->done = 0;
    p->total = event->total;
    p->last_quarter = 0;
    if (p->tty) {
        draw_bar(cli);
    } else if (p->total > 0) {
        char total[32];
        format_size(total, sizeof total, p->total);
        fprintf(cli->err, "%s: started (%s)\n", p->stage, total);
    } else {
        fprintf(cli->err, "%s: started\n", p->stage);
    }
}

static void progress(struct cli *cli, const struct espctl_event *event)
{
    struct cli_progress *p = &cli->progress;
    p->done = event->done;
    if (event->total != 0)
        p->total = event->total;
    if (p->tty) {
        int finished = p->total > 0 && p->done >= p->total;
        if (finished || now_ns() - p->last_draw_ns >= REDRAW_INTERVAL_NS)
            draw_bar(cli);
        return;
    }
    if (p->total == 0)
        return;
    unsigned quarter = (unsigned)((p->done < p->total ? p->done : p->total) * 4 / p->total);
    if (quarter > p->last_quarter && quarter < 4) {
        p->last_quarter = quarter;
        fprintf(cli->err, "%s: %u%%\n", p->stage, quarter * 25);
    }
}

static void stage_end(struct cli *cli, const struct espctl_event *event)
{
    struct cli_progress *p = &cli->progress;
    if (event->done > p->done)
        p->done = event->done;
    double seconds = seconds_since(p->begin_ns);
    char done[32];
    format_size(done, sizeof done, p->done);
    if (p->tty)
        fputs("\r\033[K", cli->err);
    if (event->status != 0)
        fprintf(cli->err, "%-10s failed: %s\n", p->stage, espctl_strerror(event->status));
    else
        fprintf(cli->err, "%-10s done: %s in %.2f s (%.1f KiB/s)\n", p->stage, done, seconds,
                kib_per_s(p->done, seconds));
    fflush(cli->err);
    p->line_open = 0;
}

void cli_on_event(void *user, const struct espctl_event *event)
{
    struct cli *cli = user;
    if (event == NULL)
        return;
    if (cli->json) {
        cli_json_line(cli, cli_event_json(event));
        return;
    }
    if (cli->verbosity < 0)
        return;
    switch (event->kind) {
    case ESPCTL_EVENT_STAGE_BEGIN:
        stage_begin(cli, event);
        break;
    case ESPCTL_EVENT_PROGRESS:
        progress(cli, event);
        break;
    case ESPCTL_EVENT_STAGE_END:
        stage_end(cli, event);
        break;
    case ESPCTL_EVENT_MESSAGE:
        cli_progress_break(cli);
        fprintf(cli->err, "%s: %s\n", event->stage != NULL ? event->stage : "espctl",
                event->message != NULL ? event->message : "");
        break;
    default:
        break;
    }
}
