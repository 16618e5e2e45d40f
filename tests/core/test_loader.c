/* Loader outcomes for every fixture plugin, and that the context stays usable. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static void assert_contains(const char *haystack, const char *needle)
{
    if (!haystack || !strstr(haystack, needle))
        fail_msg("\"%s\" does not contain \"%s\"", haystack ? haystack : "(null)", needle);
}

/* Loads group + good, asserts `file` was rejected with `code` and every needle in
 * its reason, and that the good plugin still works. */
static void expect_rejected(const char *group, const char *file, int code, ...)
{
    struct capture cap = {0};
    espctl_ctx *ctx = support_ctx(&cap, group, "good", NULL);
    assert_non_null(ctx);
    struct espctl_plugin_info info;
    assert_true(support_find_plugin(ctx, file, &info) >= 0);
    assert_int_equal(info.status, ESPCTL_PLUGIN_REJECTED);
    assert_int_equal(info.error, code);
    assert_non_null(info.reason);
    assert_int_equal(info.component_count, 0);
    va_list ap;
    va_start(ap, code);
    for (const char *needle = va_arg(ap, const char *); needle; needle = va_arg(ap, const char *))
        assert_contains(info.reason, needle);
    va_end(ap);
    /* The rejection is logged as a warning naming the file. */
    const struct capture_log *warn = support_find_log(&cap, "core", file);
    assert_non_null(warn);
    assert_int_equal(warn->level, ESPCTL_LOG_WARN);

    struct espctl_plugin_info good;
    assert_true(support_find_plugin(ctx, "good.so", &good) >= 0);
    assert_int_equal(good.status, ESPCTL_PLUGIN_LOADED);
    assert_true(support_has_probe(ctx, "fake:0001"));
    espctl_ctx_free(ctx);
}

static void good_plugin_loads_with_components(void **state)
{
    (void)state;
    struct capture cap = {0};
    espctl_ctx *ctx = support_ctx(&cap, "good", NULL);
    assert_non_null(ctx);
    assert_int_equal(espctl_plugin_count(ctx), 1);
    struct espctl_plugin_info info;
    int index = support_find_plugin(ctx, "good.so", &info);
    assert_int_equal(index, 0);
    assert_int_equal(info.status, ESPCTL_PLUGIN_LOADED);
    assert_int_equal(info.error, 0);
    assert_null(info.reason);
    assert_string_equal(info.name, "good");
    assert_string_equal(info.version, "1.2.3");
    assert_string_equal(info.description, "fixture: a well-behaved plugin");
    assert_int_equal(info.abi_major, 1);
    assert_int_equal(info.abi_minor, ESPCTL_PLUGIN_ABI_MINOR);
    assert_int_equal(info.component_count, 3);

    static const char *const kinds[] = {"probe-driver", "flash-target", "chip-family"};
    static const char *const names[] = {"fake", "fake-target", "fakechip"};
    for (uint32_t i = 0; i < 3; i++) {
        struct espctl_component_info c = {.hdr = ESPCTL_ABI_HDR(struct espctl_component_info)};
        assert_int_equal(espctl_plugin_component(ctx, 0, i, &c), 0);
        assert_string_equal(c.kind, kinds[i]);
        assert_string_equal(c.name, names[i]);
        assert_non_null(c.description);
    }
    struct espctl_component_info none = {.hdr = ESPCTL_ABI_HDR(struct espctl_component_info)};
    assert_int_equal(espctl_plugin_component(ctx, 0, 3, &none), ESPCTL_E_NOT_FOUND);

    /* init's log line and event carry the plugin's name as source. */
    const struct capture_log *l = support_find_log(&cap, "good", "init done");
    assert_non_null(l);
    assert_int_equal(l->level, ESPCTL_LOG_INFO);
    assert_int_equal(cap.event_count, 1);
    assert_string_equal(cap.events[0].source, "good");
    assert_string_equal(cap.events[0].stage, "init");
    assert_string_equal(cap.events[0].message, "good says hello");
    assert_int_equal(cap.events[0].kind, ESPCTL_EVENT_MESSAGE);
    espctl_ctx_free(ctx);
    /* deinit ran before the library was closed (it logs through the host). */
    assert_non_null(support_find_log(&cap, "good", "deinit"));
}

