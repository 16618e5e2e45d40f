/*
 * cmd_monitor.h — the monitor loop shared by `espctl monitor` and `espctl flash
 * --monitor`: target output to stdout (raw bytes, lines, JSON lines, or decoded defmt
 * frames), stdin lines to the target, until --duration runs out or Ctrl-C.
 */
#ifndef ESPCTL_CMD_MONITOR_H
#define ESPCTL_CMD_MONITOR_H

#include "cli.h"
#include "espctl/flash.h"
#include "espctl/monitor.h"

struct monitor_args {
    /** ESPCTL_MONITOR_MODE_* (AUTO = from the flash target). */
    int32_t mode;
    uint32_t channel;
    /** --elf, or NULL (then the bundle's ELF when there is a bundle). */
    const char *elf;
    uint64_t rtt_address;
    uint32_t rtt_timeout_ms;
    const char *port;
    uint32_t baud;
    /** --raw: bytes as they come, no line splitting or defmt decoding. */
    int raw;
    /** Stop after this many seconds (0 = until Ctrl-C). */
    double duration;
    /** --timestamps: prefix each line with the host time since the monitor started,
     * "[   1.234] " (JSON lines get "host_time": seconds). Not with --raw. */
    int timestamps;
};

/** Long-option values and help lines of the options `flash --monitor` shares. */
#define MONITOR_OPT_DURATION 0x2201
#define MONITOR_OPT_CHANNEL 0x2202
#define MONITOR_OPT_RAW 0x2203
#define MONITOR_OPT_TIMESTAMPS 0x2204

/** Parse --duration SECONDS (non-negative, at most a year). 0, or -1 when malformed. */
int monitor_parse_duration(const char *text, double *seconds);

/**
 * Open the monitor on `session` (with `bundle`'s ELF when given) and run it. Returns
 * the exit code: 0 after --duration or Ctrl-C (the target keeps running), else the
 * code of the failure, which has been reported.
 */
int monitor_run(struct cli *cli, espctl_flash_session *session, const espctl_bundle *bundle,
                const struct monitor_args *args);

#endif
