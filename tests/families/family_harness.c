/* Fake host, plugin loader and the target-memory adapter over the simulated DAP. */
#include "family_harness.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/dap.h"

#define CSW_HI 0xA20000u         /* CSW bits 31:8 as OpenOCD and the probes send them */
#define ROUND_TRIP_NS 1000000ull /* ST-Link V2: about 1 ms per command round trip */

static char last_error[1024];
static char last_warning[1024];
static struct sim_target *clock_target; /* the host clock is the target's virtual clock */

static void host_log(const struct espctl_host *host, int32_t level, const char *message)
{
    (void)host;
    if (level >= ESPCTL_LOG_WARN)
        snprintf(last_warning, sizeof last_warning, "%s", message);
}

static void host_emit(const struct espctl_host *host, const struct espctl_event *event)
{
    (void)host;
    (void)event;
}

static int host_set_error(const struct espctl_host *host, int code, const char *message)
{
    (void)host;
    snprintf(last_error, sizeof last_error, "%s", message);
    return code;
}

static const char *host_config_get(const struct espctl_host *host, const char *key)
{
    (void)host;
    (void)key;
    return NULL;
}

static int32_t host_cancelled(const struct espctl_host *host)
{
    (void)host;
    return 0;
}

static uint64_t host_now_us(const struct espctl_host *host)
{
    (void)host;
    return clock_target ? clock_target->clock.now_ns / 1000u : 0;
}

static int host_sleep_us(const struct espctl_host *host, uint64_t us)
{
    (void)host;
    if (clock_target)
        sim_clock_advance(&clock_target->clock, us * 1000u);
    return 0;
}

static uint32_t host_no_count(const struct espctl_host *host)
{
    (void)host;
    return 0;
}

static const struct espctl_probe_driver *host_no_probe_at(const struct espctl_host *host,
                                                          uint32_t index)
{
    (void)host;
    (void)index;
    return NULL;
}

static const struct espctl_probe_driver *host_no_probe(const struct espctl_host *host,
                                                       const char *name)
{
    (void)host;
    (void)name;
    return NULL;
}

static const struct espctl_chip_family *host_no_family_at(const struct espctl_host *host,
                                                          uint32_t index)
{
    (void)host;
    (void)index;
    return NULL;
}

static const struct espctl_chip_family *host_no_family(const struct espctl_host *host,
                                                       const char *name)
{
    (void)host;
    (void)name;
    return NULL;
}

static const struct espctl_host fake_host = {
    .hdr = ESPCTL_ABI_HDR(struct espctl_host),
    .log = host_log,
    .emit = host_emit,
    .set_error = host_set_error,
    .config_get = host_config_get,
    .cancelled = host_cancelled,
    .now_us = host_now_us,
    .sleep_us = host_sleep_us,
    .probe_driver_count = host_no_count,
    .probe_driver_at = host_no_probe_at,
    .find_probe_driver = host_no_probe,
    .chip_family_count = host_no_count,
    .chip_family_at = host_no_family_at,
    .find_chip_family = host_no_family,
};

/* ----- target memory over the simulated DAP ----- */

static int mem_result(struct sim_target *t, enum sim_ack ack, const char *what, uint64_t address)
{
    if (ack == SIM_ACK_OK)
        return 0;
    sim_dap_dp_write(&t->dap, 0, 0x1Eu); /* ABORT: clear the sticky error, as a probe does */
    char text[128];
    snprintf(text, sizeof text, "%s at 0x%08llx", what, (unsigned long long)address);
    return host_set_error(&fake_host, ESPCTL_E_TARGET, text);
}

static uint64_t watched_address = UINT64_MAX;
static unsigned watched_reads;

void family_count_reads(uint32_t address)
{
    watched_address = address;
    watched_reads = 0;
}

unsigned family_reads(void) { return watched_reads; }

static int mem_read32(void *ctx, uint64_t address, uint32_t *value)
{
    struct sim_target *t = ctx;
    if (address == watched_address)
        watched_reads++;
    uint8_t b[4];
    sim_target_round_trip(t, 16, 4);
    int rc = mem_result(t, sim_dap_mem_read(&t->dap, 0, (uint32_t)address, 4, CSW_HI, b, 4),
                        "read32 failed", address);
    *value = sim_le_get(b, 4);
    return rc;
}

static int mem_write32(void *ctx, uint64_t address, uint32_t value)
{
    struct sim_target *t = ctx;
    uint8_t b[4];
    sim_le_put(b, 4, value);
    sim_target_round_trip(t, 20, 2);
    return mem_result(t, sim_dap_mem_write(&t->dap, 0, (uint32_t)address, 4, CSW_HI, b, 4),
                      "write32 failed", address);
}

static unsigned access_size(uint64_t address, uint32_t length)
{
    if ((address | length) % 4 == 0)
        return 4;
    return (address | length) % 2 == 0 ? 2 : 1;
}

