/* espctl_plugin_*: what the registry saw, written only inside the caller's struct_size. */
#include "core_ctx.h"

#define SET(info, type, member, value) \
    do { \
        if (ESPCTL_HAS(info, type, member)) \
            (info)->member = (value); \
    } while (0)

ESPCTL_API uint32_t espctl_plugin_count(const espctl_ctx *ctx)
{
    return ctx ? ctx->plugins.count : 0;
}

static const struct core_plugin *plugin_at(const espctl_ctx *ctx, uint32_t index)
{
    if (!ctx || index >= ctx->plugins.count)
        return NULL;
    return ctx->plugins.items[index];
}

ESPCTL_API int espctl_plugin_get(const espctl_ctx *ctx, uint32_t index,
                                 struct espctl_plugin_info *info)
{
    if (!info || info->hdr.struct_size < sizeof info->hdr)
        return core_error(ESPCTL_E_INVAL, "espctl_plugin_get: info or its struct_size is invalid");
    const struct core_plugin *p = plugin_at(ctx, index);
    if (!p)
        return core_error(ESPCTL_E_NOT_FOUND, "no plugin at index %u", index);
    SET(info, struct espctl_plugin_info, status, p->status);
    SET(info, struct espctl_plugin_info, error, p->error);
    SET(info, struct espctl_plugin_info, name, p->name);
    SET(info, struct espctl_plugin_info, version, p->version);
    SET(info, struct espctl_plugin_info, description, p->description);
    SET(info, struct espctl_plugin_info, path, p->path);
    SET(info, struct espctl_plugin_info, reason, p->reason);
    SET(info, struct espctl_plugin_info, abi_major, p->abi_major);
    SET(info, struct espctl_plugin_info, abi_minor, p->abi_minor);
    SET(info, struct espctl_plugin_info, component_count, p->component_count);
    return 0;
}

ESPCTL_API int espctl_plugin_component(const espctl_ctx *ctx, uint32_t index,
                                       uint32_t component, struct espctl_component_info *info)
{
    if (!info || info->hdr.struct_size < sizeof info->hdr)
        return core_error(ESPCTL_E_INVAL,
                          "espctl_plugin_component: info or its struct_size is invalid");
    const struct core_plugin *p = plugin_at(ctx, index);
    if (!p)
        return core_error(ESPCTL_E_NOT_FOUND, "no plugin at index %u", index);
    if (component >= p->component_count)
        return core_error(ESPCTL_E_NOT_FOUND, "plugin %s has no component %u", p->name,
                          component);
    const struct core_component *c = &p->components[component];
    SET(info, struct espctl_component_info, kind, core_component_kind_name(c->kind));
    SET(info, struct espctl_component_info, name, c->name);
    SET(info, struct espctl_component_info, description, c->description);
    return 0;
}
