/* Context options (struct_size honoured), partial writes into caller structs,
 * cancellation, and NULL handling of the front-end API. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static void null_options_give_a_working_context(void **state)
{
    (void)state;
    espctl_ctx *ctx = NULL;
    assert_int_equal(espctl_ctx_new(&ctx, NULL), 0);
    assert_non_null(ctx);
    assert_int_equal(espctl_cancelled(ctx), 0);
    espctl_cancel(ctx);
    assert_int_not_equal(espctl_cancelled(ctx), 0);
    espctl_ctx_free(ctx);
    espctl_ctx_free(NULL);
    assert_int_equal(espctl_ctx_new(NULL, NULL), ESPCTL_E_INVAL);
}

static void options_of_another_major_are_refused(void **state)
{
    (void)state;
    struct espctl_ctx_options o = support_options(NULL, NULL, SUPPORT_ISOLATED);
    o.hdr.abi_major = 2;
    espctl_ctx *ctx = NULL;
    assert_int_equal(espctl_ctx_new(&ctx, &o), ESPCTL_E_ABI);
    assert_null(ctx);
    assert_non_null(strstr(espctl_last_error(), "major 2"));
}

static void options_beyond_struct_size_are_ignored(void **state)
{
    (void)state;
    struct capture cap = {0};
    const char *paths[] = {support_fixture_dir("good"), NULL};
    struct espctl_ctx_options o = support_options(&cap, paths, SUPPORT_ISOLATED);
    /* An older front-end whose options end before log_cb: callbacks must be unused. */
    o.hdr.struct_size = (uint32_t)offsetof(struct espctl_ctx_options, log_cb);
    espctl_ctx *ctx = NULL;
    assert_int_equal(espctl_ctx_new(&ctx, &o), 0);
    assert_int_equal(espctl_plugin_count(ctx), 1);
    espctl_ctx_free(ctx);
    assert_int_equal(cap.log_count, 0);
    assert_int_equal(cap.event_count, 0);

    /* With the full size the same options deliver good's init log and event. */
    o.hdr.struct_size = sizeof o;
    assert_int_equal(espctl_ctx_new(&ctx, &o), 0);
    espctl_ctx_free(ctx);
    assert_true(cap.log_count > 0);
    assert_int_equal(cap.event_count, 1);
}

static void plugin_info_is_written_only_inside_struct_size(void **state)
{
    (void)state;
    espctl_ctx *ctx = support_ctx(NULL, "good", NULL);
    assert_non_null(ctx);
    struct espctl_plugin_info info;
    memset(&info, 0xA5, sizeof info);
    info.hdr.struct_size = (uint32_t)offsetof(struct espctl_plugin_info, name);
    info.hdr.abi_major = 1;
    info.hdr.abi_minor = 0;
    assert_int_equal(espctl_plugin_get(ctx, 0, &info), 0);
    assert_int_equal(info.status, ESPCTL_PLUGIN_LOADED);
    assert_int_equal(info.error, 0);
    unsigned char untouched[sizeof info];
    memset(untouched, 0xA5, sizeof untouched);
    size_t from = offsetof(struct espctl_plugin_info, name);
    assert_memory_equal((unsigned char *)&info + from, untouched + from, sizeof info - from);

    struct espctl_component_info c;
    memset(&c, 0xA5, sizeof c);
    c.hdr.struct_size = (uint32_t)offsetof(struct espctl_component_info, name);
    assert_int_equal(espctl_plugin_component(ctx, 0, 0, &c), 0);
    assert_string_equal(c.kind, "probe-driver");
    from = offsetof(struct espctl_component_info, name);
    assert_memory_equal((unsigned char *)&c + from, untouched + from, sizeof c - from);

    info.hdr.struct_size = 4;
    assert_int_equal(espctl_plugin_get(ctx, 0, &info), ESPCTL_E_INVAL);
    assert_int_equal(espctl_plugin_get(ctx, 0, NULL), ESPCTL_E_INVAL);
    info.hdr.struct_size = sizeof info;
    assert_int_equal(espctl_plugin_get(ctx, 1, &info), ESPCTL_E_NOT_FOUND);
    espctl_ctx_free(ctx);
}

static void null_handles_are_safe(void **state)
{
    (void)state;
    assert_int_equal(espctl_plugin_count(NULL), 0);
    assert_int_equal(espctl_usb_id_count(NULL), 0);
    assert_null(espctl_config_get(NULL, "keys.trusted_dir"));
    assert_null(espctl_config_path(NULL));
    assert_int_equal(espctl_cancelled(NULL), 0);
    espctl_cancel(NULL);
    espctl_probe_list *list = (espctl_probe_list *)&list;
    assert_int_equal(espctl_probes_list(NULL, &list), ESPCTL_E_INVAL);
    assert_null(list);
    assert_int_equal(espctl_probe_list_count(NULL), 0);
    assert_null(espctl_probe_list_get(NULL, 0));
    espctl_probe_list_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(null_options_give_a_working_context),
        cmocka_unit_test(options_of_another_major_are_refused),
        cmocka_unit_test(options_beyond_struct_size_are_ignored),
        cmocka_unit_test(plugin_info_is_written_only_inside_struct_size),
        cmocka_unit_test(null_handles_are_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
