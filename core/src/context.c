/* espctl_ctx: options, configuration, plugin loading, cancellation. */
#include "core_ctx.h"

#include <stdlib.h>
#include <string.h>

static int read_options(struct espctl_ctx_options *out, const struct espctl_ctx_options *opts)
{
    memset(out, 0, sizeof *out);
    out->log_level = ESPCTL_LOG_INFO;
    if (!opts)
        return 0;
    if (opts->hdr.abi_major != ESPCTL_PLUGIN_ABI_MAJOR)
        return core_error(ESPCTL_E_ABI, "espctl_ctx_options: ABI major %u, library is %d",
                          opts->hdr.abi_major, ESPCTL_PLUGIN_ABI_MAJOR);
    if (opts->hdr.struct_size < sizeof opts->hdr)
        return core_error(ESPCTL_E_INVAL, "espctl_ctx_options: struct_size %u is too small",
                          opts->hdr.struct_size);
    size_t size = opts->hdr.struct_size < sizeof *out ? opts->hdr.struct_size : sizeof *out;
    memcpy(out, opts, size);
    if (!ESPCTL_HAS(opts, struct espctl_ctx_options, log_level))
        out->log_level = ESPCTL_LOG_INFO;
    return 0;
}

static void free_strings(struct core_ptr_array *array)
{
    for (uint32_t i = 0; i < array->count; i++)
        free(array->items[i]);
    core_ptr_array_release(array);
}

static int load_plugins(espctl_ctx *ctx, const char *const *front_end_paths)
{
    struct core_ptr_array dirs = {0};
    struct core_ptr_array files = {0};
    int rc = core_plugin_dirs(ctx, front_end_paths, &dirs);
    if (!rc)
        rc = core_plugin_files(ctx, &dirs, &files);
    for (uint32_t i = 0; !rc && i < files.count; i++)
        rc = core_load_plugin(ctx, files.items[i]);
    free_strings(&dirs);
    free_strings(&files);
    if (rc == ESPCTL_E_NOMEM)
        return core_error(rc, "out of memory while loading plugins");
    return rc;
}

ESPCTL_API int espctl_ctx_new(espctl_ctx **out, const struct espctl_ctx_options *opts)
{
    if (!out)
        return core_error(ESPCTL_E_INVAL, "espctl_ctx_new: ctx is NULL");
    *out = NULL;
    struct espctl_ctx_options o;
    int rc = read_options(&o, opts);
    if (rc)
        return rc;

    espctl_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return core_error(ESPCTL_E_NOMEM, "out of memory creating a context");
    ctx->flags = o.flags;
    ctx->log_level = o.log_level;
    ctx->log_cb = o.log_cb;
    ctx->log_user = o.log_user;
    ctx->event_cb = o.event_cb;
    ctx->event_user = o.event_user;
    atomic_init(&ctx->cancelled, 0);

    rc = core_config_load(&ctx->config, o.config_path,
                          !(ctx->flags & ESPCTL_CTX_NO_USER_CONFIG));
    if (rc) {
        free(ctx);
        return rc == ESPCTL_E_NOMEM ? core_error(rc, "out of memory reading the config") : rc;
    }
    if (ctx->config.path)
        core_log(ctx, ESPCTL_LOG_DEBUG, "core", "read config %s", ctx->config.path);

    rc = load_plugins(ctx, o.plugin_paths);
    if (rc) {
        espctl_ctx_free(ctx);
        return rc;
    }
    /* Plugin rejections are reported through the plugin list, not as a failure. */
    espctl_clear_error();
    *out = ctx;
    return 0;
}

ESPCTL_API void espctl_ctx_free(espctl_ctx *ctx)
{
    if (!ctx)
        return;
    core_unload_plugins(ctx);
    core_config_release(&ctx->config);
    free(ctx);
}

ESPCTL_API void espctl_cancel(espctl_ctx *ctx)
{
    if (ctx)
        atomic_store(&ctx->cancelled, 1);
}

ESPCTL_API int32_t espctl_cancelled(const espctl_ctx *ctx)
{
    return ctx ? (int32_t)atomic_load(&((espctl_ctx *)ctx)->cancelled) : 0;
}

ESPCTL_API const char *espctl_config_get(const espctl_ctx *ctx, const char *key)
{
    return ctx ? core_config_lookup(&ctx->config, key) : NULL;
}

ESPCTL_API const char *espctl_config_path(const espctl_ctx *ctx)
{
    return ctx ? ctx->config.path : NULL;
}
