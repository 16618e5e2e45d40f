/*
 * cmd_bundle.c — `espctl bundle inspect|verify|sign|extract|chips`.
 */
#include "cli.h"

#include "espctl/bundle.h"

#include <string.h>

static const char bundle_help[] =
    "usage: espctl bundle inspect BUNDLE [--json]\n"
    "       espctl bundle verify BUNDLE [--trusted-dir DIR] [--json]\n"
    "       espctl bundle sign BUNDLE --key KEY [--out PATH] [--json]\n"
    "       espctl bundle extract BUNDLE MEMBER DEST [--json]\n"
    "       espctl bundle chips [--json]\n"
    "\n"
    "inspect: check member hashes and show the manifest, segments and members.\n"
    "verify:  check hashes, the Ed25519 signature and that its key is trusted\n"
    "         (keys.trusted_dir). Exit 0 valid and trusted; 1 tampered (the message\n"
    "         names the member), unsigned, or signed by an untrusted key.\n"
    "sign:    add or replace the signature (written to a temporary file, then renamed).\n"
    "extract: write one member (e.g. files/firmware.bin) to DEST.\n"
    "chips:   list the Cortex-M chips `espctl build --target` knows.\n"
    "\n"
    "options:\n"
    "  -k, --key KEY          Ed25519 private key (PEM) for sign\n"
    "  -o, --out PATH         where sign writes (default: replace BUNDLE)\n"
    "      --trusted-dir DIR  trusted public keys for verify (default: keys.trusted_dir)\n"
    "      --json             print the result as JSON\n"
    "  -h, --help             show this help\n";

enum { OPT_TRUSTED = 0x2100 };

static int open_bundle(struct cli *cli, const char *path, espctl_ctx **ctx, espctl_bundle **b)
{
    int rc = cli_context(cli, ctx);
    if (rc != CLI_EXIT_OK)
        return rc;
    int err = espctl_bundle_open(*ctx, path, NULL, b);
    if (err == ESPCTL_OK)
        return CLI_EXIT_OK;
    rc = cli_fail(cli, err);
    /* A bundle that does not survive its own checks is a verification failure. */
    return err == ESPCTL_E_INTEGRITY || err == ESPCTL_E_FORMAT ? CLI_EXIT_FAILURE : rc;
}

/* ESP bundles: the esp32 plugin's description of each segment's image. */
static void describe_images(struct cli *cli, espctl_ctx *ctx, const espctl_bundle *b,
                            const struct espctl_bundle_info *info)
{
    json_t *images = json_array();
    for (uint32_t i = 0; i < info->segment_count; i++) {
        char *text = NULL;
        if (espctl_bundle_describe_segment(ctx, b, i, &text) != ESPCTL_OK) {
            if (!cli->json)
                fprintf(cli->out, "image       segment %u: %s\n", i, espctl_last_error());
            continue;
        }
        json_t *d = json_loads(text, 0, NULL);
        espctl_bundle_text_free(text);
        if (!d)
            continue;
        if (!cli->json) {
            json_t *app = json_object_get(d, "app");
            if (!json_is_object(app))
                app = json_object_get(d, "image");
            fprintf(cli->out, "image       %s, chip %s, entry %s\n", json_string_value(json_object_get(d, "format")),
                    json_string_value(json_object_get(d, "chip")) ? json_string_value(json_object_get(d, "chip")) : "?",
                    json_string_value(json_object_get(d, "entry")) ? json_string_value(json_object_get(d, "entry")) : "?");
            json_t *boot = json_object_get(d, "bootloader");
            if (json_is_object(boot))
                fprintf(cli->out, "  bootloader  0x%05llx %6lld bytes, sha256 %s\n",
                        (unsigned long long)json_integer_value(json_object_get(boot, "offset")),
                        json_integer_value(json_object_get(boot, "size")), json_string_value(json_object_get(boot, "sha256")));
            size_t k;
            json_t *p;
            json_array_foreach(json_object_get(d, "partition_table"), k, p)
                fprintf(cli->out, "  partition   %-16s 0x%06llx %8lld bytes\n", json_string_value(json_object_get(p, "label")),
                        (unsigned long long)json_integer_value(json_object_get(p, "offset")),
                        json_integer_value(json_object_get(p, "size")));
            if (json_is_object(app))
                fprintf(cli->out, "  app         0x%05llx %6lld bytes, %s %s %s, checksum %s, sha256 %s\n",
                        (unsigned long long)json_integer_value(json_object_get(app, "offset")),
                        json_integer_value(json_object_get(app, "size")),
                        json_string_value(json_object_get(app, "flash_mode")) ? json_string_value(json_object_get(app, "flash_mode")) : "?",
                        json_string_value(json_object_get(app, "flash_freq")) ? json_string_value(json_object_get(app, "flash_freq")) : "?",
                        json_string_value(json_object_get(app, "flash_size")) ? json_string_value(json_object_get(app, "flash_size")) : "?",
                        json_is_true(json_object_get(app, "checksum_ok")) ? "ok" : "BAD",
                        json_string_value(json_object_get(app, "sha256")));
            json_array_foreach(json_object_get(d, "segments"), k, p)
                fprintf(cli->out, "  segment     %s %8lld bytes %s\n", json_string_value(json_object_get(p, "address")),
                        json_integer_value(json_object_get(p, "size")), json_string_value(json_object_get(p, "kind")));
        }
        json_array_append_new(images, d);
    }
    cli_result_set(cli, "images", images);
}

