/*
 * cmd_erase.c — `espctl erase`: erase a flash range (rounded out to sectors) or all of it.
 */
#include "cmd_target_common.h"

static const char erase_help[] =
    "usage: espctl erase (--chip-erase | ADDR LEN) [--probe P] [--chip C] [--json]\n"
    "\n"
    "Erase the flash sectors overlapping [ADDR, ADDR+LEN) — both decimal or 0x hex —\n"
    "or, with --chip-erase, the whole flash.\n"
    "\n"
    "options:\n"
    "      --chip-erase  erase all of the flash (mass erase)\n"
    TARGET_OPTIONS_HELP
    "      --json        progress events and a JSON result\n"
    "  -h, --help        show this help\n";

#define OPT_CHIP_ERASE 0x2201

int cmd_erase(struct cli *cli, int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS, TARGET_LONGOPTS,
        {"chip-erase", no_argument, NULL, OPT_CHIP_ERASE}, {NULL, 0, NULL, 0}};
    struct target_args args = {0};
    int chip_erase = 0, opt;
    cli_getopt_reset();
    while ((opt = cli_getopt(cli, argc, argv, "h", longopts, erase_help)) != -1) {
        switch (opt) {
        case TARGET_OPT_PROBE: args.probe = optarg; break;
        case TARGET_OPT_CHIP: args.chip = optarg; break;
        case OPT_CHIP_ERASE: chip_erase = 1; break;
        default: return opt == CLI_OPT_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
        }
    }
    uint64_t address = 0, length = 0;
    int operands = argc - optind;
    if (chip_erase && operands)
        return cli_usage_error(cli, erase_help, "--chip-erase takes no ADDR LEN");
    if (!chip_erase && operands != 2)
        return cli_usage_error(cli, erase_help, "give ADDR LEN or --chip-erase");
    if (!chip_erase && target_parse_u64(argv[optind], &address))
        return cli_usage_error(cli, erase_help, "ADDR '%s' is not a number", argv[optind]);
    if (!chip_erase && (target_parse_u64(argv[optind + 1], &length) || length == 0))
        return cli_usage_error(cli, erase_help, "LEN '%s' is not a positive number", argv[optind + 1]);

    espctl_flash_session *session;
    int rc = target_open(cli, &args, 0, &session);
    if (rc != CLI_EXIT_OK)
        return rc;
    int err = espctl_flash_erase(session, address, length, chip_erase ? ESPCTL_FLASH_WRITE_CHIP_ERASE : 0);
    if (err) {
        espctl_flash_close(session);
        return cli_fail(cli, err);
    }
    target_result(cli, &args, session);
    cli_result_set(cli, "chip_erase", json_boolean(chip_erase));
    if (!chip_erase) {
        cli_result_set(cli, "address", json_integer((json_int_t)address));
        cli_result_set(cli, "length", json_integer((json_int_t)length));
        cli_say(cli, "erased the sectors covering 0x%08llx..0x%08llx", (unsigned long long)address,
                (unsigned long long)(address + length));
    } else {
        cli_say(cli, "erased the whole flash");
    }
    espctl_flash_close(session);
    return CLI_EXIT_OK;
}
