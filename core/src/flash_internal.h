/* core/src/flash_internal.h — the flash session shared by flash_session.c and flash_bundle.c. */
#ifndef ESPCTL_CORE_FLASH_INTERNAL_H
#define ESPCTL_CORE_FLASH_INTERNAL_H

#include "core_ctx.h"
#include "espctl/flash.h"

struct espctl_flash_session {
    espctl_ctx *ctx;
    const struct core_component *target;
    void *handle;
};

/** Open with an explicit target_json (the manifest's "target" object) or NULL. */
int core_flash_open(espctl_ctx *ctx, const struct espctl_flash_open_options *opts,
                    const char *target_json, espctl_flash_session **session);

#endif
