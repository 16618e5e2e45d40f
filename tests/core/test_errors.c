/* Error names and texts for every code, and the per-thread last-error slot. */
#include "espctl/espctl.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

struct code_name {
    int code;
    const char *name;
};

/* Written from common.h independently of the library's table. */
static const struct code_name all_codes[] = {
    {ESPCTL_OK, "ESPCTL_OK"},
    {ESPCTL_E_INVAL, "ESPCTL_E_INVAL"},
    {ESPCTL_E_NOMEM, "ESPCTL_E_NOMEM"},
    {ESPCTL_E_IO, "ESPCTL_E_IO"},
    {ESPCTL_E_TIMEOUT, "ESPCTL_E_TIMEOUT"},
    {ESPCTL_E_NOT_FOUND, "ESPCTL_E_NOT_FOUND"},
    {ESPCTL_E_BUSY, "ESPCTL_E_BUSY"},
    {ESPCTL_E_ACCESS, "ESPCTL_E_ACCESS"},
    {ESPCTL_E_NO_DEVICE, "ESPCTL_E_NO_DEVICE"},
    {ESPCTL_E_NOT_SUPPORTED, "ESPCTL_E_NOT_SUPPORTED"},
    {ESPCTL_E_PROTOCOL, "ESPCTL_E_PROTOCOL"},
    {ESPCTL_E_TARGET, "ESPCTL_E_TARGET"},
    {ESPCTL_E_CANCELLED, "ESPCTL_E_CANCELLED"},
    {ESPCTL_E_VERIFY, "ESPCTL_E_VERIFY"},
    {ESPCTL_E_ABI, "ESPCTL_E_ABI"},
    {ESPCTL_E_CONFIG, "ESPCTL_E_CONFIG"},
    {ESPCTL_E_FORMAT, "ESPCTL_E_FORMAT"},
    {ESPCTL_E_INTEGRITY, "ESPCTL_E_INTEGRITY"},
    {ESPCTL_E_UNTRUSTED, "ESPCTL_E_UNTRUSTED"},
    {ESPCTL_E_UNSIGNED, "ESPCTL_E_UNSIGNED"},
    {ESPCTL_E_OTHER, "ESPCTL_E_OTHER"},
};
#define CODE_COUNT (sizeof all_codes / sizeof all_codes[0])

static void every_code_has_a_name_and_a_distinct_text(void **state)
{
    (void)state;
    for (size_t i = 0; i < CODE_COUNT; i++) {
        assert_string_equal(espctl_error_name(all_codes[i].code), all_codes[i].name);
        const char *text = espctl_strerror(all_codes[i].code);
        assert_non_null(text);
        assert_true(text[0] != '\0');
        assert_string_not_equal(text, "unknown error");
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(text, espctl_strerror(all_codes[j].code));
    }
}

static void unknown_codes_never_give_null(void **state)
{
    (void)state;
    static const int unknown[] = {1, -20, -98, -100, 12345, -2147483647 - 1};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        assert_string_equal(espctl_strerror(unknown[i]), "unknown error");
        assert_string_equal(espctl_error_name(unknown[i]), "ESPCTL_E_UNKNOWN");
    }
}

static void *fail_in_thread(void *arg)
{
    int which = *(int *)arg;
    char *seen = (char *)arg + sizeof(int);
    if (which == 0)
        espctl_plugin_get(NULL, 7, &(struct espctl_plugin_info){
                                      .hdr = ESPCTL_ABI_HDR(struct espctl_plugin_info)});
    else
        espctl_usb_id_get(NULL, 3, &(struct espctl_usb_id_info){
                                       .hdr = ESPCTL_ABI_HDR(struct espctl_usb_id_info)});
    strncpy(seen, espctl_last_error(), 255);
    return NULL;
}

static void last_error_is_per_thread(void **state)
{
    (void)state;
    espctl_clear_error();
    assert_string_equal(espctl_last_error(), "");
    assert_int_equal(espctl_probe_list_count(NULL), 0);

    struct {
        int which;
        char seen[256];
    } a = {0, {0}}, b = {1, {0}};
    pthread_t ta, tb;
    assert_int_equal(pthread_create(&ta, NULL, fail_in_thread, &a), 0);
    assert_int_equal(pthread_create(&tb, NULL, fail_in_thread, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    assert_string_equal(a.seen, "no plugin at index 7");
    assert_string_equal(b.seen, "no USB id at index 3");
    /* Neither thread's failure leaked into this one. */
    assert_string_equal(espctl_last_error(), "");

    assert_int_equal(espctl_plugin_component(NULL, 0, 0, &(struct espctl_component_info){
                         .hdr = ESPCTL_ABI_HDR(struct espctl_component_info)}),
                     ESPCTL_E_NOT_FOUND);
    assert_string_equal(espctl_last_error(), "no plugin at index 0");
    espctl_clear_error();
    assert_string_equal(espctl_last_error(), "");
}

static void version_matches_header(void **state)
{
    (void)state;
    assert_string_equal(espctl_version(), "0.1.0");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_code_has_a_name_and_a_distinct_text),
        cmocka_unit_test(unknown_codes_never_give_null),
        cmocka_unit_test(last_error_is_per_thread),
        cmocka_unit_test(version_matches_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
