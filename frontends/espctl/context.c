/*
 * context.c — the lazily created library context: options from the command
 * line, log lines on stderr, events to progress.c, SIGINT → espctl_cancel().
 */
#include "cli.h"

#include <signal.h>
#include <stdatomic.h>
#include <string.h>

/* The context SIGINT cancels; a signal handler can reach nothing else. */
static _Atomic(espctl_ctx *) interruptible_ctx;
static struct sigaction previous_sigint;
static int sigint_installed;

static void on_sigint(int signo)
{
    (void)signo;
    espctl_ctx *ctx = atomic_load(&interruptible_ctx);
    if (ctx != NULL)
        espctl_cancel(ctx);
}

static void install_sigint(espctl_ctx *ctx)
{
    struct sigaction sa;
    /* Started with SIGINT ignored (nohup, background job): keep it that way. */
    if (sigaction(SIGINT, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
        return;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    /* A second Ctrl-C takes the default action: the process stops at once. */
    sa.sa_flags = SA_RESETHAND;
    atomic_store(&interruptible_ctx, ctx);
    sigint_installed = sigaction(SIGINT, &sa, &previous_sigint) == 0;
}

void cli_context_release(espctl_ctx *ctx)
{
    if (sigint_installed)
        sigaction(SIGINT, &previous_sigint, NULL);
    sigint_installed = 0;
    /* A handler already running finds no context rather than a freed one. */
    atomic_store(&interruptible_ctx, NULL);
    espctl_ctx_free(ctx);
}

int32_t cli_log_level(const struct cli *cli)
{
    if (cli->verbosity < 0)
        return ESPCTL_LOG_ERROR;
    switch (cli->verbosity) {
    case 0:
        return ESPCTL_LOG_WARN;
    case 1:
        return ESPCTL_LOG_INFO;
    case 2:
        return ESPCTL_LOG_DEBUG;
    default:
        return ESPCTL_LOG_TRACE;
    }
}

static const char *level_name(int32_t level)
{
    switch (level) {
    case ESPCTL_LOG_TRACE:
        return "trace";
    case ESPCTL_LOG_DEBUG:
        return "debug";
    case ESPCTL_LOG_INFO:
        return "info";
    case ESPCTL_LOG_WARN:
        return "warning";
    case ESPCTL_LOG_ERROR:
        return "error";
    case ESPCTL_LOG_MISBEHAVING:
        return "misbehaving plugin";
    default:
        return "log";
    }
}

static void on_log(void *user, int32_t level, const char *source, const char *message)
{
    struct cli *cli = user;
    if (level < cli_log_level(cli))
        return;
    cli_progress_break(cli);
    fprintf(cli->err, "%s: %s: %s\n", source != NULL ? source : "espctl", level_name(level),
            message != NULL ? message : "");
}

int cli_context(struct cli *cli, espctl_ctx **ctx)
{
    if (cli->ctx == NULL) {
        struct espctl_ctx_options opts = {
            .hdr = ESPCTL_ABI_HDR(struct espctl_ctx_options),
            .plugin_paths = cli->plugin_paths,
            .config_path = cli->config_path,
            .flags = 0,
            .log_level = cli_log_level(cli),
            .log_cb = on_log,
            .log_user = cli,
            .event_cb = cli_on_event,
            .event_user = cli,
        };
        int rc = espctl_ctx_new(&cli->ctx, &opts);
        if (rc != ESPCTL_OK) {
            cli->ctx = NULL;
            return cli_fail(cli, rc);
        }
        install_sigint(cli->ctx);
    }
    *ctx = cli->ctx;
    return CLI_EXIT_OK;
}
