/* Validating a plugin's components and registering them per kind. */
#include "core_ctx.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A plugin listing more than this is treated as an unterminated array. */
#define MAX_COMPONENTS_PER_PLUGIN 256

#define MANDATORY_END(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))

const char *core_component_kind_name(int32_t kind)
{
    switch (kind) {
    case ESPCTL_COMPONENT_PROBE_DRIVER:
        return "probe-driver";
    case ESPCTL_COMPONENT_FLASH_TARGET:
        return "flash-target";
    case ESPCTL_COMPONENT_CHIP_FAMILY:
        return "chip-family";
    default:
        return "unknown";
    }
}

static struct core_ptr_array *kind_array(espctl_ctx *ctx, int32_t kind)
{
    switch (kind) {
    case ESPCTL_COMPONENT_PROBE_DRIVER:
        return &ctx->probe_drivers;
    case ESPCTL_COMPONENT_FLASH_TARGET:
        return &ctx->flash_targets;
    case ESPCTL_COMPONENT_CHIP_FAMILY:
        return &ctx->chip_families;
    default:
        return NULL;
    }
}

static size_t vtable_size(int32_t kind)
{
    switch (kind) {
    case ESPCTL_COMPONENT_PROBE_DRIVER:
        return sizeof(struct espctl_probe_driver);
    case ESPCTL_COMPONENT_FLASH_TARGET:
        return sizeof(struct espctl_flash_target);
    default:
        return sizeof(struct espctl_chip_family);
    }
}

static int reject(struct core_plugin *plugin, int code, const char *fmt, ...) CORE_PRINTF(3, 4);

static int reject(struct core_plugin *plugin, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *reason = NULL;
    if (vasprintf(&reason, fmt, ap) < 0)
        reason = NULL;
    va_end(ap);
    plugin->status = ESPCTL_PLUGIN_REJECTED;
    plugin->error = code;
    free(plugin->reason);
    plugin->reason = reason;
    if (!reason)
        return ESPCTL_E_NOMEM;
    core_log(plugin->ctx, ESPCTL_LOG_WARN, "core", "plugin %s rejected: %s", plugin->path, reason);
    return code;
}

static int check_hdr(struct core_plugin *plugin, uint32_t index, const char *what,
                     const struct espctl_abi_hdr *hdr, size_t mandatory)
{
    if (!core_abi_compatible(hdr->abi_major, hdr->abi_minor, ESPCTL_PLUGIN_ABI_MAJOR,
                             ESPCTL_PLUGIN_ABI_MINOR))
        return reject(plugin, ESPCTL_E_ABI, "component %u: %s ABI %u.%u is not compatible "
                      "with core ABI %d.%d", index, what, hdr->abi_major, hdr->abi_minor,
                      ESPCTL_PLUGIN_ABI_MAJOR, ESPCTL_PLUGIN_ABI_MINOR);
    if (hdr->struct_size < mandatory)
        return reject(plugin, ESPCTL_E_ABI, "component %u: %s struct_size %u is smaller than "
                      "its mandatory members (%zu bytes)", index, what, hdr->struct_size,
                      mandatory);
    return 0;
}

