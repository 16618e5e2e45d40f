/*
 * cmd_read.c — `espctl read ADDR LEN -o FILE`: copy target memory into a file.
 */
#include "cmd_target_common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Largest read in one command; memory beyond is not on any chip we flash. */
#define READ_MAX (256ull * 1024 * 1024)

static const char read_help[] =
    "usage: espctl read ADDR LEN -o FILE [--probe P] [--chip C] [--json]\n"
    "\n"
    "Read LEN bytes of target memory at ADDR (decimal or 0x hex) into FILE. The file\n"
    "is written next to its final name and renamed into place once complete.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE  where to write the bytes (required)\n"
    TARGET_OPTIONS_HELP
    "      --json         progress events and a JSON result\n"
    "  -h, --help         show this help\n";

/* Write buf to path through a temporary file in the same directory and a rename. */
static int write_file(struct cli *cli, const char *path, const uint8_t *buf, uint64_t len)
{
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp)
        return cli_failf(cli, ESPCTL_E_NOMEM, "out of memory");
    snprintf(tmp, n, "%s.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int rc = cli_failf(cli, ESPCTL_E_IO, "write: cannot create a file next to %s", path);
        free(tmp);
        return rc;
    }
    FILE *f = fdopen(fd, "wb");
    int ok = f && fwrite(buf, 1, (size_t)len, f) == len && fflush(f) == 0 && fsync(fd) == 0;
    if (f)
        ok = (fclose(f) == 0) && ok;
    else
        close(fd);
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        free(tmp);
        return cli_failf(cli, ESPCTL_E_IO, "write: cannot write %s", path);
    }
    free(tmp);
    return CLI_EXIT_OK;
}

int cmd_read(struct cli *cli, int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS, TARGET_LONGOPTS,
        {"output", required_argument, NULL, 'o'}, {NULL, 0, NULL, 0}};
    struct target_args args = {0};
    const char *out = NULL;
    int opt;
    cli_getopt_reset();
    while ((opt = cli_getopt(cli, argc, argv, "ho:", longopts, read_help)) != -1) {
        switch (opt) {
        case TARGET_OPT_PROBE: args.probe = optarg; break;
        case TARGET_OPT_CHIP: args.chip = optarg; break;
        case 'o': out = optarg; break;
        default: return opt == CLI_OPT_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
        }
    }
    uint64_t address, length;
    if (argc - optind != 2)
        return cli_usage_error(cli, read_help, "give ADDR LEN");
    if (target_parse_u64(argv[optind], &address))
        return cli_usage_error(cli, read_help, "ADDR '%s' is not a number", argv[optind]);
    if (target_parse_u64(argv[optind + 1], &length) || length == 0 || length > READ_MAX)
        return cli_usage_error(cli, read_help, "LEN '%s' is not a number in 1..%llu", argv[optind + 1],
                               (unsigned long long)READ_MAX);
    if (!out || !*out)
        return cli_usage_error(cli, read_help, "missing -o FILE");

    uint8_t *buf = malloc((size_t)length);
    if (!buf)
        return cli_failf(cli, ESPCTL_E_NOMEM, "read: cannot hold %llu bytes", (unsigned long long)length);
    espctl_flash_session *session;
    int rc = target_open(cli, &args, ESPCTL_FLASH_ATTACH_NO_RESET, &session);
    if (rc != CLI_EXIT_OK) {
        free(buf);
        return rc;
    }
    int err = espctl_flash_read(session, address, buf, length);
    if (err) {
        espctl_flash_close(session);
        free(buf);
        return cli_fail(cli, err);
    }
    target_result(cli, &args, session);
    espctl_flash_close(session);
    rc = write_file(cli, out, buf, length);
    free(buf);
    if (rc != CLI_EXIT_OK)
        return rc;
    cli_result_set(cli, "address", json_integer((json_int_t)address));
    cli_result_set(cli, "length", json_integer((json_int_t)length));
    cli_result_set(cli, "output", cli_json_text(out));
    cli_say(cli, "read %llu bytes at 0x%08llx into %s", (unsigned long long)length,
            (unsigned long long)address, out);
    return CLI_EXIT_OK;
}
