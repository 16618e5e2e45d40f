/*
 * options.c — getopt_long() wrapper shared by the subcommands.
 */
#include "cli.h"

#include <string.h>

void cli_getopt_reset(void)
{
    /* 0 (not 1) makes glibc re-initialise its permutation state too. */
    optind = 0;
    opterr = 0;
}

int cli_getopt(struct cli *cli, int argc, char **argv, const char *shortopts,
               const struct option *longopts, const char *help)
{
    /* A leading ':' makes getopt return ':' for a missing argument. */
    char optstring[64];
    snprintf(optstring, sizeof optstring, ":%s", shortopts);

    int opt = getopt_long(argc, argv, optstring, longopts, NULL);
    switch (opt) {
    case 'h':
        cli_print_help(cli, help);
        return CLI_OPT_HELP;
    case CLI_OPT_JSON:
        cli->json = 1;
        return cli_getopt(cli, argc, argv, shortopts, longopts, help);
    case ':':
        cli_usage_error(cli, help, "option '%s' needs an argument", argv[optind - 1]);
        return CLI_OPT_ERROR;
    case '?':
        if (optopt != 0)
            cli_usage_error(cli, help, "unknown option '-%c'", optopt);
        else
            cli_usage_error(cli, help, "unknown option '%s'", argv[optind - 1]);
        return CLI_OPT_ERROR;
    default:
        return opt;
    }
}
