/* The services each plugin receives (struct espctl_host), one instance per plugin so
 * its log lines and events carry the plugin's name. */
#include "core_ctx.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Longest single sleep between cancellation checks. */
#define SLEEP_SLICE_US 10000u

static struct core_plugin *plugin_of(const struct espctl_host *host)
{
    return host ? host->host_data : NULL;
}

static void host_log(const struct espctl_host *host, int32_t level, const char *message)
{
    struct core_plugin *plugin = plugin_of(host);
    if (plugin)
        core_log(plugin->ctx, level, plugin->name, "%s", message ? message : "");
}

static void host_emit(const struct espctl_host *host, const struct espctl_event *event)
{
    struct core_plugin *plugin = plugin_of(host);
    if (!plugin || !event || event->hdr.struct_size < sizeof event->hdr)
        return;
    /* Take only what the plugin's struct holds; the rest reads as absent. */
    struct espctl_event copy;
    memset(&copy, 0, sizeof copy);
    size_t size = event->hdr.struct_size < sizeof copy ? event->hdr.struct_size : sizeof copy;
    memcpy(&copy, event, size);
    if (!ESPCTL_HAS(event, struct espctl_event, address))
        copy.address = ESPCTL_NO_ADDRESS;
    copy.hdr.struct_size = sizeof copy;
    core_emit(plugin->ctx, &copy, plugin->name);
}

static int host_set_error(const struct espctl_host *host, int code, const char *message)
{
    (void)host;
    return core_error_str(code, message);
}

static const char *host_config_get(const struct espctl_host *host, const char *key)
{
    struct core_plugin *plugin = plugin_of(host);
    return plugin ? core_config_lookup(&plugin->ctx->config, key) : NULL;
}

static int32_t host_cancelled(const struct espctl_host *host)
{
    struct core_plugin *plugin = plugin_of(host);
    return plugin ? espctl_cancelled(plugin->ctx) : 0;
}

static uint64_t host_now_us(const struct espctl_host *host)
{
    (void)host;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int host_sleep_us(const struct espctl_host *host, uint64_t us)
{
    uint64_t deadline = host_now_us(host) + us;
    for (;;) {
        if (host_cancelled(host))
            return ESPCTL_E_CANCELLED;
        uint64_t now = host_now_us(host);
        if (now >= deadline)
            return 0;
        uint64_t slice = deadline - now < SLEEP_SLICE_US ? deadline - now : SLEEP_SLICE_US;
        struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)(slice * 1000u)};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
            if (host_cancelled(host))
                return ESPCTL_E_CANCELLED;
        }
    }
}

static const struct core_ptr_array *drivers_of(const struct espctl_host *host)
{
    struct core_plugin *plugin = plugin_of(host);
    return plugin ? &plugin->ctx->probe_drivers : NULL;
}

static uint32_t host_probe_driver_count(const struct espctl_host *host)
{
    const struct core_ptr_array *drivers = drivers_of(host);
    return drivers ? drivers->count : 0;
}

static const struct espctl_probe_driver *host_probe_driver_at(const struct espctl_host *host,
                                                              uint32_t index)
{
    const struct core_ptr_array *drivers = drivers_of(host);
    if (!drivers || index >= drivers->count)
        return NULL;
    const struct core_component *c = drivers->items[index];
    return c->original;
}

static const struct espctl_probe_driver *host_find_probe_driver(const struct espctl_host *host,
                                                                const char *name)
{
    const struct core_ptr_array *drivers = drivers_of(host);
    for (uint32_t i = 0; drivers && name && i < drivers->count; i++) {
        const struct core_component *c = drivers->items[i];
        if (strcmp(c->name, name) == 0)
            return c->original;
    }
    return NULL;
}

static uint32_t host_chip_family_count(const struct espctl_host *host)
{
    struct core_plugin *plugin = plugin_of(host);
    return plugin ? plugin->ctx->chip_families.count : 0;
}

static const struct espctl_chip_family *host_chip_family_at(const struct espctl_host *host,
                                                            uint32_t index)
{
    struct core_plugin *plugin = plugin_of(host);
    if (!plugin || index >= plugin->ctx->chip_families.count)
        return NULL;
    const struct core_component *c = plugin->ctx->chip_families.items[index];
    return c->original;
}

static const struct espctl_chip_family *host_find_chip_family(const struct espctl_host *host,
                                                              const char *chip_name)
{
    struct core_plugin *plugin = plugin_of(host);
    const struct core_component *c = plugin ? core_find_chip_family(plugin->ctx, chip_name) : NULL;
    return c ? c->original : NULL;
}

static int chip_matches(const struct espctl_chip_desc *chip, const char *wanted)
{
    if (!chip || chip->hdr.struct_size < sizeof chip->hdr)
        return 0;
    if (ESPCTL_HAS(chip, struct espctl_chip_desc, name) && chip->name &&
        strcasecmp(chip->name, wanted) == 0)
        return 1;
    return ESPCTL_HAS(chip, struct espctl_chip_desc, probe_rs_name) && chip->probe_rs_name &&
           strcasecmp(chip->probe_rs_name, wanted) == 0;
}

/* A family listing more chips than this is treated as an unterminated array. */
#define MAX_CHIPS_PER_FAMILY 4096

const struct core_component *core_find_chip_family(const espctl_ctx *ctx, const char *chip)
{
    if (!ctx || !chip)
        return NULL;
    for (uint32_t i = 0; i < ctx->chip_families.count; i++) {
        const struct core_component *c = ctx->chip_families.items[i];
        const struct espctl_chip_desc *const *chips = c->vtable.chip_family.chips;
        for (uint32_t j = 0; chips && chips[j] && j < MAX_CHIPS_PER_FAMILY; j++) {
            if (chip_matches(chips[j], chip))
                return c;
        }
    }
    return NULL;
}

void core_host_init(struct core_plugin *plugin)
{
    struct espctl_host *host = &plugin->host;
    memset(host, 0, sizeof *host);
    host->hdr = (struct espctl_abi_hdr)ESPCTL_ABI_HDR(struct espctl_host);
    host->host_data = plugin;
    host->log = host_log;
    host->emit = host_emit;
    host->set_error = host_set_error;
    host->config_get = host_config_get;
    host->cancelled = host_cancelled;
    host->now_us = host_now_us;
    host->sleep_us = host_sleep_us;
    host->probe_driver_count = host_probe_driver_count;
    host->probe_driver_at = host_probe_driver_at;
    host->find_probe_driver = host_find_probe_driver;
    host->chip_family_count = host_chip_family_count;
    host->chip_family_at = host_chip_family_at;
    host->find_chip_family = host_find_chip_family;
}
