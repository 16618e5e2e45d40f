/* espctl_probes_list: every probe driver's enumerate, merged and de-duplicated. */
#include "core_ctx.h"

#include <stdlib.h>
#include <string.h>

struct espctl_probe_list {
    struct espctl_probe_desc *probes;
    uint32_t count;
    uint32_t capacity;
};

struct enumerate_state {
    espctl_ctx *ctx;
    const struct core_component *driver;
    struct espctl_probe_list *list;
    int rc;
};

static void free_desc_strings(struct espctl_probe_desc *d)
{
    free((char *)d->driver);
    free((char *)d->selector);
    free((char *)d->serial);
    free((char *)d->manufacturer);
    free((char *)d->product);
    free((char *)d->firmware);
    free((char *)d->port_path);
}

static int has_selector(const struct espctl_probe_list *list, const char *selector)
{
    for (uint32_t i = 0; i < list->count; i++) {
        if (strcmp(list->probes[i].selector, selector) == 0)
            return 1;
    }
    return 0;
}

static uint32_t desc_flags(uint32_t info_flags)
{
    uint32_t flags = 0;
    if (info_flags & ESPCTL_PROBE_INACCESSIBLE)
        flags |= ESPCTL_PROBE_DESC_INACCESSIBLE;
    if (info_flags & ESPCTL_PROBE_NETWORK)
        flags |= ESPCTL_PROBE_DESC_NETWORK;
    if (info_flags & ESPCTL_PROBE_SERIAL_PORT)
        flags |= ESPCTL_PROBE_DESC_SERIAL_PORT;
    return flags;
}

#define INFO_STR(info, member) \
    (ESPCTL_HAS(info, struct espctl_probe_info, member) ? (info)->member : NULL)

/* Copies one reported probe; returns non-zero to stop the driver on NOMEM. */
static int on_probe_found(void *user, const struct espctl_probe_info *info)
{
    struct enumerate_state *st = user;
    const char *driver_name = st->driver->name;
    if (!info || info->hdr.struct_size < sizeof info->hdr) {
        core_log(st->ctx, ESPCTL_LOG_MISBEHAVING, driver_name,
                 "enumerate reported a probe without a valid header");
        return 0;
    }
    const char *selector = INFO_STR(info, selector);
    if (!selector || !selector[0]) {
        core_log(st->ctx, ESPCTL_LOG_MISBEHAVING, driver_name,
                 "enumerate reported a probe without a selector");
        return 0;
    }
    if (has_selector(st->list, selector))
        return 0;
    if (st->list->count == st->list->capacity) {
        uint32_t capacity = st->list->capacity ? st->list->capacity * 2 : 8;
        struct espctl_probe_desc *probes =
            realloc(st->list->probes, capacity * sizeof *probes);
        if (!probes) {
            st->rc = ESPCTL_E_NOMEM;
            return 1;
        }
        st->list->probes = probes;
        st->list->capacity = capacity;
    }
    const char *reported_driver = INFO_STR(info, driver);
    int failed = 0;
    struct espctl_probe_desc d = {
        .hdr = ESPCTL_ABI_HDR(struct espctl_probe_desc),
        .driver = core_strdup_opt(reported_driver ? reported_driver : driver_name, &failed),
        .selector = core_strdup_opt(selector, &failed),
        .serial = core_strdup_opt(INFO_STR(info, serial), &failed),
        .manufacturer = core_strdup_opt(INFO_STR(info, manufacturer), &failed),
        .product = core_strdup_opt(INFO_STR(info, product), &failed),
        .firmware = core_strdup_opt(INFO_STR(info, firmware), &failed),
        .port_path = core_strdup_opt(INFO_STR(info, port_path), &failed),
        .vid = ESPCTL_HAS(info, struct espctl_probe_info, vid) ? info->vid : 0,
        .pid = ESPCTL_HAS(info, struct espctl_probe_info, pid) ? info->pid : 0,
        .flags = ESPCTL_HAS(info, struct espctl_probe_info, flags) ? desc_flags(info->flags) : 0,
    };
    if (failed) {
        free_desc_strings(&d);
        st->rc = ESPCTL_E_NOMEM;
        return 1;
    }
    st->list->probes[st->list->count++] = d;
    return 0;
}

ESPCTL_API int espctl_probes_list(espctl_ctx *ctx, espctl_probe_list **out)
{
    if (!out)
        return core_error(ESPCTL_E_INVAL, "espctl_probes_list: list is NULL");
    *out = NULL;
    if (!ctx)
        return core_error(ESPCTL_E_INVAL, "espctl_probes_list: ctx is NULL");
    struct espctl_probe_list *list = calloc(1, sizeof *list);
    if (!list)
        return core_error(ESPCTL_E_NOMEM, "out of memory listing probes");

    for (uint32_t i = 0; i < ctx->probe_drivers.count; i++) {
        const struct core_component *driver = ctx->probe_drivers.items[i];
        const struct espctl_probe_driver *vt = &driver->vtable.probe_driver;
        if (!vt->enumerate)
            continue;
        struct enumerate_state st = {.ctx = ctx, .driver = driver, .list = list};
        espctl_clear_error();
        int rc = vt->enumerate(vt->driver_data, on_probe_found, &st);
        if (st.rc == ESPCTL_E_NOMEM) {
            espctl_probe_list_free(list);
            return core_error(ESPCTL_E_NOMEM, "out of memory listing probes");
        }
        if (rc != 0)
            core_log(ctx, ESPCTL_LOG_WARN, driver->name, "enumerate failed: %s (%s)%s%s",
                     espctl_strerror(rc), espctl_error_name(rc),
                     espctl_last_error()[0] ? ": " : "", espctl_last_error());
    }
    espctl_clear_error();
    *out = list;
    return 0;
}

ESPCTL_API uint32_t espctl_probe_list_count(const espctl_probe_list *list)
{
    return list ? list->count : 0;
}

ESPCTL_API const struct espctl_probe_desc *espctl_probe_list_get(const espctl_probe_list *list,
                                                                 uint32_t index)
{
    if (!list || index >= list->count)
        return NULL;
    return &list->probes[index];
}

ESPCTL_API void espctl_probe_list_free(espctl_probe_list *list)
{
    if (!list)
        return;
    for (uint32_t i = 0; i < list->count; i++)
        free_desc_strings(&list->probes[i]);
    free(list->probes);
    free(list);
}