static void probes_list_copies_and_dedupes(void **state)
{
    (void)state;
    espctl_ctx *ctx = support_ctx(NULL, "good", NULL);
    assert_non_null(ctx);
    espctl_probe_list *list = NULL;
    assert_int_equal(espctl_probes_list(ctx, &list), 0);
    assert_int_equal(espctl_probe_list_count(list), 1);
    const struct espctl_probe_desc *d = espctl_probe_list_get(list, 0);
    assert_non_null(d);
    assert_string_equal(d->driver, "fake");
    assert_string_equal(d->selector, "fake:0001");
    assert_string_equal(d->serial, "0001");
    assert_string_equal(d->manufacturer, "espctl fixtures");
    assert_string_equal(d->product, "Fake Probe");
    assert_string_equal(d->firmware, "1.0");
    assert_null(d->port_path);
    assert_int_equal(d->vid, 0x1209);
    assert_int_equal(d->pid, 0x0001);
    assert_int_equal(d->flags, ESPCTL_PROBE_DESC_NETWORK);
    assert_true(d->hdr.struct_size == sizeof *d);
    assert_null(espctl_probe_list_get(list, 1));
    espctl_probe_list_free(list);
    espctl_ctx_free(ctx);
}

static void usb_ids_are_listed(void **state)
{
    (void)state;
    espctl_ctx *ctx = support_ctx(NULL, "good", NULL);
    assert_non_null(ctx);
    assert_int_equal(espctl_usb_id_count(ctx), 2);
    struct espctl_usb_id_info id = {.hdr = ESPCTL_ABI_HDR(struct espctl_usb_id_info)};
    assert_int_equal(espctl_usb_id_get(ctx, 0, &id), 0);
    assert_string_equal(id.driver, "fake");
    assert_int_equal(id.vid, 0x1209);
    assert_int_equal(id.pid, 0x0001);
    assert_int_equal(id.flags, 0);
    assert_int_equal(espctl_usb_id_get(ctx, 1, &id), 0);
    assert_int_equal(id.vid, 0x1a86);
    assert_int_equal(id.pid, 0x7523);
    assert_int_equal(id.flags, ESPCTL_USB_ID_INFO_SERIAL);
    assert_int_equal(espctl_usb_id_get(ctx, 2, &id), ESPCTL_E_NOT_FOUND);
    espctl_ctx_free(ctx);
}

static void older_or_equal_minor_loads(void **state)
{
    (void)state;
    espctl_ctx *ctx = support_ctx(NULL, "versions", "good", NULL);
    assert_non_null(ctx);
    struct espctl_plugin_info info;
    assert_true(support_find_plugin(ctx, "oldminor.so", &info) >= 0);
    assert_int_equal(info.status, ESPCTL_PLUGIN_LOADED);
    assert_int_equal(info.abi_major, 1);
    assert_int_equal(info.abi_minor, 0);
    assert_string_equal(info.name, "oldminor");
    espctl_ctx_free(ctx);
}

static void newer_minor_is_rejected(void **state)
{
    (void)state;
    expect_rejected("versions", "newminor.so", ESPCTL_E_ABI,
                    "plugin ABI 1.2 is newer than core ABI 1.1", NULL);
}

static void entry_v2_symbol_is_rejected(void **state)
{
    (void)state;
    expect_rejected("versions", "entryv2.so", ESPCTL_E_ABI, "built for ABI major 2, core is 1",
                    NULL);
}

static void header_major_2_is_rejected(void **state)
{
    (void)state;
    expect_rejected("versions", "hdrmajor2.so", ESPCTL_E_ABI, "ABI major 2", "core is 1", NULL);
}

