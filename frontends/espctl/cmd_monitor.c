/*
 * cmd_monitor.c — `espctl monitor`: attach to a running target and show its output
 * stream (RTT through a debug probe, or the UART of a serial target).
 */
#include "cmd_monitor.h"
#include "cmd_target_common.h"

#include <stdlib.h>
#include <string.h>

static const char monitor_help[] =
    "usage: espctl monitor [--bundle B] [--rtt | --uart] [--chip C] [--probe P] [--elf E]\n"
    "                      [--channel N] [--port P --baud B] [--raw] [--json] [--duration S]\n"
    "                      [--timestamps]\n"
    "\n"
    "Attach to the running target without resetting it and print its output: RTT up\n"
    "channel N read through the debug probe (Cortex-M), or the serial port (ESP32).\n"
    "Lines typed on stdin go to the target (RTT down channel N, or the UART). Ctrl-C\n"
    "detaches and leaves the target running. With --bundle, the bundle's flash target\n"
    "picks the mode (cortexm: RTT, esp32: UART) and its ELF locates the RTT control block.\n"
    "When the ELF has a .defmt table, defmt frames are decoded.\n"
    "\n"
    "options:\n"
    "      --bundle B  take the target, chip and firmware ELF from flash bundle B\n"
    "      --rtt       RTT through a debug probe (default for Cortex-M chips)\n"
    "      --uart      the target's serial port (default for ESP32 chips)\n"
    TARGET_OPTIONS_HELP
    "      --elf E     firmware ELF: its _SEGGER_RTT symbol gives the control block\n"
    "                  (otherwise RAM is scanned for the \"SEGGER RTT\" id)\n"
    "      --rtt-addr A  RTT control block address (overrides the ELF)\n"
    "      --rtt-timeout MS  wait this long for the control block to appear (default 3000)\n"
    "      --channel N RTT channel (default 0)\n"
    "      --port P    serial port or socket://HOST:PORT (UART)\n"
    "      --baud B    UART baud rate (default: the target's)\n"
    "      --raw       copy the bytes as they come (no lines, no defmt decoding)\n"
    "      --duration S  stop after S seconds (default: until Ctrl-C)\n"
    "      --timestamps  prefix each line with the host time since start, [   1.234]\n"
    "      --json      one {\"type\":\"monitor\",\"channel\":N,\"text\":...} line per line\n"
    "  -h, --help      show this help\n"
    "\n"
    "Exit status: 0 detached (Ctrl-C or --duration), 1 the probe, port or control block\n"
    "failed (the message names the field), 2 usage error (e.g. --rtt with --uart),\n"
    "unknown chip or malformed bundle.\n";

#define OPT_BUNDLE 0x2301
#define OPT_RTT 0x2302
#define OPT_UART 0x2303
#define OPT_ELF 0x2304
#define OPT_PORT 0x2305
#define OPT_BAUD 0x2306
#define OPT_RTT_ADDR 0x2307
#define OPT_RTT_TIMEOUT 0x2308

struct monitor_cmd {
    struct target_args target;
    struct monitor_args mon;
    const char *bundle;
    int rtt, uart;
};

static int parse_u32(const char *text, uint32_t max, uint32_t *value)
{
    uint64_t v;
    if (target_parse_u64(text, &v) || v > max)
        return -1;
    *value = (uint32_t)v;
    return 0;
}

