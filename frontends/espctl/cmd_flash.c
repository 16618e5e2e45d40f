/*
 * cmd_flash.c — `espctl flash BUNDLE`: check the bundle, put it on the target, run it.
 */
#include "cmd_monitor.h"
#include "cmd_target_common.h"

#include <string.h>

static const char flash_help[] =
    "usage: espctl flash BUNDLE [--probe P] [--chip NAME] [--port P [--baud B]] [--no-verify]\n"
    "                    [--json]\n"
    "                    [--monitor [--duration S] [--timestamps]]\n"
    "\n"
    "Open BUNDLE (flash_bundle.tar.gz), check every member's hash and the manifest's\n"
    "signature before touching the target, connect through the probe, erase only the\n"
    "sectors that change, program, verify by read-back, then reset the target so it\n"
    "runs the new image. Sectors already holding the image are skipped.\n"
    "The manifest's probe_rs_chip picks the chip unless --chip overrides it.\n"
    "\n"
    "options:\n"
    TARGET_OPTIONS_HELP
    "      --port P    ESP: serial port (/dev/ttyUSB0) or socket://HOST:PORT (default: config esp32.port)\n"
    "      --baud B    ESP: baud rate for flashing (default 460800; the ROM starts at 115200)\n"
    "      --no-verify skip verification (read-back, or the chip's own check, e.g. the H7 CRC)\n"
    "      --monitor   then show the target's output (see espctl monitor) until Ctrl-C\n"
    "      --duration S  with --monitor: stop monitoring after S seconds\n"
    "      --timestamps  with --monitor: prefix each line with the host time since start\n"
    "      --json      progress as {\"type\":\"event\",...} lines and a JSON result\n"
    "  -h, --help      show this help\n"
    "\n"
    "Exit status: 0 flashed, 1 the bundle, probe or target failed (the message names the\n"
    "stage and address), 2 usage error, malformed bundle or unknown chip.\n";

#define OPT_NO_VERIFY 0x2101
#define OPT_MONITOR 0x2102
#define OPT_PORT 0x2103
#define OPT_BAUD 0x2104

int cmd_flash(struct cli *cli, int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS, TARGET_LONGOPTS,
        {"no-verify", no_argument, NULL, OPT_NO_VERIFY},
        {"monitor", no_argument, NULL, OPT_MONITOR},
        {"port", required_argument, NULL, OPT_PORT},
        {"baud", required_argument, NULL, OPT_BAUD},
        {"duration", required_argument, NULL, MONITOR_OPT_DURATION},
        {"timestamps", no_argument, NULL, MONITOR_OPT_TIMESTAMPS}, {NULL, 0, NULL, 0}};
    struct target_args args = {0};
    struct monitor_args mon = {0};
    int monitor = 0, duration_given = 0;
    uint32_t flags = 0, baud = 0;
    const char *port = NULL;
    uint64_t number;
    int opt;
    cli_getopt_reset();
    while ((opt = cli_getopt(cli, argc, argv, "h", longopts, flash_help)) != -1) {
        switch (opt) {
        case TARGET_OPT_PROBE: args.probe = optarg; break;
        case TARGET_OPT_CHIP: args.chip = optarg; break;
        case OPT_NO_VERIFY: flags |= ESPCTL_FLASH_WRITE_NO_VERIFY; break;
        case OPT_MONITOR: monitor = 1; break;
        case MONITOR_OPT_TIMESTAMPS: mon.timestamps = 1; break;
        case OPT_PORT: port = optarg; break;
        case OPT_BAUD:
            if (target_parse_u64(optarg, &number) || number == 0 || number > UINT32_MAX)
                return cli_usage_error(cli, flash_help, "--baud: '%s' is not a baud rate", optarg);
            baud = (uint32_t)number;
            break;
        case MONITOR_OPT_DURATION:
            if (monitor_parse_duration(optarg, &mon.duration))
                return cli_usage_error(cli, flash_help, "--duration: '%s' is not a number of seconds",
                                       optarg);
            duration_given = 1;
            break;
        default: return opt == CLI_OPT_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
        }
    }
    if (duration_given && !monitor)
        return cli_usage_error(cli, flash_help, "--duration needs --monitor");
    if (mon.timestamps && !monitor)
        return cli_usage_error(cli, flash_help, "--timestamps needs --monitor");
    if (optind >= argc)
        return cli_usage_error(cli, flash_help, "missing BUNDLE");
    if (argc - optind > 1)
        return cli_usage_error(cli, flash_help, "unexpected argument '%s'", argv[optind + 1]);
    const char *path = argv[optind];

    espctl_ctx *ctx;
    int rc = cli_context(cli, &ctx);
    if (rc != CLI_EXIT_OK)
        return rc;
    espctl_bundle *bundle = NULL;
    int err = espctl_bundle_open(ctx, path, NULL, &bundle);
    if (err)
        return cli_fail(cli, err);
    struct espctl_flash_open_options opts = {
        .hdr = ESPCTL_ABI_HDR(struct espctl_flash_open_options),
        .chip = args.chip,
        .probe = args.probe,
        .port = port,
        .baud = baud,
    };
    struct espctl_bundle_verify_result signer = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_verify_result)};
    espctl_flash_session *session = NULL;
    err = espctl_flash_open_bundle(ctx, bundle, &opts, &session, &signer);
    if (err == 0)
        err = espctl_flash_write_bundle(session, bundle, flags);
    if (err == 0)
        err = espctl_flash_reset(session, ESPCTL_FLASH_RESET_SYSTEM);
    if (err) {
        espctl_flash_close(session);
        espctl_bundle_free(bundle);
        return cli_fail(cli, err);
    }
    struct espctl_bundle_info info = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_info)};
    (void)espctl_bundle_get_info(bundle, &info);
    const char *chip = args.chip ? args.chip : info.probe_rs_chip ? info.probe_rs_chip : info.chip;
    cli_result_set(cli, "bundle", cli_json_text(path));
    cli_result_set(cli, "target", cli_json_text(espctl_flash_target_kind(session)));
    cli_result_set(cli, "chip", cli_json_text(chip));
    cli_result_set(cli, "probe", cli_json_text(args.probe ? args.probe : "auto"));
    cli_result_set(cli, "verified", json_boolean(!(flags & ESPCTL_FLASH_WRITE_NO_VERIFY)));
    cli_result_set(cli, "signer", signer.key_id[0] ? cli_json_text(signer.key_id) : json_null());
    cli_say(cli, "flashed %s to %s%s; target reset and running", path, chip ? chip : "the target",
            (flags & ESPCTL_FLASH_WRITE_NO_VERIFY) ? " (not verified)" : ", verified");
    rc = monitor ? monitor_run(cli, session, bundle, &mon) : CLI_EXIT_OK;
    espctl_flash_close(session);
    espctl_bundle_free(bundle);
    return rc;
}
