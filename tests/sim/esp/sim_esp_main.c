/* espctl-sim esp: command line of the ESP ROM serial-loader simulator. */
#include "esp_engine.h"
#include "esp_fault.h"
#include "esp_output.h"
#include "esp_server.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sim_esp_main(int argc, char **argv);

static void usage(FILE *f)
{
    fprintf(f,
            "usage: espctl-sim esp --chip CHIP (--pty | --tcp PORT) [options]\n"
            "  --chip CHIP         %s\n"
            "  --pty               serve on a new pseudo-terminal (prints 'pty PATH')\n"
            "  --tcp PORT          serve on TCP, 0 = any free port (prints 'listening on ADDR:PORT')\n"
            "  --listen ADDR       loopback address to listen on (default 127.0.0.1)\n"
            "  --once              exit when the first client disconnects\n"
            "  --flash-size SIZE   1MB 2MB 4MB 8MB 16MB (default 4MB)\n"
            "  --flash-in FILE     initial flash contents (rest erased)\n"
            "  --flash-out FILE    flash contents written at session end and on exit\n"
            "  --stats FILE        stats JSON written at session end and on exit\n"
            "  --fault SPEC        fault injection, see esp_fault.h (e.g. rx-biterr-at=100,bad-md5)\n"
            "  --baud-model on|off count wire time at the current rate, enforce it on a pty (default on)\n"
            "  --require-reset     start in the app; answer only after a reset into download mode\n",
            esp_chip_names());
}

static int parse_size(const char *s, size_t *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (end == s || strcmp(end, "MB") || v == 0 || v > 128 || (v & (v - 1)))
        return -1;
    *out = (size_t)v << 20;
    return 0;
}

int sim_esp_main(int argc, char **argv)
{
    enum { O_CHIP = 1, O_PTY, O_TCP, O_LISTEN, O_ONCE, O_SIZE, O_IN, O_OUT, O_STATS, O_FAULT, O_BAUD, O_RESET, O_HELP };
    static const struct option longopts[] = {
        {"chip", required_argument, 0, O_CHIP}, {"pty", no_argument, 0, O_PTY},
        {"tcp", required_argument, 0, O_TCP}, {"listen", required_argument, 0, O_LISTEN},
        {"once", no_argument, 0, O_ONCE}, {"flash-size", required_argument, 0, O_SIZE},
        {"flash-in", required_argument, 0, O_IN}, {"flash-out", required_argument, 0, O_OUT},
        {"stats", required_argument, 0, O_STATS}, {"fault", required_argument, 0, O_FAULT},
        {"baud-model", required_argument, 0, O_BAUD}, {"require-reset", no_argument, 0, O_RESET},
        {"help", no_argument, 0, O_HELP}, {0, 0, 0, 0}};
    struct esp_server_config cfg = {.listen_addr = "127.0.0.1", .baud_model = 1};
    const char *flash_in = NULL, *chip = NULL;
    size_t flash_size = 4u << 20;
    int have_tcp = 0;
    struct esp_faults faults;
    esp_fault_none(&faults);
    char err[256];
    optind = 1;
    for (int c; (c = getopt_long(argc, argv, "", longopts, NULL)) != -1;) {
        switch (c) {
        case O_CHIP: chip = optarg; break;
        case O_PTY: cfg.use_pty = 1; break;
        case O_TCP: {
            char *end;
            unsigned long port = strtoul(optarg, &end, 10);
            if (*end || end == optarg || port > 65535) {
                fprintf(stderr, "espctl-sim esp: bad --tcp port '%s'\n", optarg);
                return 2;
            }
            cfg.tcp_port = (uint16_t)port;
            have_tcp = 1;
            break;
        }
        case O_LISTEN: cfg.listen_addr = optarg; break;
        case O_ONCE: cfg.once = 1; break;
        case O_SIZE:
            if (parse_size(optarg, &flash_size)) {
                fprintf(stderr, "espctl-sim esp: bad --flash-size '%s' (e.g. 4MB)\n", optarg);
                return 2;
            }
            break;
        case O_IN: flash_in = optarg; break;
        case O_OUT: cfg.flash_out_path = optarg; break;
        case O_STATS: cfg.stats_path = optarg; break;
        case O_FAULT:
            if (esp_fault_parse(&faults, optarg, err, sizeof err)) {
                fprintf(stderr, "espctl-sim esp: --fault: %s\n", err);
                return 2;
            }
            break;
        case O_BAUD:
            if (strcmp(optarg, "on") && strcmp(optarg, "off")) {
                fprintf(stderr, "espctl-sim esp: --baud-model takes on or off\n");
                return 2;
            }
            cfg.baud_model = !strcmp(optarg, "on");
            break;
        case O_RESET: cfg.require_reset = 1; break;
        case O_HELP: usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc || !chip || cfg.use_pty == have_tcp) {
        usage(stderr);
        return 2;
    }
    cfg.chip = esp_chip_find(chip);
    if (!cfg.chip) {
        fprintf(stderr, "espctl-sim esp: unknown chip '%s' (known: %s)\n", chip, esp_chip_names());
        return 2;
    }
    struct esp_flash flash;
    if (esp_flash_init(&flash, flash_size)) {
        fprintf(stderr, "espctl-sim esp: cannot allocate %zu bytes of flash\n", flash_size);
        return 1;
    }
    if (flash_in && esp_flash_load(&flash, flash_in, err, sizeof err)) {
        fprintf(stderr, "espctl-sim esp: --flash-in: %s\n", err);
        esp_flash_free(&flash);
        return 2;
    }
    struct esp_engine_options eo = {.chip = cfg.chip, .flash = &flash, .baud = 115200,
                                    .baud_model = cfg.baud_model, .start_in_app = cfg.require_reset,
                                    .nak_data_at = faults.nak_data_at, .bad_md5 = faults.bad_md5};
    cfg.engine = esp_engine_new(&eo);
    cfg.flash = &flash;
    cfg.faults = &faults;
    int rc = cfg.engine ? esp_server_run(&cfg) : 1;
    esp_engine_free(cfg.engine);
    esp_flash_free(&flash);
    return rc;
}
