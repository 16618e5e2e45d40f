/*
 * cmd_plugins.c — `espctl plugins list`: what the registry loaded and rejected.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char plugins_help[] =
    "usage: espctl plugins [list] [--json]\n"
    "\n"
    "List every plugin file the registry found, in search order: loaded plugins\n"
    "with their components (probe drivers, flash targets, chip families), and\n"
    "rejected ones with the reason. Search order: --plugin-path, ESPCTL_PLUGIN_PATH,\n"
    "plugin_paths in the config file, then the installed plugin directory.\n"
    "\n"
    "options:\n"
    "      --json   one {\"type\":\"plugin\",...} line per plugin, then the result\n"
    "  -h, --help   show this help\n";

/* "kind:name" pairs joined by ", " (malloc'd), or NULL when out of memory. */
static char *components_text(espctl_ctx *ctx, uint32_t index, uint32_t count)
{
    char *text = calloc(1, 1);
    size_t length = 0;
    for (uint32_t c = 0; text != NULL && c < count; c++) {
        struct espctl_component_info info = {.hdr = ESPCTL_ABI_HDR(struct espctl_component_info)};
        if (espctl_plugin_component(ctx, index, c, &info) != ESPCTL_OK)
            continue;
        const char *kind = info.kind != NULL ? info.kind : "?";
        const char *name = info.name != NULL ? info.name : "?";
        size_t add = strlen(kind) + strlen(name) + 3; /* ", " and ':' */
        char *grown = realloc(text, length + add + 1);
        if (grown == NULL) {
            free(text);
            return NULL;
        }
        text = grown;
        length += (size_t)snprintf(text + length, add + 1, "%s%s:%s", length > 0 ? ", " : "",
                                   kind, name);
    }
    return text;
}

static json_t *components_json(espctl_ctx *ctx, uint32_t index, uint32_t count)
{
    json_t *list = json_array();
    for (uint32_t c = 0; list != NULL && c < count; c++) {
        struct espctl_component_info info = {.hdr = ESPCTL_ABI_HDR(struct espctl_component_info)};
        if (espctl_plugin_component(ctx, index, c, &info) != ESPCTL_OK)
            continue;
        json_array_append_new(list, json_pack("{s:o, s:o, s:o}", "kind", cli_json_text(info.kind),
                                              "name", cli_json_text(info.name), "description",
                                              cli_json_text(info.description)));
    }
    return list;
}

static const char *status_name(int32_t status)
{
    return status == ESPCTL_PLUGIN_LOADED ? "loaded" : "rejected";
}

static json_t *plugin_json(espctl_ctx *ctx, uint32_t index, const struct espctl_plugin_info *info)
{
    char abi[16];
    snprintf(abi, sizeof abi, "%u.%u", (unsigned)info->abi_major, (unsigned)info->abi_minor);
    json_t *error = info->error != 0 ? json_string(espctl_error_name(info->error)) : json_null();
    return json_pack("{s:s, s:o, s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "type", "plugin",
                     "name", cli_json_text(info->name), "version", cli_json_text(info->version),
                     "abi", abi, "status", status_name(info->status), "path",
                     cli_json_text(info->path), "description", cli_json_text(info->description),
                     "reason", cli_json_text(info->reason), "error", error, "components",
                     components_json(ctx, index, info->component_count));
}

static int list_plugins(struct cli *cli)
{
    espctl_ctx *ctx;
    int rc = cli_context(cli, &ctx);
    if (rc != CLI_EXIT_OK)
        return rc;

    static const char *const headers[] = {"NAME", "VERSION", "ABI", "STATUS", "PATH",
                                          "COMPONENTS"};
    struct cli_table *table = cli_table_new(6, headers);
    if (table == NULL)
        return cli_failf(cli, ESPCTL_E_NOMEM, "out of memory");

    uint32_t count = espctl_plugin_count(ctx);
    uint32_t loaded = 0, rejected = 0;
    for (uint32_t i = 0; i < count; i++) {
        struct espctl_plugin_info info = {.hdr = ESPCTL_ABI_HDR(struct espctl_plugin_info)};
        if (espctl_plugin_get(ctx, i, &info) != ESPCTL_OK)
            continue;
        if (info.status == ESPCTL_PLUGIN_LOADED)
            loaded++;
        else
            rejected++;
        if (cli->json) {
            cli_json_line(cli, plugin_json(ctx, i, &info));
            continue;
        }
        char abi[16];
        snprintf(abi, sizeof abi, "%u.%u", (unsigned)info.abi_major, (unsigned)info.abi_minor);
        char *components = info.status == ESPCTL_PLUGIN_LOADED
                               ? components_text(ctx, i, info.component_count)
                               : NULL;
        char reason[1100];
        snprintf(reason, sizeof reason, "rejected: %s", info.reason != NULL ? info.reason : "?");
        const char *cells[] = {info.name, info.version, abi, status_name(info.status), info.path,
                               info.status == ESPCTL_PLUGIN_LOADED ? components : reason};
        rc = cli_table_add(table, cells);
        free(components);
        if (rc != ESPCTL_OK) {
            cli_table_free(table);
            return cli_failf(cli, ESPCTL_E_NOMEM, "out of memory");
        }
    }

    if (!cli->json) {
        if (count == 0) {
            cli_say(cli, "no plugins found");
            cli_hint(cli, "hint: point --plugin-path or ESPCTL_PLUGIN_PATH at a directory "
                          "of espctl plugins (*.so)");
        } else {
            cli_table_print(table, cli->out);
        }
    }
    cli_table_free(table);
    cli_result_set(cli, "plugins", json_integer(count));
    cli_result_set(cli, "loaded", json_integer(loaded));
    cli_result_set(cli, "rejected", json_integer(rejected));
    return CLI_EXIT_OK;
}

int cmd_plugins(struct cli *cli, int argc, char **argv)
{
    static const struct option longopts[] = {CLI_COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
    int opt;

    cli_getopt_reset();
    while ((opt = cli_getopt(cli, argc, argv, "h", longopts, plugins_help)) != -1)
        return opt == CLI_OPT_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (optind < argc && strcmp(argv[optind], "list") != 0)
        return cli_usage_error(cli, plugins_help, "unknown action '%s'", argv[optind]);
    if (argc - optind > 1)
        return cli_usage_error(cli, plugins_help, "unexpected argument '%s'", argv[optind + 1]);
    return list_plugins(cli);
}
