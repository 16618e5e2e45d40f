/* Where the loaded libespctl.so lives, so the system plugin dir follows relocations. */
#include "core_ctx.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A hidden function: its address is always inside this library, never a PLT stub
 * in the executable (which an exported function's canonical address may be). */
static void libdir_anchor(void)
{
}

char *core_libdir(void)
{
    Dl_info info;
    if (dladdr((void *)libdir_anchor, &info) && info.dli_fname && info.dli_fname[0]) {
        char *resolved = realpath(info.dli_fname, NULL);
        if (resolved) {
            char *slash = strrchr(resolved, '/');
            if (slash && slash != resolved) {
                *slash = '\0';
                return resolved;
            }
            free(resolved);
        }
    }
    return strdup(ESPCTL_CORE_INSTALL_LIBDIR);
}

char *core_system_plugin_dir(void)
{
    char *libdir = core_libdir();
    if (!libdir)
        return NULL;
    char *dir = NULL;
    if (asprintf(&dir, "%s/%s", libdir, ESPCTL_CORE_PLUGIN_SUBDIR) < 0)
        dir = NULL;
    free(libdir);
    return dir;
}
