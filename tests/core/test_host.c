/* White-box tests of the host services a plugin receives, and of the ABI
 * compatibility rule with synthetic version numbers. Links the static core. */
#include "support.h"
#include "core_ctx.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

struct fixture {
    struct capture cap;
    espctl_ctx *ctx;
    const struct espctl_host *host;
};

static int setup(void **state)
{
    static struct fixture f;
    memset(&f, 0, sizeof f);
    f.ctx = support_ctx(&f.cap, "good", NULL);
    if (!f.ctx || f.ctx->plugins.count != 1)
        return -1;
    struct core_plugin *plugin = f.ctx->plugins.items[0];
    f.host = &plugin->host;
    *state = &f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    espctl_ctx_free(f->ctx);
    return 0;
}

static void abi_rule_same_major_and_minor_not_newer(void **state)
{
    (void)state;
    /* The core is 1.0 today, so an "older minor" plugin cannot exist yet; the rule is
     * checked here for a hypothetical core 1.3. */
    assert_true(core_abi_compatible(1, 0, 1, 0));
    assert_true(core_abi_compatible(1, 0, 1, 3));
    assert_true(core_abi_compatible(1, 2, 1, 3));
    assert_true(core_abi_compatible(1, 3, 1, 3));
    assert_false(core_abi_compatible(1, 4, 1, 3));
    assert_false(core_abi_compatible(1, 1, 1, 0));
    assert_false(core_abi_compatible(2, 0, 1, 3));
    assert_false(core_abi_compatible(0, 3, 1, 3));
}

static void host_header_is_current(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(f->host->hdr.struct_size, sizeof(struct espctl_host));
    assert_int_equal(f->host->hdr.abi_major, ESPCTL_PLUGIN_ABI_MAJOR);
    assert_int_equal(f->host->hdr.abi_minor, ESPCTL_PLUGIN_ABI_MINOR);
}

static void log_is_filtered_and_named(void **state)
{
    struct fixture *f = *state;
    f->ctx->log_level = ESPCTL_LOG_WARN;
    f->cap.log_count = 0;
    f->host->log(f->host, ESPCTL_LOG_INFO, "filtered out");
    f->host->log(f->host, ESPCTL_LOG_ERROR, "kept");
    f->host->log(f->host, ESPCTL_LOG_WARN, NULL);
    assert_int_equal(f->cap.log_count, 2);
    assert_string_equal(f->cap.logs[0].source, "good");
    assert_string_equal(f->cap.logs[0].message, "kept");
    assert_int_equal(f->cap.logs[0].level, ESPCTL_LOG_ERROR);
    assert_string_equal(f->cap.logs[1].message, "");
    f->ctx->log_level = ESPCTL_LOG_TRACE;
}

static void emit_sets_source_and_reads_only_inside_struct_size(void **state)
{
    struct fixture *f = *state;
    f->cap.event_count = 0;
    struct espctl_event full = {
        .hdr = ESPCTL_ABI_HDR(struct espctl_event),
        .kind = ESPCTL_EVENT_PROGRESS,
        .stage = "program",
        .source = "liar",
        .message = "half",
        .done = 50,
        .total = 100,
        .address = 0x08000000u,
    };
    f->host->emit(f->host, &full);
    struct espctl_event shortened = full;
    shortened.hdr.struct_size = (uint32_t)offsetof(struct espctl_event, message);
    f->host->emit(f->host, &shortened);
    assert_int_equal(f->cap.event_count, 2);
    assert_string_equal(f->cap.events[0].source, "good");
    assert_string_equal(f->cap.events[0].stage, "program");
    assert_string_equal(f->cap.events[0].message, "half");
    assert_string_equal(f->cap.events[1].source, "good");
    assert_string_equal(f->cap.events[1].message, "(null)");
}

static void set_error_returns_code_and_sets_detail(void **state)
{
    struct fixture *f = *state;
    espctl_clear_error();
    assert_int_equal(f->host->set_error(f->host, ESPCTL_E_TIMEOUT, "no answer"), ESPCTL_E_TIMEOUT);
    assert_string_equal(espctl_last_error(), "no answer");
    espctl_clear_error();
}

static void config_lookup_and_defaults(void **state)
{
    struct fixture *f = *state;
    assert_null(f->host->config_get(f->host, "good.greeting"));
    assert_null(f->host->config_get(f->host, NULL));
}

static void clock_is_monotonic_and_sleep_waits(void **state)
{
    struct fixture *f = *state;
    uint64_t t0 = f->host->now_us(f->host);
    assert_int_equal(f->host->sleep_us(f->host, 2000), 0);
    uint64_t t1 = f->host->now_us(f->host);
    assert_true(t1 >= t0 + 2000);
}

static void *cancel_later(void *arg)
{
    struct fixture *f = arg;
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
    espctl_cancel(f->ctx);
    return NULL;
}

static void sleep_returns_early_on_cancel(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(f->host->cancelled(f->host), 0);
    assert_int_equal(espctl_cancelled(f->ctx), 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, cancel_later, f), 0);
    /* An hour: only cancellation can end this before the ctest timeout. */
    assert_int_equal(f->host->sleep_us(f->host, 3600ull * 1000000ull), ESPCTL_E_CANCELLED);
    pthread_join(t, NULL);
    assert_int_not_equal(f->host->cancelled(f->host), 0);
    assert_int_not_equal(espctl_cancelled(f->ctx), 0);
    assert_int_equal(f->host->sleep_us(f->host, 1), ESPCTL_E_CANCELLED);
    atomic_store(&f->ctx->cancelled, 0);
}

static void probe_drivers_by_index_and_name(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(f->host->probe_driver_count(f->host), 1);
    const struct espctl_probe_driver *d = f->host->probe_driver_at(f->host, 0);
    assert_non_null(d);
    assert_string_equal(d->name, "fake");
    assert_null(f->host->probe_driver_at(f->host, 1));
    assert_ptr_equal(f->host->find_probe_driver(f->host, "fake"), d);
    assert_null(f->host->find_probe_driver(f->host, "stlink"));
    assert_null(f->host->find_probe_driver(f->host, NULL));
}

static void chip_families_by_either_name(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(f->host->chip_family_count(f->host), 1);
    const struct espctl_chip_family *fam = f->host->chip_family_at(f->host, 0);
    assert_non_null(fam);
    assert_string_equal(fam->name, "fakechip");
    assert_null(f->host->chip_family_at(f->host, 1));
    assert_ptr_equal(f->host->find_chip_family(f->host, "fake32g431rb"), fam);
    assert_ptr_equal(f->host->find_chip_family(f->host, "FAKE32G431RB"), fam);
    assert_ptr_equal(f->host->find_chip_family(f->host, "FAKE32G431RBTx"), fam);
    assert_ptr_equal(f->host->find_chip_family(f->host, "fake32g431rbtx"), fam);
    assert_null(f->host->find_chip_family(f->host, "fake32g431"));
    assert_null(f->host->find_chip_family(f->host, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(abi_rule_same_major_and_minor_not_newer),
        cmocka_unit_test(host_header_is_current),
        cmocka_unit_test(log_is_filtered_and_named),
        cmocka_unit_test(emit_sets_source_and_reads_only_inside_struct_size),
        cmocka_unit_test(set_error_returns_code_and_sets_detail),
        cmocka_unit_test(config_lookup_and_defaults),
        cmocka_unit_test(clock_is_monotonic_and_sleep_waits),
        cmocka_unit_test(sleep_returns_early_on_cancel),
        cmocka_unit_test(probe_drivers_by_index_and_name),
        cmocka_unit_test(chip_families_by_either_name),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