static int do_inspect(struct cli *cli, const char *path)
{
    espctl_ctx *ctx;
    espctl_bundle *b = NULL;
    int rc = open_bundle(cli, path, &ctx, &b);
    if (rc != CLI_EXIT_OK)
        return rc;
    struct espctl_bundle_info info = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_info)};
    espctl_bundle_get_info(b, &info);
    json_t *manifest = json_loadb(info.manifest_json, info.manifest_size, 0, NULL);
    json_t *members = json_array();
    if (!cli->json) {
        fprintf(cli->out, "bundle      %s\n", path);
        fprintf(cli->out, "target      %s %s%s%s%s\n", info.target_kind, info.chip,
                info.probe_rs_chip ? " (probe-rs " : "", info.probe_rs_chip ? info.probe_rs_chip : "",
                info.probe_rs_chip ? ")" : "");
        fprintf(cli->out, "project     %s @ %s\n", info.project, info.ref);
        fprintf(cli->out, "job         %s, created %s, %s\n", info.job_id, info.created_at,
                info.build_provenance);
        fprintf(cli->out, "signature   %s\n", info.has_signature ? "present (run `espctl bundle verify`)" : "none");
        for (uint32_t i = 0; i < info.segment_count; i++) {
            struct espctl_bundle_segment s = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_segment)};
            espctl_bundle_get_segment(b, i, &s);
            fprintf(cli->out, "segment     0x%08llx %8llu bytes %s sha256 %s\n", (unsigned long long)s.offset,
                    (unsigned long long)s.size, s.file, s.sha256);
        }
    }
    static const char *const headers[] = {"MEMBER", "SIZE", "SHA256"};
    struct cli_table *table = cli_table_new(3, headers);
    for (uint32_t i = 0; i < info.member_count; i++) {
        struct espctl_bundle_member m = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_member)};
        espctl_bundle_get_member(b, i, &m);
        char size[32];
        snprintf(size, sizeof size, "%llu", (unsigned long long)m.size);
        const char *cells[] = {m.name, size, m.sha256};
        if (table)
            cli_table_add(table, cells);
        json_array_append_new(members, json_pack("{s:s, s:I, s:s}", "name", m.name, "size",
                                                 (json_int_t)m.size, "sha256", m.sha256));
    }
    if (!cli->json && table) {
        fputc('\n', cli->out);
        cli_table_print(table, cli->out);
    }
    cli_table_free(table);
    if (info.target_kind && strcmp(info.target_kind, "esp32") == 0)
        describe_images(cli, ctx, b, &info);
    cli_result_set(cli, "manifest", manifest);
    cli_result_set(cli, "members", members);
    cli_result_set(cli, "signed", json_boolean(info.has_signature));
    espctl_bundle_free(b);
    return CLI_EXIT_OK;
}

static int do_verify(struct cli *cli, const char *path, const char *trusted_dir)
{
    espctl_ctx *ctx;
    espctl_bundle *b = NULL;
    int rc = open_bundle(cli, path, &ctx, &b);
    if (rc != CLI_EXIT_OK) {
        cli_result_set(cli, "status", json_string("tampered"));
        return rc;
    }
    struct espctl_bundle_verify_result r = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_verify_result)};
    int err = espctl_bundle_verify(ctx, b, trusted_dir, &r);
    espctl_bundle_free(b);
    const char *status = err == ESPCTL_OK           ? "trusted"
                         : err == ESPCTL_E_UNTRUSTED ? "untrusted"
                         : err == ESPCTL_E_UNSIGNED  ? "unsigned"
                                                     : "tampered";
    cli_result_set(cli, "status", json_string(status));
    if (r.key_id[0])
        cli_result_set(cli, "key_id", json_string(r.key_id));
    if (err != ESPCTL_OK) {
        cli_fail(cli, err);
        return CLI_EXIT_FAILURE;
    }
    cli_result_set(cli, "trusted_key", cli_json_text(r.trusted_key));
    cli_say(cli, "%s: valid signature by trusted key %s (%s); all member hashes match", path, r.key_id,
            r.trusted_key);
    return CLI_EXIT_OK;
}