static int parse(struct cli *cli, int argc, char **argv, struct monitor_cmd *c)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS, TARGET_LONGOPTS,
        {"bundle", required_argument, NULL, OPT_BUNDLE},
        {"rtt", no_argument, NULL, OPT_RTT},
        {"uart", no_argument, NULL, OPT_UART},
        {"elf", required_argument, NULL, OPT_ELF},
        {"rtt-addr", required_argument, NULL, OPT_RTT_ADDR},
        {"rtt-timeout", required_argument, NULL, OPT_RTT_TIMEOUT},
        {"channel", required_argument, NULL, MONITOR_OPT_CHANNEL},
        {"port", required_argument, NULL, OPT_PORT},
        {"baud", required_argument, NULL, OPT_BAUD},
        {"raw", no_argument, NULL, MONITOR_OPT_RAW},
        {"duration", required_argument, NULL, MONITOR_OPT_DURATION},
        {"timestamps", no_argument, NULL, MONITOR_OPT_TIMESTAMPS},
        {NULL, 0, NULL, 0}};
    int opt;
    cli_getopt_reset();
    while ((opt = cli_getopt(cli, argc, argv, "h", longopts, monitor_help)) != -1) {
        switch (opt) {
        case TARGET_OPT_PROBE: c->target.probe = optarg; break;
        case TARGET_OPT_CHIP: c->target.chip = optarg; break;
        case OPT_BUNDLE: c->bundle = optarg; break;
        case OPT_RTT: c->rtt = 1; break;
        case OPT_UART: c->uart = 1; break;
        case OPT_ELF: c->mon.elf = optarg; break;
        case OPT_PORT: c->mon.port = optarg; break;
        case MONITOR_OPT_RAW: c->mon.raw = 1; break;
        case MONITOR_OPT_TIMESTAMPS: c->mon.timestamps = 1; break;
        case OPT_RTT_ADDR:
            if (target_parse_u64(optarg, &c->mon.rtt_address) || c->mon.rtt_address > UINT32_MAX ||
                c->mon.rtt_address == 0)
                return cli_usage_error(cli, monitor_help, "--rtt-addr: '%s' is not a 32-bit address",
                                       optarg);
            break;
        case OPT_RTT_TIMEOUT:
            if (parse_u32(optarg, 3600000u, &c->mon.rtt_timeout_ms) || c->mon.rtt_timeout_ms == 0)
                return cli_usage_error(cli, monitor_help, "--rtt-timeout: '%s' is not 1..3600000 ms",
                                       optarg);
            break;
        case MONITOR_OPT_CHANNEL:
            if (parse_u32(optarg, 254u, &c->mon.channel))
                return cli_usage_error(cli, monitor_help, "--channel: '%s' is not 0..254", optarg);
            break;
        case OPT_BAUD:
            if (parse_u32(optarg, 100000000u, &c->mon.baud) || c->mon.baud == 0)
                return cli_usage_error(cli, monitor_help, "--baud: '%s' is not a baud rate", optarg);
            break;
        case MONITOR_OPT_DURATION:
            if (monitor_parse_duration(optarg, &c->mon.duration))
                return cli_usage_error(cli, monitor_help, "--duration: '%s' is not a number of seconds",
                                       optarg);
            break;
        default: return opt == CLI_OPT_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage_error(cli, monitor_help, "unexpected argument '%s'", argv[optind]);
    if (c->rtt && c->uart)
        return cli_usage_error(cli, monitor_help, "--rtt and --uart exclude each other");
    if (c->mon.raw && cli->json)
        return cli_usage_error(cli, monitor_help, "--raw and --json exclude each other");
    if (c->mon.raw && c->mon.timestamps)
        return cli_usage_error(cli, monitor_help, "--raw and --timestamps exclude each other");
    if (c->uart && (c->mon.elf || c->mon.rtt_address))
        return cli_usage_error(cli, monitor_help, "--elf and --rtt-addr are for RTT, not --uart");
    c->mon.mode = c->rtt ? ESPCTL_MONITOR_MODE_RTT : c->uart ? ESPCTL_MONITOR_MODE_UART
                                                             : ESPCTL_MONITOR_MODE_AUTO;
    return -1;
}

/* The flash-target kind the mode implies without a bundle. */
static const char *kind_for_mode(int32_t mode)
{
    return mode == ESPCTL_MONITOR_MODE_RTT ? "cortexm" : mode == ESPCTL_MONITOR_MODE_UART ? "esp32" : NULL;
}

int cmd_monitor(struct cli *cli, int argc, char **argv)
{
    struct monitor_cmd c = {0};
    int rc = parse(cli, argc, argv, &c);
    if (rc >= 0)
        return rc;
    espctl_ctx *ctx;
    rc = cli_context(cli, &ctx);
    if (rc != CLI_EXIT_OK)
        return rc;
    struct espctl_flash_open_options opts = {
        .hdr = ESPCTL_ABI_HDR(struct espctl_flash_open_options),
        .chip = c.target.chip,
        .probe = c.target.probe,
        .port = c.mon.port,
        .baud = c.mon.baud,
        .flags = ESPCTL_FLASH_ATTACH_NO_RESET,
    };
    espctl_bundle *bundle = NULL;
    espctl_flash_session *session = NULL;
    int err;
    if (c.bundle) {
        err = espctl_bundle_open(ctx, c.bundle, NULL, &bundle);
        struct espctl_bundle_info info = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_info)};
        if (err == 0)
            err = espctl_bundle_get_info(bundle, &info);
        if (err) {
            espctl_bundle_free(bundle);
            return cli_fail(cli, err);
        }
        int32_t native = espctl_monitor_mode_for_target(info.target_kind);
        if (c.mon.mode != ESPCTL_MONITOR_MODE_AUTO && native != ESPCTL_MONITOR_MODE_AUTO &&
            native != c.mon.mode) {
            rc = cli_usage_error(cli, monitor_help, "the bundle is for a %s target, which monitors "
                                 "over %s", info.target_kind, native == ESPCTL_MONITOR_MODE_RTT
                                 ? "RTT (--rtt)" : "UART (--uart)");
            espctl_bundle_free(bundle);
            return rc;
        }
        err = espctl_flash_open_bundle(ctx, bundle, &opts, &session, NULL);
    } else {
        opts.target_kind = c.target.chip ? NULL : kind_for_mode(c.mon.mode);
        err = espctl_flash_open(ctx, &opts, &session);
    }
    if (err) {
        espctl_bundle_free(bundle);
        return cli_fail(cli, err);
    }
    target_result(cli, &c.target, session);
    rc = monitor_run(cli, session, bundle, &c.mon);
    espctl_flash_close(session);
    espctl_bundle_free(bundle);
    return rc;
}