static void missing_entry_is_rejected(void **state)
{
    (void)state;
    expect_rejected("broken", "noentry.so", ESPCTL_E_ABI, "no entry symbol espctl_plugin_entry_v1",
                    NULL);
}

static void null_entry_is_rejected(void **state)
{
    (void)state;
    expect_rejected("broken", "nullentry.so", ESPCTL_E_ABI, "returned NULL", NULL);
}

static void failing_init_is_rejected_with_its_detail(void **state)
{
    (void)state;
    /* initfail's deinit traps, so reaching the end also proves it was not called. */
    expect_rejected("broken", "initfail.so", ESPCTL_E_NO_DEVICE, "init failed",
                    "ESPCTL_E_NO_DEVICE", "initfail: simulated missing adapter", NULL);
}

static void too_small_entry_is_rejected(void **state)
{
    (void)state;
    expect_rejected("broken", "tinyentry.so", ESPCTL_E_ABI, "struct_size 16 is too small", NULL);
}

static void garbage_file_is_rejected_with_dlerror(void **state)
{
    (void)state;
    expect_rejected("broken", "garbage.so", ESPCTL_E_FORMAT, "dlopen failed", "broken/garbage.so:",
                    NULL);
}

static void unknown_component_kind_rejects_and_deinits(void **state)
{
    (void)state;
    expect_rejected("broken", "badcomp.so", ESPCTL_E_ABI, "unknown kind 77", NULL);
    struct capture cap = {0};
    espctl_ctx *ctx = support_ctx(&cap, "broken", NULL);
    assert_non_null(ctx);
    assert_non_null(support_find_log(&cap, "badcomp", "deinit called"));
    espctl_ctx_free(ctx);
}

static void duplicate_component_rejects_later_plugin(void **state)
{
    (void)state;
    expect_rejected("dup", "dup-b.so", ESPCTL_E_ABI, "\"dupdrv\"", "dup/dup-a.so", "dup/dup-b.so",
                    NULL);
    struct capture cap = {0};
    espctl_ctx *ctx = support_ctx(&cap, "dup", NULL);
    assert_non_null(ctx);
    struct espctl_plugin_info a;
    assert_true(support_find_plugin(ctx, "dup-a.so", &a) >= 0);
    assert_int_equal(a.status, ESPCTL_PLUGIN_LOADED);
    /* The rejected plugin had been initialised, so its deinit ran. */
    assert_non_null(support_find_log(&cap, "dup-b", "deinit called"));
    assert_null(support_find_log(&cap, "dup-a", "deinit called"));
    espctl_ctx_free(ctx);
    assert_non_null(support_find_log(&cap, "dup-a", "deinit called"));
}

static void truncated_entry_loads_without_absent_members(void **state)
{
    (void)state;
    struct capture cap = {0};
    espctl_ctx *ctx = support_ctx(&cap, "truncated", "good", NULL);
    assert_non_null(ctx);
    struct espctl_plugin_info info;
    assert_true(support_find_plugin(ctx, "shortentry.so", &info) >= 0);
    assert_int_equal(info.status, ESPCTL_PLUGIN_LOADED);
    assert_string_equal(info.name, "shortentry");
    assert_int_equal(info.component_count, 0);
    assert_non_null(support_find_log(&cap, "shortentry", "short init"));
    assert_true(support_has_probe(ctx, "fake:0001"));
    espctl_ctx_free(ctx);
}

