/*
 * cmd_keys.c — `espctl keys generate|trust`: Ed25519 signing keys and trust anchors.
 */
#include "cli.h"

#include "espctl/bundle.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char keys_help[] =
    "usage: espctl keys generate [--out PATH] [--json]\n"
    "       espctl keys trust PUBKEY [--json]\n"
    "\n"
    "generate: create an Ed25519 key pair. The private key (PEM, mode 0600) goes to\n"
    "PATH (default: keys.signing_key from the config, else\n"
    "$XDG_CONFIG_HOME/espctl/keys/signing.pem), the public key to PATH.pub. Existing\n"
    "files are never overwritten.\n"
    "trust: copy a public key into the trusted-keys directory (keys.trusted_dir, else\n"
    "$XDG_CONFIG_HOME/espctl/trusted-keys) so `espctl bundle verify` accepts bundles\n"
    "it signed.\n"
    "\n"
    "options:\n"
    "  -o, --out PATH   where to write the private key (generate)\n"
    "      --json       print the result as JSON\n"
    "  -h, --help       show this help\n";

/* $XDG_CONFIG_HOME/espctl/<leaf> (or ~/.config/...), creating espctl/ and parents of leaf 0700. */
static int default_path(char *buf, size_t size, const char *leaf)
{
    const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
    int n = xdg && *xdg ? snprintf(buf, size, "%s/espctl/%s", xdg, leaf)
                        : snprintf(buf, size, "%s/.config/espctl/%s", home ? home : ".", leaf);
    if (n < 0 || (size_t)n >= size)
        return -1;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int bad = mkdir(buf, 0700) != 0 && errno != EEXIST;
        *p = '/';
        if (bad)
            return -1;
    }
    return 0;
}

static int keys_generate(struct cli *cli, const char *out)
{
    espctl_ctx *ctx;
    int rc = cli_context(cli, &ctx);
    if (rc != CLI_EXIT_OK)
        return rc;
    char path[ESPCTL_PATH_SIZE];
    if (!out)
        out = espctl_config_get(ctx, "keys.signing_key");
    if (!out) {
        if (default_path(path, sizeof path, "keys/signing.pem") != 0)
            return cli_failf(cli, ESPCTL_E_IO, "cannot create the default key directory: %s", strerror(errno));
        out = path;
    }
    char id[33];
    int err = espctl_keys_generate(out, NULL, id);
    if (err != ESPCTL_OK)
        return cli_fail(cli, err);
    cli_say(cli, "private key %s (mode 0600), public key %s.pub, key id %s", out, out, id);
    cli_hint(cli, "hint: trust it with `espctl keys trust %s.pub`", out);
    cli_result_set(cli, "private_key", cli_json_text(out));
    char pub[ESPCTL_PATH_SIZE + 8];
    snprintf(pub, sizeof pub, "%s.pub", out);
    cli_result_set(cli, "public_key", cli_json_text(pub));
    cli_result_set(cli, "key_id", json_string(id));
    return CLI_EXIT_OK;
}

static int keys_trust(struct cli *cli, const char *pubkey)
{
    espctl_ctx *ctx;
    int rc = cli_context(cli, &ctx);
    if (rc != CLI_EXIT_OK)
        return rc;
    char dir[ESPCTL_PATH_SIZE];
    const char *trusted = espctl_config_get(ctx, "keys.trusted_dir");
    if (!trusted) {
        if (default_path(dir, sizeof dir, "trusted-keys") != 0)
            return cli_failf(cli, ESPCTL_E_IO, "cannot create the trusted-keys directory: %s", strerror(errno));
        trusted = dir;
    }
    char installed[ESPCTL_PATH_SIZE];
    int err = espctl_keys_trust(ctx, pubkey, trusted, installed);
    if (err != ESPCTL_OK)
        return cli_fail(cli, err);
    cli_say(cli, "trusted %s (installed as %s)", pubkey, installed);
    cli_result_set(cli, "installed", cli_json_text(installed));
    return CLI_EXIT_OK;
}

int cmd_keys(struct cli *cli, int argc, char **argv)
{
    static const struct option longopts[] = {CLI_COMMON_LONGOPTS, {"out", required_argument, NULL, 'o'},
                                             {NULL, 0, NULL, 0}};
    const char *out = NULL;
    int opt;
    cli_getopt_reset();
    while ((opt = cli_getopt(cli, argc, argv, "ho:", longopts, keys_help)) != -1) {
        if (opt == 'o')
            out = optarg;
        else
            return opt == CLI_OPT_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    }
    if (optind >= argc)
        return cli_usage_error(cli, keys_help, "missing action (generate or trust)");
    const char *action = argv[optind];
    if (strcmp(action, "generate") == 0) {
        if (argc - optind > 1)
            return cli_usage_error(cli, keys_help, "unexpected argument '%s'", argv[optind + 1]);
        return keys_generate(cli, out);
    }
    if (strcmp(action, "trust") == 0) {
        if (out)
            return cli_usage_error(cli, keys_help, "--out applies to generate only");
        if (argc - optind != 2)
            return cli_usage_error(cli, keys_help, "trust takes exactly one PUBKEY");
        return keys_trust(cli, argv[optind + 1]);
    }
    return cli_usage_error(cli, keys_help, "unknown action '%s'", action);
}
