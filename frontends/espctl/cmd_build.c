/*
 * cmd_build.c — `espctl build --rust-elf ELF --target CHIP`: a flash bundle from a
 * Cortex-M or ESP ELF built on this machine (path C).
 */
#include "cli.h"

#include "espctl/bundle.h"

#include <string.h>

static const char build_help[] =
    "usage: espctl build --rust-elf ELF --target CHIP [--out PATH] [--build-meta FILE]\n"
    "                    [--project NAME] [--sign-key KEY] [--sbom-deps FILE] [--json]\n"
    "                    [--bootloader BIN] [--partition-table CSV|BIN] [--flash-mode M]\n"
    "                    [--flash-freq F] [--flash-size S]\n"
    "\n"
    "Package an ELF you built (Rust or C, Cortex-M) as a flash bundle: firmware.elf,\n"
    "firmware.bin and firmware.hex (identical to objcopy's), manifest.json with SHA-256\n"
    "of every member, sbom.json, and an Ed25519 signature when a key is given or\n"
    "keys.signing_key is configured. Set SOURCE_DATE_EPOCH for byte-reproducible output.\n"
    "Bad input (not an ELF32/ARM little-endian file, > 16 MiB, overlapping segments,\n"
    "build meta > 64 KiB, unknown chip, unwritable output) exits 2 and writes nothing.\n"
    "ESP chips (esp32, esp32s2, esp32s3, esp32c2, esp32c3, esp32c6, esp32h2): the esp32\n"
    "plugin makes an ESP-IDF app image (as `espflash save-image --merge`) and the bundle's\n"
    "one segment is the merged image at 0x0: bootloader, partition table at 0x8000, app.\n"
    "\n"
    "options:\n"
    "      --rust-elf ELF     the linked firmware ELF (required)\n"
    "  -t, --target CHIP      chip, e.g. STM32G431RB (see `espctl bundle chips`)\n"
    "  -o, --out PATH         output (default: <elf name>-flash-bundle.tar.gz next to the ELF)\n"
    "      --build-meta FILE  free text stored as build_meta (at most 64 KiB)\n"
    "      --project NAME     build.project (default: the ELF name)\n"
    "      --sign-key KEY     Ed25519 private key (PEM) to sign with\n"
    "      --sbom-deps FILE   JSON array of {name, version[, purl]} for sbom.json\n"
    "      --bootloader BIN   ESP: second-stage bootloader image (default: config esp32.bootloader)\n"
    "      --partition-table CSV|BIN  ESP: partition table (default: nvs, phy_init, factory at 0x10000)\n"
    "      --flash-mode M     ESP: qio, qout, dio or dout (default dio)\n"
    "      --flash-freq F     ESP: SPI flash clock, e.g. 80m (default: 80m where the chip has it)\n"
    "      --flash-size S     ESP: flash size, e.g. 4MB (default: the chip's)\n"
    "      --json             print the result as JSON\n"
    "  -h, --help             show this help\n";

enum { OPT_ELF = 0x2000, OPT_META, OPT_PROJECT, OPT_KEY, OPT_DEPS, OPT_BOOT, OPT_PARTS, OPT_MODE, OPT_FREQ, OPT_SIZE };

int cmd_build(struct cli *cli, int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_COMMON_LONGOPTS,
        {"rust-elf", required_argument, NULL, OPT_ELF},
        {"target", required_argument, NULL, 't'},
        {"out", required_argument, NULL, 'o'},
        {"build-meta", required_argument, NULL, OPT_META},
        {"project", required_argument, NULL, OPT_PROJECT},
        {"sign-key", required_argument, NULL, OPT_KEY},
        {"sbom-deps", required_argument, NULL, OPT_DEPS},
        {"bootloader", required_argument, NULL, OPT_BOOT},
        {"partition-table", required_argument, NULL, OPT_PARTS},
        {"flash-mode", required_argument, NULL, OPT_MODE},
        {"flash-freq", required_argument, NULL, OPT_FREQ},
        {"flash-size", required_argument, NULL, OPT_SIZE},
        {NULL, 0, NULL, 0}};
    struct espctl_bundle_create_options o = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_create_options)};
    int opt;
    cli_getopt_reset();
    while ((opt = cli_getopt(cli, argc, argv, "ht:o:", longopts, build_help)) != -1) {
        switch (opt) {
        case OPT_ELF: o.elf_path = optarg; break;
        case 't': o.chip = optarg; break;
        case 'o': o.out_path = optarg; break;
        case OPT_META: o.build_meta_path = optarg; break;
        case OPT_PROJECT: o.project = optarg; break;
        case OPT_KEY: o.sign_key_path = optarg; break;
        case OPT_DEPS: o.dependencies_path = optarg; break;
        case OPT_BOOT: o.bootloader_path = optarg; break;
        case OPT_PARTS: o.partition_table_path = optarg; break;
        case OPT_MODE: o.flash_mode = optarg; break;
        case OPT_FREQ: o.flash_freq = optarg; break;
        case OPT_SIZE: o.flash_size = optarg; break;
        case CLI_OPT_HELP: return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (optind < argc)
        return cli_usage_error(cli, build_help, "unexpected argument '%s'", argv[optind]);
    if (!o.elf_path)
        return cli_usage_error(cli, build_help,
                               "--rust-elf ELF is required (bundles from sources are built by the server)");
    if (!o.chip)
        return cli_usage_error(cli, build_help, "--target CHIP is required");

    espctl_ctx *ctx;
    int rc = cli_context(cli, &ctx);
    if (rc != CLI_EXIT_OK)
        return rc;
    struct espctl_bundle_create_result r = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_create_result)};
    int err = espctl_bundle_create(ctx, &o, &r);
    if (err != ESPCTL_OK)
        return cli_fail(cli, err);
    cli_say(cli, "wrote %s (%s; image %llu bytes at 0x%08llx; bundle %llu bytes)", r.path,
            r.is_signed ? "signed" : "unsigned", (unsigned long long)r.image_size,
            (unsigned long long)r.image_address, (unsigned long long)r.bundle_size);
    cli_result_set(cli, "path", cli_json_text(r.path));
    cli_result_set(cli, "signed", json_boolean(r.is_signed));
    cli_result_set(cli, "image_size", json_integer((json_int_t)r.image_size));
    cli_result_set(cli, "image_address", json_integer((json_int_t)r.image_address));
    cli_result_set(cli, "bundle_size", json_integer((json_int_t)r.bundle_size));
    if (!r.is_signed)
        cli_hint(cli, "hint: unsigned; sign with `espctl bundle sign %s --key KEY`", r.path);
    return CLI_EXIT_OK;
}