static void truncated_vtable_and_probe_info_are_read_in_bounds(void **state)
{
    (void)state;
    espctl_ctx *ctx = support_ctx(NULL, "truncated", NULL);
    assert_non_null(ctx);
    struct espctl_plugin_info info;
    assert_true(support_find_plugin(ctx, "shortvtable.so", &info) >= 0);
    assert_int_equal(info.status, ESPCTL_PLUGIN_LOADED);
    assert_int_equal(info.component_count, 1);
    espctl_probe_list *list = NULL;
    assert_int_equal(espctl_probes_list(ctx, &list), 0);
    assert_int_equal(espctl_probe_list_count(list), 1);
    const struct espctl_probe_desc *d = espctl_probe_list_get(list, 0);
    assert_string_equal(d->selector, "shortdrv:7");
    assert_string_equal(d->driver, "shortdrv");
    assert_null(d->serial);
    assert_null(d->product);
    assert_int_equal(d->vid, 0);
    assert_int_equal(d->flags, 0);
    espctl_probe_list_free(list);
    assert_int_equal(espctl_usb_id_count(ctx), 1);
    espctl_ctx_free(ctx);
}

static void failing_enumerate_is_logged_and_skipped(void **state)
{
    (void)state;
    struct capture cap = {0};
    espctl_ctx *ctx = support_ctx(&cap, "enumfail", "good", NULL);
    assert_non_null(ctx);
    espctl_probe_list *list = NULL;
    espctl_clear_error();
    assert_int_equal(espctl_probes_list(ctx, &list), 0);
    assert_int_equal(espctl_probe_list_count(list), 2);
    assert_string_equal(espctl_probe_list_get(list, 0)->selector, "enumfail:1");
    assert_string_equal(espctl_probe_list_get(list, 1)->selector, "fake:0001");
    espctl_probe_list_free(list);
    const struct capture_log *l = support_find_log(&cap, "enumfail", "enumerate failed");
    assert_non_null(l);
    assert_int_equal(l->level, ESPCTL_LOG_WARN);
    assert_contains(l->message, "ESPCTL_E_IO");
    assert_contains(l->message, "enumfail: bus went away");
    /* A driver's failure is not the call's failure. */
    assert_string_equal(espctl_last_error(), "");
    espctl_ctx_free(ctx);
}

static void plugins_are_deinitialised_in_reverse_order(void **state)
{
    (void)state;
    struct capture cap = {0};
    espctl_ctx *ctx = support_ctx(&cap, "good", "shadow-first", NULL);
    assert_non_null(ctx);
    assert_int_equal(support_find_plugin(ctx, "good.so", NULL), 0);
    assert_int_equal(support_find_plugin(ctx, "samename.so", NULL), 1);
    cap.log_count = 0;
    espctl_ctx_free(ctx);
    int good_at = -1, shadow_at = -1;
    for (int i = 0; i < cap.log_count; i++) {
        if (strcmp(cap.logs[i].message, "deinit") != 0)
            continue;
        if (strcmp(cap.logs[i].source, "good") == 0)
            good_at = i;
        if (strcmp(cap.logs[i].source, "shadow_first") == 0)
            shadow_at = i;
    }
    assert_true(shadow_at >= 0);
    assert_true(good_at > shadow_at);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_plugin_loads_with_components),
        cmocka_unit_test(probes_list_copies_and_dedupes),
        cmocka_unit_test(usb_ids_are_listed),
        cmocka_unit_test(older_or_equal_minor_loads),
        cmocka_unit_test(newer_minor_is_rejected),
        cmocka_unit_test(entry_v2_symbol_is_rejected),
        cmocka_unit_test(header_major_2_is_rejected),
        cmocka_unit_test(missing_entry_is_rejected),
        cmocka_unit_test(null_entry_is_rejected),
        cmocka_unit_test(failing_init_is_rejected_with_its_detail),
        cmocka_unit_test(too_small_entry_is_rejected),
        cmocka_unit_test(garbage_file_is_rejected_with_dlerror),
        cmocka_unit_test(unknown_component_kind_rejects_and_deinits),
        cmocka_unit_test(duplicate_component_rejects_later_plugin),
        cmocka_unit_test(truncated_entry_loads_without_absent_members),
        cmocka_unit_test(truncated_vtable_and_probe_info_are_read_in_bounds),
        cmocka_unit_test(failing_enumerate_is_logged_and_skipped),
        cmocka_unit_test(plugins_are_deinitialised_in_reverse_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
