/*
 * cli.c — set-up and tear-down of the CLI state; the final JSON result object.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cli_init(struct cli *cli, FILE *out, FILE *err)
{
    memset(cli, 0, sizeof *cli);
    cli->out = out;
    cli->err = err;
    cli->progress.tty = isatty(fileno(err));
}

static json_t *error_json(const struct cli *cli)
{
    if (cli->error_code == 0)
        return json_null();
    return json_pack("{s:s, s:o}", "code", espctl_error_name(cli->error_code), "message",
                     cli_json_text(cli->error_message != NULL ? cli->error_message : ""));
}

static void print_result(struct cli *cli, int exit_code)
{
    json_t *result = json_pack("{s:s, s:b, s:i, s:o}", "type", "result", "ok",
                               exit_code == CLI_EXIT_OK, "exit_code", exit_code, "error",
                               error_json(cli));
    if (result == NULL) {
        fprintf(cli->err, "espctl: cannot build the JSON result\n");
        return;
    }
    if (cli->result != NULL)
        json_object_update_missing(result, cli->result);
    cli_json_line(cli, result);
}

int cli_finish(struct cli *cli, int exit_code)
{
    cli_progress_break(cli);
    /* A command that failed without saying why still yields a well-formed error. */
    if (exit_code != CLI_EXIT_OK && cli->error_code == 0) {
        cli->error_code = exit_code == CLI_EXIT_USAGE ? ESPCTL_E_INVAL : ESPCTL_E_OTHER;
        cli->error_message = strdup(espctl_strerror(cli->error_code));
    }
    if (cli->json)
        print_result(cli, exit_code);
    if (fflush(cli->out) != 0 && exit_code == CLI_EXIT_OK) {
        fprintf(cli->err, "espctl: cannot write the output\n");
        exit_code = CLI_EXIT_FAILURE;
    }
    if (cli->ctx != NULL) {
        espctl_ctx *ctx = cli->ctx;
        cli->ctx = NULL;
        cli_context_release(ctx);
    }
    json_decref(cli->result);
    free(cli->error_message);
    free(cli->plugin_paths);
    cli->result = NULL;
    cli->error_message = NULL;
    cli->plugin_paths = NULL;
    return exit_code;
}