static int mem_read(void *ctx, uint64_t address, uint8_t *buf, uint32_t length)
{
    struct sim_target *t = ctx;
    sim_target_round_trip(t, 16, length);
    return mem_result(t,
                      sim_dap_mem_read(&t->dap, 0, (uint32_t)address, access_size(address, length),
                                       CSW_HI, buf, length),
                      "block read failed", address);
}

static int mem_write(void *ctx, uint64_t address, const uint8_t *buf, uint32_t length,
                     uint32_t width)
{
    struct sim_target *t = ctx;
    sim_target_round_trip(t, 16 + length, 2);
    return mem_result(t,
                      sim_dap_mem_write(&t->dap, 0, (uint32_t)address, width / 8, CSW_HI, buf,
                                        length),
                      "block write failed", address);
}

/* ----- fixture ----- */

struct family_fixture *family_load(const char *plugin, const char *sim_chip)
{
    struct family_fixture *fx = calloc(1, sizeof *fx);
    assert_non_null(fx);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.so", FAMILY_PLUGIN_DIR, plugin);
    fx->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!fx->dl)
        fail_msg("dlopen %s: %s", path, dlerror());
    espctl_plugin_entry_fn entry_fn;
    *(void **)&entry_fn = dlsym(fx->dl, ESPCTL_PLUGIN_ENTRY_SYMBOL);
    assert_non_null(entry_fn);
    fx->entry = entry_fn();
    assert_string_equal(fx->entry->name, plugin);
    assert_int_equal(fx->entry->init(&fake_host, &fx->plugin_data), 0);
    for (const struct espctl_component *const *c = fx->entry->components(fx->plugin_data); *c; c++)
        if ((*c)->kind == ESPCTL_COMPONENT_CHIP_FAMILY &&
            !strcmp(((const struct espctl_chip_family *)(*c)->vtable)->name, plugin))
            fx->family = (*c)->vtable;
    assert_non_null(fx->family);
    const struct sim_chip *chip = sim_chip_find(sim_chip);
    assert_non_null(chip);
    fx->target = sim_target_new(chip);
    assert_non_null(fx->target);
    fx->target->clock.round_trip_ns = ROUND_TRIP_NS;
    clock_target = fx->target;
    /* Power up the debug port as a probe does at connect. */
    assert_int_equal(sim_dap_dp_write(&fx->target->dap, 4, 0x50000000u), SIM_ACK_OK);
    fx->mem = (struct espctl_target_mem){
        .hdr = ESPCTL_ABI_HDR(struct espctl_target_mem),
        .ctx = fx->target,
        .read32 = mem_read32,
        .write32 = mem_write32,
        .read = mem_read,
        .write = mem_write,
    };
    last_error[0] = last_warning[0] = '\0';
    return fx;
}

void family_open(struct family_fixture *fx)
{
    int rc = fx->family->identify(fx->family->family_data, &fx->mem, &fx->chip);
    if (rc)
        fail_msg("identify: %d %s", rc, last_error);
    rc = fx->family->flash_open(fx->family->family_data, fx->chip, &fx->mem, &fx->flash,
                                &fx->geometry);
    if (rc)
        fail_msg("flash_open: %d %s", rc, last_error);
}

void family_free(struct family_fixture *fx)
{
    if (!fx)
        return;
    if (fx->flash)
        fx->family->flash_close(fx->flash);
    fx->entry->deinit(fx->plugin_data);
    clock_target = NULL;
    sim_target_free(fx->target);
    dlclose(fx->dl);
    free(fx);
}

const char *family_last_error(void) { return last_error; }
const char *family_last_warning(void) { return last_warning; }

void family_fill(struct family_fixture *fx, uint32_t address, uint32_t len, uint8_t byte)
{
    struct sim_flash *fl = &fx->target->flash;
    assert_true(address >= fl->base && address - fl->base + len <= fl->size);
    memset(fl->array + (address - fl->base), byte, len);
}

uint8_t family_byte(struct family_fixture *fx, uint32_t address)
{
    struct sim_flash *fl = &fx->target->flash;
    assert_true(address >= fl->base && address - fl->base < fl->size);
    return fl->array[address - fl->base];
}

int family_all(struct family_fixture *fx, uint32_t address, uint32_t len, uint8_t byte)
{
    for (uint32_t i = 0; i < len; i++)
        if (family_byte(fx, address + i) != byte)
            return 0;
    return 1;
}

void family_fault(struct family_fixture *fx, const char *spec)
{
    char err[256];
    if (sim_faults_parse(&fx->target->faults, spec, err, sizeof err))
        fail_msg("fault spec %s: %s", spec, err);
    assert_int_equal(sim_target_apply_faults(fx->target), 0);
}

void family_assert_error(int rc, int code, ...)
{
    if (rc != code)
        fail_msg("expected error %d, got %d (%s)", code, rc, last_error);
    va_list ap;
    va_start(ap, code);
    for (const char *frag = va_arg(ap, const char *); frag; frag = va_arg(ap, const char *))
        if (!strstr(last_error, frag))
            fail_msg("error text '%s' lacks '%s'", last_error, frag);
    va_end(ap);
}
