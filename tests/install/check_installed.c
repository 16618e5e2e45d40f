/* Runs against an installed libespctl: with ESPCTL_PLUGIN_PATH unset and no user
 * config, the out-of-tree plugin must load from <expected plugin dir>/oot.so.
 * Usage: check_installed EXPECTED_PLUGIN_DIR */
#include <espctl/espctl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s EXPECTED_PLUGIN_DIR\n", argv[0]);
        return 2;
    }
    if (getenv("ESPCTL_PLUGIN_PATH")) {
        fprintf(stderr, "ESPCTL_PLUGIN_PATH must be unset for this check\n");
        return 2;
    }
    char expected[4096];
    snprintf(expected, sizeof expected, "%s/oot.so", argv[1]);

    struct espctl_ctx_options opts = {.hdr = ESPCTL_ABI_HDR(struct espctl_ctx_options),
                                      .flags = ESPCTL_CTX_NO_USER_CONFIG};
    espctl_ctx *ctx = NULL;
    int rc = espctl_ctx_new(&ctx, &opts);
    if (rc != 0) {
        fprintf(stderr, "espctl_ctx_new: %s: %s\n", espctl_error_name(rc), espctl_last_error());
        return 1;
    }
    int found = 0;
    for (uint32_t i = 0; i < espctl_plugin_count(ctx); i++) {
        struct espctl_plugin_info info = {.hdr = ESPCTL_ABI_HDR(struct espctl_plugin_info)};
        if (espctl_plugin_get(ctx, i, &info) != 0)
            continue;
        printf("%s %s %s%s%s\n", info.status == ESPCTL_PLUGIN_LOADED ? "loaded  " : "rejected",
               info.name, info.path, info.reason ? ": " : "", info.reason ? info.reason : "");
        if (strcmp(info.name, "oot") == 0 && info.status == ESPCTL_PLUGIN_LOADED &&
            strcmp(info.path, expected) == 0)
            found = 1;
    }
    espctl_probe_list *list = NULL;
    int probe = 0;
    if (espctl_probes_list(ctx, &list) == 0) {
        for (uint32_t i = 0; i < espctl_probe_list_count(list); i++) {
            if (strcmp(espctl_probe_list_get(list, i)->selector, "oot:1") == 0)
                probe = 1;
        }
        espctl_probe_list_free(list);
    }
    espctl_ctx_free(ctx);
    if (!found || !probe) {
        fprintf(stderr, "out-of-tree plugin not loaded from %s (loaded: %d, probe: %d)\n",
                expected, found, probe);
        return 1;
    }
    printf("ok: oot loaded from %s\n", expected);
    return 0;
}