static int do_sign(struct cli *cli, const char *path, const char *key, const char *out)
{
    espctl_ctx *ctx;
    int rc = cli_context(cli, &ctx);
    if (rc != CLI_EXIT_OK)
        return rc;
    int err = espctl_bundle_sign(ctx, path, key, out);
    if (err != ESPCTL_OK) {
        rc = cli_fail(cli, err);
        return err == ESPCTL_E_INTEGRITY ? CLI_EXIT_FAILURE : rc;
    }
    cli_say(cli, "signed %s", out ? out : path);
    cli_result_set(cli, "path", cli_json_text(out ? out : path));
    return CLI_EXIT_OK;
}

static int do_extract(struct cli *cli, const char *path, const char *member, const char *dest)
{
    espctl_ctx *ctx;
    espctl_bundle *b = NULL;
    int rc = open_bundle(cli, path, &ctx, &b);
    if (rc != CLI_EXIT_OK)
        return rc;
    int err = espctl_bundle_extract(b, member, dest);
    espctl_bundle_free(b);
    if (err != ESPCTL_OK)
        return cli_fail(cli, err);
    cli_say(cli, "wrote %s to %s", member, dest);
    cli_result_set(cli, "path", cli_json_text(dest));
    return CLI_EXIT_OK;
}

static int do_chips(struct cli *cli)
{
    static const char *const headers[] = {"CHIP", "PROBE-RS", "FLASH", "RAM"};
    struct cli_table *table = cli_table_new(4, headers);
    json_t *list = json_array();
    for (uint32_t i = 0; i < espctl_chip_count(); i++) {
        struct espctl_chip_info c = {.hdr = ESPCTL_ABI_HDR(struct espctl_chip_info)};
        if (espctl_chip_get(i, &c) != ESPCTL_OK)
            continue;
        char flash[16], ram[16];
        snprintf(flash, sizeof flash, "%u KiB", c.flash_size / 1024);
        snprintf(ram, sizeof ram, "%u KiB", c.ram_size / 1024);
        const char *cells[] = {c.name, c.probe_rs_chip, flash, ram};
        if (table)
            cli_table_add(table, cells);
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:i, s:i}", "name", c.name, "probe_rs_chip",
                                              c.probe_rs_chip, "family", c.family, "flash_size",
                                              (int)c.flash_size, "ram_size", (int)c.ram_size));
    }
    if (!cli->json && table)
        cli_table_print(table, cli->out);
    cli_table_free(table);
    cli_result_set(cli, "chips", list);
    return CLI_EXIT_OK;
}

int cmd_bundle(struct cli *cli, int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        {"key", required_argument, NULL, 'k'},
        {"out", required_argument, NULL, 'o'},
        {"trusted-dir", required_argument, NULL, OPT_TRUSTED},
        {NULL, 0, NULL, 0}};
    const char *key = NULL, *out = NULL, *trusted = NULL;
    int opt;
    cli_getopt_reset();
    while ((opt = cli_getopt(cli, argc, argv, "hk:o:", longopts, bundle_help)) != -1) {
        switch (opt) {
        case 'k': key = optarg; break;
        case 'o': out = optarg; break;
        case OPT_TRUSTED: trusted = optarg; break;
        case CLI_OPT_HELP: return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (optind >= argc)
        return cli_usage_error(cli, bundle_help, "missing action (inspect, verify, sign, extract, chips)");
    const char *action = argv[optind];
    int operands = argc - optind - 1;
    char **arg = argv + optind + 1;
    if ((key || out) && strcmp(action, "sign") != 0)
        return cli_usage_error(cli, bundle_help, "--key/--out apply to sign only");
    if (trusted && strcmp(action, "verify") != 0)
        return cli_usage_error(cli, bundle_help, "--trusted-dir applies to verify only");
    if (strcmp(action, "chips") == 0)
        return operands == 0 ? do_chips(cli) : cli_usage_error(cli, bundle_help, "chips takes no arguments");
    if (strcmp(action, "extract") == 0) {
        if (operands != 3)
            return cli_usage_error(cli, bundle_help, "extract takes BUNDLE MEMBER DEST");
        return do_extract(cli, arg[0], arg[1], arg[2]);
    }
    if (strcmp(action, "inspect") != 0 && strcmp(action, "verify") != 0 && strcmp(action, "sign") != 0)
        return cli_usage_error(cli, bundle_help, "unknown action '%s'", action);
    if (operands != 1)
        return cli_usage_error(cli, bundle_help, "%s takes exactly one BUNDLE", action);
    if (strcmp(action, "inspect") == 0)
        return do_inspect(cli, arg[0]);
    if (strcmp(action, "verify") == 0)
        return do_verify(cli, arg[0], trusted);
    if (!key)
        return cli_usage_error(cli, bundle_help, "sign needs --key KEY");
    return do_sign(cli, arg[0], key, out);
}
