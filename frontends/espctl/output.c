/*
 * output.c — JSON lines on stdout, error reporting and exit codes, help text.
 */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void cli_json_line(struct cli *cli, json_t *object)
{
    if (object == NULL) {
        fprintf(cli->err, "espctl: cannot build a JSON line (out of memory?)\n");
        return;
    }
    if (json_dumpf(object, cli->out, JSON_COMPACT) == 0)
        fputc('\n', cli->out);
    fflush(cli->out);
    json_decref(object);
}

json_t *cli_json_text(const char *text)
{
    if (text == NULL)
        return json_null();
    json_t *string = json_string(text);
    if (string != NULL)
        return string;
    /* Not UTF-8 (a file name, a plugin's string): keep the ASCII, mark the rest. */
    char *ascii = strdup(text);
    if (ascii == NULL)
        return NULL;
    for (char *p = ascii; *p != '\0'; p++)
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    string = json_string(ascii);
    free(ascii);
    return string;
}

void cli_result_set(struct cli *cli, const char *key, json_t *value)
{
    if (cli->result == NULL)
        cli->result = json_object();
    if (cli->result == NULL || value == NULL) {
        json_decref(value);
        return;
    }
    json_object_set_new(cli->result, key, value);
}

int cli_exit_code(int error)
{
    switch (error) {
    case ESPCTL_OK:
        return CLI_EXIT_OK;
    case ESPCTL_E_INVAL:
    case ESPCTL_E_CONFIG:
    case ESPCTL_E_ABI:
    case ESPCTL_E_FORMAT:
    case ESPCTL_E_NOT_FOUND:
        return CLI_EXIT_USAGE;
    default:
        return CLI_EXIT_FAILURE;
    }
}

/* Keeps the first error: later ones are usually its consequences. */
static void record_error(struct cli *cli, int error, const char *message)
{
    if (cli->error_code != 0)
        return;
    cli->error_code = error;
    cli->error_message = strdup(message);
}

static int report(struct cli *cli, int error, const char *detail)
{
    char message[1024];
    if (detail != NULL && detail[0] != '\0')
        snprintf(message, sizeof message, "%s: %s", espctl_strerror(error), detail);
    else
        snprintf(message, sizeof message, "%s", espctl_strerror(error));
    record_error(cli, error, message);
    if (!cli->json) {
        cli_progress_break(cli);
        fprintf(cli->err, "espctl: %s\n", message);
    }
    return cli_exit_code(error);
}

int cli_fail(struct cli *cli, int error)
{
    return report(cli, error, espctl_last_error());
}

int cli_failf(struct cli *cli, int error, const char *fmt, ...)
{
    char detail[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return report(cli, error, detail);
}

int cli_usage_error(struct cli *cli, const char *help, const char *fmt, ...)
{
    char message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    record_error(cli, ESPCTL_E_INVAL, message);

    cli_progress_break(cli);
    fprintf(cli->err, "espctl: %s\n", message);
    const char *blank = strstr(help, "\n\n");
    int synopsis = blank != NULL ? (int)(blank - help + 1) : (int)strlen(help);
    fprintf(cli->err, "%.*s", synopsis, help);
    if (cli->command != NULL && cli->command->run != NULL)
        fprintf(cli->err, "Run 'espctl help %s' for details.\n", cli->command->name);
    else
        fprintf(cli->err, "Run 'espctl help' for the list of commands.\n");
    return CLI_EXIT_USAGE;
}

void cli_print_help(struct cli *cli, const char *help)
{
    if (cli->json) {
        cli_json_line(cli, json_pack("{s:s, s:s?, s:s}", "type", "help", "command",
                                     cli->command != NULL ? cli->command->name : NULL,
                                     "text", help));
        return;
    }
    fputs(help, cli->out);
}

void cli_say(struct cli *cli, const char *fmt, ...)
{
    if (cli->json)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(cli->out, fmt, ap);
    va_end(ap);
    fputc('\n', cli->out);
}

void cli_hint(struct cli *cli, const char *fmt, ...)
{
    if (cli->json || cli->verbosity < 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(cli->out, fmt, ap);
    va_end(ap);
    fputc('\n', cli->out);
}
