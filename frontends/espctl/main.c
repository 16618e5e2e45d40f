/*
 * main.c — global options and dispatch to a subcommand.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

enum { OPT_VERSION = 0x2000, OPT_PLUGIN_PATH, OPT_CONFIG };

static int print_version(struct cli *cli)
{
    char abi[16];
    snprintf(abi, sizeof abi, "%d.%d", ESPCTL_PLUGIN_ABI_MAJOR, ESPCTL_PLUGIN_ABI_MINOR);
    if (cli->json) {
        cli_json_line(cli, json_pack("{s:s, s:s, s:s, s:s}", "type", "version", "cli",
                                     ESPCTL_CLI_VERSION, "library", espctl_version(),
                                     "plugin_abi", abi));
        return CLI_EXIT_OK;
    }
    fprintf(cli->out, "espctl %s\nlibespctl %s\nplugin ABI %s\n", ESPCTL_CLI_VERSION,
            espctl_version(), abi);
    return CLI_EXIT_OK;
}

static int add_plugin_path(struct cli *cli, const char *dir)
{
    const char **paths = realloc(cli->plugin_paths,
                                 (cli->plugin_path_count + 2) * sizeof *paths);
    if (paths == NULL)
        return cli_failf(cli, ESPCTL_E_NOMEM, "out of memory");
    paths[cli->plugin_path_count++] = dir;
    paths[cli->plugin_path_count] = NULL;
    cli->plugin_paths = paths;
    return CLI_EXIT_OK;
}

/* JSON mode applies to the whole run, including errors found while parsing,
 * so --json is looked for before any option is parsed. */
static int wants_json(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--json") == 0)
            return 1;
    return 0;
}

static int run(struct cli *cli, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"verbose", no_argument, NULL, 'v'},
        {"quiet", no_argument, NULL, 'q'},
        {"json", no_argument, NULL, CLI_OPT_JSON},
        {"plugin-path", required_argument, NULL, OPT_PLUGIN_PATH},
        {"config", required_argument, NULL, OPT_CONFIG},
        {"version", no_argument, NULL, OPT_VERSION},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int show_version = 0;
    int opt;

    cli->json = wants_json(argc, argv);
    cli_getopt_reset();
    opterr = 0;
    /* '+': stop at the command name; ':': report missing arguments as ':'. */
    while ((opt = getopt_long(argc, argv, "+:vqh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'v':
            cli->verbosity = cli->verbosity < 0 ? 1 : cli->verbosity + 1;
            break;
        case 'q':
            cli->verbosity = -1;
            break;
        case CLI_OPT_JSON:
            cli->json = 1;
            break;
        case OPT_PLUGIN_PATH: {
            int rc = add_plugin_path(cli, optarg);
            if (rc != CLI_EXIT_OK)
                return rc;
            break;
        }
        case OPT_CONFIG:
            cli->config_path = optarg;
            break;
        case OPT_VERSION:
            show_version = 1;
            break;
        case 'h':
            return cli_print_global_help(cli);
        case ':':
            return cli_usage_error(cli, cli_global_help, "option '%s' needs an argument",
                                   argv[optind - 1]);
        default:
            if (optopt != 0)
                return cli_usage_error(cli, cli_global_help, "unknown option '-%c'", optopt);
            return cli_usage_error(cli, cli_global_help, "unknown option '%s'",
                                   argv[optind - 1]);
        }
    }
    if (show_version)
        return print_version(cli);
    if (optind >= argc)
        return cli_usage_error(cli, cli_global_help, "no command given");

    const struct cli_command *command = cli_find_command(argv[optind]);
    if (command == NULL)
        return cli_usage_error(cli, cli_global_help, "unknown command '%s'", argv[optind]);
    cli->command = command;
    return command->run(cli, argc - optind, argv + optind);
}

int main(int argc, char **argv)
{
    struct cli cli;
    cli_init(&cli, stdout, stderr);
    return cli_finish(&cli, run(&cli, argc, argv));
}
