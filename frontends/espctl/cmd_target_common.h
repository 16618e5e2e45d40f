/*
 * cmd_target_common.h — what the target commands (flash, erase, reset, read) share:
 * the --probe/--chip options, number parsing and opening a flash session.
 */
#ifndef ESPCTL_CMD_TARGET_COMMON_H
#define ESPCTL_CMD_TARGET_COMMON_H

#include "cli.h"
#include "espctl/flash.h"

/** Long-option values of the shared target options. */
#define TARGET_OPT_PROBE 0x2001
#define TARGET_OPT_CHIP 0x2002
#define TARGET_LONGOPTS \
    {"probe", required_argument, NULL, TARGET_OPT_PROBE}, \
    {"chip", required_argument, NULL, TARGET_OPT_CHIP}

/** Help lines for the shared options. */
#define TARGET_OPTIONS_HELP \
    "      --probe P   auto (default: the only attached probe), VID:PID[:SERIAL],\n" \
    "                  or a driver selector such as stlink-tcp:127.0.0.1:7184\n" \
    "      --chip C    chip name (stm32g431rb, STM32G431RBTx); default: identified\n"

struct target_args {
    const char *probe;
    const char *chip;
};

/** Parse an address or length: decimal, 0x hex, or 0 octal; the whole text must be a
 * number. Returns 0, or -1 when it is not one. */
int target_parse_u64(const char *text, uint64_t *value);

/** Open a session for `args` with ESPCTL_FLASH_* attach flags; on failure the error
 * is reported and the exit code returned (*session stays NULL). */
int target_open(struct cli *cli, const struct target_args *args, uint32_t flags,
                espctl_flash_session **session);

/** Add "chip"/"probe"/"target" members to the result object. */
void target_result(struct cli *cli, const struct target_args *args, const espctl_flash_session *s);

#endif
