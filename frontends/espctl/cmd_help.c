/*
 * cmd_help.c — `espctl help [COMMAND]` and the global help text.
 */
#include "cli.h"

const char cli_global_help[] =
    "usage: espctl [-v|--verbose]... [-q|--quiet] [--json] [--plugin-path DIR]...\n"
    "              [--config FILE] COMMAND [ARGS...]\n"
    "       espctl --version | --help | help [COMMAND]\n"
    "\n"
    "Flash and monitor microcontrollers through plugins (probe drivers, flash\n"
    "targets, chip families).\n"
    "\n"
    "global options:\n"
    "  -v, --verbose          more log output (repeat for debug, then trace)\n"
    "  -q, --quiet            only errors: no warnings, progress or hints\n"
    "      --json             one JSON object per line on stdout, ending with a\n"
    "                         result object (also accepted after COMMAND)\n"
    "      --plugin-path DIR  search DIR for plugins first (repeatable)\n"
    "      --config FILE      read FILE instead of $XDG_CONFIG_HOME/espctl/config\n"
    "      --version          print the CLI, library and plugin ABI versions\n"
    "  -h, --help             show this help\n"
    "\n"
    "exit codes: 0 success, 1 runtime failure, 2 usage, configuration or invalid target\n";

static const char help_help[] =
    "usage: espctl help [COMMAND]\n"
    "\n"
    "Without COMMAND, list the commands; with COMMAND, show its options\n"
    "(the same as 'espctl COMMAND --help').\n";

int cli_print_global_help(struct cli *cli)
{
    cli_print_help(cli, cli_global_help);
    if (cli->json)
        return CLI_EXIT_OK;
    fputs("\ncommands:\n", cli->out);
    for (size_t i = 0; i < cli_command_count; i++)
        fprintf(cli->out, "  %-16s %s\n", cli_commands[i].name, cli_commands[i].summary);
    fputs("\nRun 'espctl help COMMAND' for a command's options.\n", cli->out);
    return CLI_EXIT_OK;
}

int cmd_help(struct cli *cli, int argc, char **argv)
{
    static const struct option longopts[] = {CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    int opt;

    cli_getopt_reset();
    while ((opt = cli_getopt(cli, argc, argv, "h", longopts, help_help)) != -1)
        return opt == CLI_OPT_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (optind >= argc)
        return cli_print_global_help(cli);
    if (argc - optind > 1)
        return cli_usage_error(cli, help_help, "too many arguments");

    const struct cli_command *command = cli_find_command(argv[optind]);
    if (command == NULL)
        return cli_usage_error(cli, help_help, "unknown command '%s'", argv[optind]);
    char *help_argv[] = {(char *)command->name, "--help", NULL};
    cli->command = command;
    return command->run(cli, 2, help_argv);
}
