/*
 * cmd_reset.c — `espctl reset`: reset the target and let it run.
 */
#include "cmd_target_common.h"

static const char reset_help[] =
    "usage: espctl reset [--probe P] [--chip C] [--hw] [--json]\n"
    "\n"
    "Reset the target and let it run: a system reset through the core (AIRCR\n"
    "SYSRESETREQ) by default, or a pulse on nRESET through the probe with --hw.\n"
    "\n"
    "options:\n"
    "      --hw        pulse the hardware reset line instead\n"
    TARGET_OPTIONS_HELP
    "      --json      a JSON result\n"
    "  -h, --help      show this help\n";

#define OPT_HW 0x2301

int cmd_reset(struct cli *cli, int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS, TARGET_LONGOPTS, {"hw", no_argument, NULL, OPT_HW}, {NULL, 0, NULL, 0}};
    struct target_args args = {0};
    int hw = 0, opt;
    cli_getopt_reset();
    while ((opt = cli_getopt(cli, argc, argv, "h", longopts, reset_help)) != -1) {
        switch (opt) {
        case TARGET_OPT_PROBE: args.probe = optarg; break;
        case TARGET_OPT_CHIP: args.chip = optarg; break;
        case OPT_HW: hw = 1; break;
        default: return opt == CLI_OPT_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage_error(cli, reset_help, "unexpected argument '%s'", argv[optind]);
    espctl_flash_session *session;
    int rc = target_open(cli, &args, ESPCTL_FLASH_ATTACH_NO_RESET, &session);
    if (rc != CLI_EXIT_OK)
        return rc;
    int err = espctl_flash_reset(session, hw ? ESPCTL_FLASH_RESET_HW_PULSE : ESPCTL_FLASH_RESET_SYSTEM);
    if (err) {
        espctl_flash_close(session);
        return cli_fail(cli, err);
    }
    target_result(cli, &args, session);
    cli_result_set(cli, "reset", cli_json_text(hw ? "hardware" : "system"));
    cli_say(cli, "target reset (%s) and running", hw ? "nRESET pulse" : "system reset");
    espctl_flash_close(session);
    return CLI_EXIT_OK;
}
