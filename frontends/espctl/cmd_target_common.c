/*
 * cmd_target_common.c — shared pieces of the flash, erase, reset and read commands.
 */
#include "cmd_target_common.h"

#include <errno.h>
#include <stdlib.h>

int target_parse_u64(const char *text, uint64_t *value)
{
    if (!text || !*text || *text == '-' || *text == '+')
        return -1;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 0);
    if (errno || !end || *end)
        return -1;
    *value = v;
    return 0;
}

int target_open(struct cli *cli, const struct target_args *args, uint32_t flags,
                espctl_flash_session **session)
{
    *session = NULL;
    espctl_ctx *ctx;
    int rc = cli_context(cli, &ctx);
    if (rc != CLI_EXIT_OK)
        return rc;
    struct espctl_flash_open_options opts = {
        .hdr = ESPCTL_ABI_HDR(struct espctl_flash_open_options),
        .chip = args->chip,
        .probe = args->probe,
        .flags = flags,
    };
    int err = espctl_flash_open(ctx, &opts, session);
    return err ? cli_fail(cli, err) : CLI_EXIT_OK;
}

void target_result(struct cli *cli, const struct target_args *args, const espctl_flash_session *s)
{
    cli_result_set(cli, "target", cli_json_text(espctl_flash_target_kind(s)));
    cli_result_set(cli, "chip", args->chip ? cli_json_text(args->chip) : json_null());
    cli_result_set(cli, "probe", cli_json_text(args->probe ? args->probe : "auto"));
}
