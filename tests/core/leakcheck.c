/* Creates and frees a context with every fixture plugin directory loaded (loaded and
 * rejected plugins alike), lists probes, and exits. Run under valgrind by ctest. */
#include "support.h"

#include <stdio.h>

int main(void)
{
    struct capture cap = {0};
    espctl_ctx *ctx = support_ctx(&cap, "good", "versions", "broken", "dup", "truncated", "enumfail",
                                  "shadow-first", "shadow-second", NULL);
    if (!ctx)
        return 1;
    espctl_probe_list *list = NULL;
    if (espctl_probes_list(ctx, &list) != 0)
        return 1;
    unsigned probes = espctl_probe_list_count(list);
    espctl_probe_list_free(list);
    unsigned plugins = espctl_plugin_count(ctx);
    espctl_ctx_free(ctx);
    printf("plugins seen: %u, probes: %u\n", plugins, probes);
    return plugins == 17 && probes == 4 ? 0 : 1;
}