/* Fills `out` from one component descriptor, or rejects the plugin. */
static int read_component(struct core_plugin *plugin, uint32_t index,
                          const struct espctl_component *component, struct core_component *out)
{
    int rc = check_hdr(plugin, index, "component descriptor", &component->hdr,
                       MANDATORY_END(struct espctl_component, vtable));
    if (rc)
        return rc;
    const char *kind_name = core_component_kind_name(component->kind);
    if (strcmp(kind_name, "unknown") == 0)
        return reject(plugin, ESPCTL_E_ABI, "component %u: unknown kind %d", index,
                      component->kind);
    if (!component->vtable)
        return reject(plugin, ESPCTL_E_ABI, "component %u (%s): vtable is NULL", index,
                      kind_name);

    /* name and description sit at the same offsets in every vtable kind. */
    const struct espctl_probe_driver *common = component->vtable;
    rc = check_hdr(plugin, index, kind_name, &common->hdr,
                   MANDATORY_END(struct espctl_probe_driver, name));
    if (rc)
        return rc;

    size_t size = vtable_size(component->kind);
    if (common->hdr.struct_size < size)
        size = common->hdr.struct_size;
    memset(&out->vtable, 0, sizeof out->vtable);
    memcpy(&out->vtable, component->vtable, size);
    out->vtable.probe_driver.hdr.struct_size = (uint32_t)size;

    out->kind = component->kind;
    out->plugin = plugin;
    out->original = component->vtable;
    out->name = out->vtable.probe_driver.name;
    out->description = ESPCTL_HAS(&out->vtable.probe_driver, struct espctl_probe_driver,
                                  description) ? out->vtable.probe_driver.description : NULL;
    if (!out->name || !out->name[0])
        return reject(plugin, ESPCTL_E_ABI, "component %u (%s): name is missing", index,
                      kind_name);
    return 0;
}

static const struct core_component *find_by_name(const struct core_ptr_array *array,
                                                  const char *name)
{
    for (uint32_t i = 0; i < array->count; i++) {
        const struct core_component *c = array->items[i];
        if (strcmp(c->name, name) == 0)
            return c;
    }
    return NULL;
}

static int check_unique(espctl_ctx *ctx, struct core_plugin *plugin,
                        const struct core_component *components, uint32_t index)
{
    const struct core_component *c = &components[index];
    for (uint32_t i = 0; i < index; i++) {
        if (components[i].kind == c->kind && strcmp(components[i].name, c->name) == 0)
            return reject(plugin, ESPCTL_E_ABI, "%s component \"%s\" is listed twice",
                          core_component_kind_name(c->kind), c->name);
    }
    const struct core_component *earlier = find_by_name(kind_array(ctx, c->kind), c->name);
    if (earlier)
        return reject(plugin, ESPCTL_E_ABI,
                      "%s component \"%s\" is already provided by %s (loaded before %s)",
                      core_component_kind_name(c->kind), c->name, earlier->plugin->path,
                      plugin->path);
    return 0;
}

int core_register_components(espctl_ctx *ctx, struct core_plugin *plugin,
                             const struct espctl_plugin_entry *entry)
{
    if (!ESPCTL_HAS_FN(entry, struct espctl_plugin_entry, components))
        return 0;
    const struct espctl_component *const *list = entry->components(plugin->plugin_data);
    if (!list)
        return 0;

    uint32_t count = 0;
    while (list[count]) {
        if (++count > MAX_COMPONENTS_PER_PLUGIN)
            return reject(plugin, ESPCTL_E_ABI, "more than %d components (is the list "
                          "NULL-terminated?)", MAX_COMPONENTS_PER_PLUGIN);
    }
    if (count == 0)
        return 0;

    struct core_component *components = calloc(count, sizeof *components);
    if (!components)
        return ESPCTL_E_NOMEM;
    int rc = 0;
    for (uint32_t i = 0; !rc && i < count; i++) {
        rc = read_component(plugin, i, list[i], &components[i]);
        if (!rc)
            rc = check_unique(ctx, plugin, components, i);
    }
    uint32_t old_counts[3] = {ctx->probe_drivers.count, ctx->flash_targets.count,
                              ctx->chip_families.count};
    for (uint32_t i = 0; !rc && i < count; i++)
        rc = core_ptr_array_push(kind_array(ctx, components[i].kind), &components[i]);
    if (rc) {
        ctx->probe_drivers.count = old_counts[0];
        ctx->flash_targets.count = old_counts[1];
        ctx->chip_families.count = old_counts[2];
        free(components);
        return rc;
    }
    plugin->components = components;
    plugin->component_count = count;
    return 0;
}
