/*
 * cmd_probes.c — `espctl probes list`: debug probes every driver can see.
 */
#include "cli.h"

#include <string.h>

static const char probes_help[] =
    "usage: espctl probes [list] [--json]\n"
    "\n"
    "Ask every loaded probe driver to enumerate and list what it found. The\n"
    "SELECTOR column is what --probe accepts in flash, erase, reset, read and monitor.\n"
    "Finding no probe is not an error (exit 0).\n"
    "\n"
    "options:\n"
    "      --json   one {\"type\":\"probe\",...} line per probe, then the result\n"
    "  -h, --help   show this help\n";

static json_t *flag_json(uint32_t flags, uint32_t flag)
{
    return json_boolean((flags & flag) != 0);
}

static json_t *probe_json(const struct espctl_probe_desc *probe, const char *vid_pid)
{
    return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:i, s:i, s:s?, s:o, s:o, s:o}",
                     "type", "probe", "driver", cli_json_text(probe->driver), "selector",
                     cli_json_text(probe->selector), "serial", cli_json_text(probe->serial),
                     "manufacturer", cli_json_text(probe->manufacturer), "product",
                     cli_json_text(probe->product), "firmware", cli_json_text(probe->firmware),
                     "port_path", cli_json_text(probe->port_path), "vid", (int)probe->vid,
                     "pid", (int)probe->pid, "vid_pid", vid_pid, "accessible",
                     json_boolean((probe->flags & ESPCTL_PROBE_DESC_INACCESSIBLE) == 0),
                     "network", flag_json(probe->flags, ESPCTL_PROBE_DESC_NETWORK),
                     "serial_port", flag_json(probe->flags, ESPCTL_PROBE_DESC_SERIAL_PORT));
}

static int print_probes(struct cli *cli, const espctl_probe_list *list)
{
    static const char *const headers[] = {"DRIVER",   "VID:PID",  "SERIAL",
                                          "PRODUCT",  "FIRMWARE", "SELECTOR"};
    struct cli_table *table = cli_table_new(6, headers);
    if (table == NULL)
        return cli_failf(cli, ESPCTL_E_NOMEM, "out of memory");

    uint32_t count = espctl_probe_list_count(list);
    uint32_t inaccessible = 0;
    for (uint32_t i = 0; i < count; i++) {
        const struct espctl_probe_desc *probe = espctl_probe_list_get(list, i);
        if (probe == NULL)
            continue;
        char vid_pid[16] = "";
        if (probe->vid != 0 || probe->pid != 0)
            snprintf(vid_pid, sizeof vid_pid, "%04x:%04x", (unsigned)probe->vid,
                     (unsigned)probe->pid);
        if (probe->flags & ESPCTL_PROBE_DESC_INACCESSIBLE)
            inaccessible++;
        if (cli->json) {
            cli_json_line(cli, probe_json(probe, vid_pid[0] != '\0' ? vid_pid : NULL));
            continue;
        }
        const char *cells[] = {probe->driver,   vid_pid,          probe->serial,
                               probe->product,  probe->firmware,  probe->selector};
        if (cli_table_add(table, cells) != ESPCTL_OK) {
            cli_table_free(table);
            return cli_failf(cli, ESPCTL_E_NOMEM, "out of memory");
        }
    }

    if (count == 0) {
        cli_say(cli, "no probes found");
        cli_hint(cli, "hint: check the USB cable; run 'espctl provision-host' for udev "
                      "permissions; or name a network probe with --probe stlink-tcp:HOST");
    } else if (!cli->json) {
        cli_table_print(table, cli->out);
        if (inaccessible > 0)
            cli_hint(cli, "hint: %u probe(s) cannot be opened (permissions); run "
                          "'espctl provision-host' to install udev rules",
                     (unsigned)inaccessible);
    }
    cli_table_free(table);
    cli_result_set(cli, "probes", json_integer(count));
    return CLI_EXIT_OK;
}

int cmd_probes(struct cli *cli, int argc, char **argv)
{
    static const struct option longopts[] = {CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    int opt;

    cli_getopt_reset();
    while ((opt = cli_getopt(cli, argc, argv, "h", longopts, probes_help)) != -1)
        return opt == CLI_OPT_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (optind < argc && strcmp(argv[optind], "list") != 0)
        return cli_usage_error(cli, probes_help, "unknown action '%s'", argv[optind]);
    if (argc - optind > 1)
        return cli_usage_error(cli, probes_help, "unexpected argument '%s'", argv[optind + 1]);

    espctl_ctx *ctx;
    int rc = cli_context(cli, &ctx);
    if (rc != CLI_EXIT_OK)
        return rc;
    espctl_probe_list *list = NULL;
    int err = espctl_probes_list(ctx, &list);
    if (err != ESPCTL_OK)
        return cli_fail(cli, err);
    rc = print_probes(cli, list);
    espctl_probe_list_free(list);
    return rc;
}
