/*
 * test_cli_output.c — the CLI's output helpers on their own: event JSON lines,
 * progress rendering (terminal and plain), error → exit code mapping, the final
 * result object, tables.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

/* A struct cli writing into memory streams. */
struct capture {
    struct cli cli;
    char *out;
    size_t out_len;
    char *err;
    size_t err_len;
};

static int setup(void **state)
{
    struct capture *c = calloc(1, sizeof *c);
    if (c == NULL)
        return -1;
    FILE *out = open_memstream(&c->out, &c->out_len);
    FILE *err = open_memstream(&c->err, &c->err_len);
    if (out == NULL || err == NULL)
        return -1;
    cli_init(&c->cli, out, err);
    *state = c;
    return 0;
}

static int teardown(void **state)
{
    struct capture *c = *state;
    c->cli.json = 0;
    cli_finish(&c->cli, CLI_EXIT_OK); /* releases what the helpers recorded */
    fclose(c->cli.out);
    fclose(c->cli.err);
    free(c->out);
    free(c->err);
    free(c);
    return 0;
}

static void flush(struct capture *c)
{
    fflush(c->cli.out);
    fflush(c->cli.err);
}

static struct espctl_event event(int32_t kind, const char *stage, uint64_t done, uint64_t total)
{
    struct espctl_event e = {.hdr = ESPCTL_ABI_HDR(struct espctl_event),
                             .kind = kind,
                             .stage = stage,
                             .source = "stlink",
                             .done = done,
                             .total = total,
                             .address = ESPCTL_NO_ADDRESS};
    return e;
}

static void test_event_json(void **state)
{
    (void)state;
    struct espctl_event e = event(ESPCTL_EVENT_PROGRESS, "program", 1024, 4096);
    e.address = 0x08000400;
    json_t *j = cli_event_json(&e);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "type")), "event");
    assert_string_equal(json_string_value(json_object_get(j, "kind")), "progress");
    assert_string_equal(json_string_value(json_object_get(j, "stage")), "program");
    assert_string_equal(json_string_value(json_object_get(j, "source")), "stlink");
    assert_int_equal(json_integer_value(json_object_get(j, "done")), 1024);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 4096);
    assert_int_equal(json_integer_value(json_object_get(j, "address")), 0x08000400);
    assert_true(json_is_null(json_object_get(j, "message")));
    assert_true(json_is_null(json_object_get(j, "status")));
    json_decref(j);

    e = event(ESPCTL_EVENT_STAGE_END, "verify", 0, 0);
    e.status = ESPCTL_E_VERIFY;
    j = cli_event_json(&e);
    assert_string_equal(json_string_value(json_object_get(j, "kind")), "stage_end");
    assert_true(json_is_null(json_object_get(j, "address")));
    assert_string_equal(json_string_value(json_object_get(j, "status")), "ESPCTL_E_VERIFY");
    json_decref(j);

    e = event(ESPCTL_EVENT_MESSAGE, "erase", 0, 0);
    e.message = "skipped 3 unchanged pages";
    j = cli_event_json(&e);
    assert_string_equal(json_string_value(json_object_get(j, "kind")), "message");
    assert_string_equal(json_string_value(json_object_get(j, "message")),
                        "skipped 3 unchanged pages");
    json_decref(j);
}

static void test_events_as_json_lines(void **state)
{
    struct capture *c = *state;
    c->cli.json = 1;
    struct espctl_event begin = event(ESPCTL_EVENT_STAGE_BEGIN, "erase", 0, 2048);
    struct espctl_event end = event(ESPCTL_EVENT_STAGE_END, "erase", 2048, 2048);
    cli_on_event(&c->cli, &begin);
    cli_on_event(&c->cli, &end);
    flush(c);
    assert_int_equal(c->err_len, 0);

    char *second = strchr(c->out, '\n');
    assert_non_null(second);
    json_error_t error;
    json_t *first = json_loadb(c->out, (size_t)(second - c->out), 0, &error);
    json_t *last = json_loads(second + 1, JSON_DISABLE_EOF_CHECK, &error);
    assert_non_null(first);
    assert_non_null(last);
    assert_string_equal(json_string_value(json_object_get(first, "kind")), "stage_begin");
    assert_string_equal(json_string_value(json_object_get(last, "kind")), "stage_end");
    assert_int_equal(json_integer_value(json_object_get(last, "done")), 2048);
    assert_int_equal(c->out[c->out_len - 1], '\n');
    json_decref(first);
    json_decref(last);
}

static void run_stage(struct capture *c, uint64_t total, int32_t status)
{
    struct espctl_event e = event(ESPCTL_EVENT_STAGE_BEGIN, "program", 0, total);
    cli_on_event(&c->cli, &e);
    for (uint64_t done = 1024; done <= total; done += 1024) {
        e = event(ESPCTL_EVENT_PROGRESS, "program", done, total);
        cli_on_event(&c->cli, &e);
    }
    e = event(ESPCTL_EVENT_STAGE_END, "program", total, total);
    e.status = status;
    cli_on_event(&c->cli, &e);
    flush(c);
}

static void test_progress_plain_lines(void **state)
{
    struct capture *c = *state;
    c->cli.progress.tty = 0;
    run_stage(c, 4096, 0);
    assert_int_equal(c->out_len, 0);
    assert_null(strchr(c->err, '\r'));
    assert_non_null(strstr(c->err, "program: started (4.0 KiB)\n"));
    assert_non_null(strstr(c->err, "program: 25%\n"));
    assert_non_null(strstr(c->err, "program: 50%\n"));
    assert_non_null(strstr(c->err, "program: 75%\n"));
    assert_non_null(strstr(c->err, "done: 4.0 KiB in "));
    assert_non_null(strstr(c->err, " KiB/s)\n"));
}

static void test_progress_terminal_bar(void **state)
{
    struct capture *c = *state;
    c->cli.progress.tty = 1;
    run_stage(c, 4096, 0);
    /* The finished bar is always drawn, whatever the redraw throttle did. */
    assert_non_null(strstr(c->err, "\r\033[Kprogram    [##############################] 100%"));
    assert_non_null(strstr(c->err, "KiB/s"));
    assert_non_null(strstr(c->err, "\r\033[Kprogram    done: 4.0 KiB in "));
    assert_int_equal(c->err[c->err_len - 1], '\n');
}

static void test_progress_failure_and_quiet(void **state)
{
    struct capture *c = *state;
    run_stage(c, 2048, ESPCTL_E_TARGET);
    char expected[128];
    snprintf(expected, sizeof expected, "program    failed: %s\n",
             espctl_strerror(ESPCTL_E_TARGET));
    assert_non_null(strstr(c->err, expected));

    size_t before = c->err_len;
    c->cli.verbosity = -1;
    run_stage(c, 2048, 0);
    assert_int_equal(c->err_len, before);
}

static void test_exit_codes(void **state)
{
    (void)state;
    assert_int_equal(cli_exit_code(ESPCTL_OK), 0);
    const int usage[] = {ESPCTL_E_INVAL, ESPCTL_E_CONFIG, ESPCTL_E_ABI, ESPCTL_E_FORMAT,
                         ESPCTL_E_NOT_FOUND};
    for (size_t i = 0; i < sizeof usage / sizeof usage[0]; i++)
        assert_int_equal(cli_exit_code(usage[i]), 2);
    const int runtime[] = {ESPCTL_E_NOMEM,     ESPCTL_E_IO,        ESPCTL_E_TIMEOUT,
                           ESPCTL_E_BUSY,      ESPCTL_E_ACCESS,    ESPCTL_E_NO_DEVICE,
                           ESPCTL_E_NOT_SUPPORTED, ESPCTL_E_PROTOCOL, ESPCTL_E_TARGET,
                           ESPCTL_E_CANCELLED, ESPCTL_E_VERIFY,    ESPCTL_E_INTEGRITY,
                           ESPCTL_E_UNTRUSTED, ESPCTL_E_UNSIGNED,  ESPCTL_E_OTHER};
    for (size_t i = 0; i < sizeof runtime / sizeof runtime[0]; i++)
        assert_int_equal(cli_exit_code(runtime[i]), 1);
}

static void test_failure_human(void **state)
{
    struct capture *c = *state;
    assert_int_equal(cli_failf(&c->cli, ESPCTL_E_IO, "reading %s", "fw.bin"), 1);
    flush(c);
    char expected[256];
    snprintf(expected, sizeof expected, "espctl: %s: reading fw.bin\n",
             espctl_strerror(ESPCTL_E_IO));
    assert_string_equal(c->err, expected);
    assert_int_equal(c->out_len, 0);
}

static void test_failure_json_result(void **state)
{
    struct capture *c = *state;
    c->cli.json = 1;
    cli_result_set(&c->cli, "probes", json_integer(0));
    int code = cli_failf(&c->cli, ESPCTL_E_NOT_FOUND, "no chip named %s", "stm32x");
    assert_int_equal(code, 2);
    /* A later error does not replace the first. */
    cli_failf(&c->cli, ESPCTL_E_IO, "consequence");
    assert_int_equal(cli_finish(&c->cli, code), 2);
    flush(c);
    assert_int_equal(c->err_len, 0);

    json_error_t error;
    json_t *result = json_loads(c->out, 0, &error);
    assert_non_null(result);
    assert_string_equal(json_string_value(json_object_get(result, "type")), "result");
    assert_true(json_is_false(json_object_get(result, "ok")));
    assert_int_equal(json_integer_value(json_object_get(result, "exit_code")), 2);
    assert_int_equal(json_integer_value(json_object_get(result, "probes")), 0);
    json_t *err = json_object_get(result, "error");
    assert_string_equal(json_string_value(json_object_get(err, "code")), "ESPCTL_E_NOT_FOUND");
    assert_non_null(strstr(json_string_value(json_object_get(err, "message")), "stm32x"));
    json_decref(result);
}

static void test_usage_error_synopsis(void **state)
{
    struct capture *c = *state;
    static const char help[] = "usage: espctl thing [--x]\n\nLong description.\n";
    assert_int_equal(cli_usage_error(&c->cli, help, "bad %s", "thing"), 2);
    flush(c);
    assert_non_null(strstr(c->err, "espctl: bad thing\nusage: espctl thing [--x]\n"));
    assert_null(strstr(c->err, "Long description"));
    assert_int_equal(c->cli.error_code, ESPCTL_E_INVAL);
}

static void test_json_text_not_utf8(void **state)
{
    (void)state;
    json_t *j = cli_json_text("plugin-\xff\xfe.so");
    assert_string_equal(json_string_value(j), "plugin-??.so");
    json_decref(j);
    j = cli_json_text(NULL);
    assert_true(json_is_null(j));
    json_decref(j);
}

static void test_table(void **state)
{
    struct capture *c = *state;
    static const char *const headers[] = {"NAME", "VERSION", "PATH"};
    struct cli_table *t = cli_table_new(3, headers);
    assert_non_null(t);
    const char *row1[] = {"stlink", "0.1.0", "/usr/lib/espctl/plugins/stlink.so"};
    const char *row2[] = {"x", NULL, ""};
    assert_int_equal(cli_table_add(t, row1), 0);
    assert_int_equal(cli_table_add(t, row2), 0);
    assert_int_equal(cli_table_rows(t), 2);
    cli_table_print(t, c->cli.out);
    cli_table_free(t);
    flush(c);
    assert_string_equal(c->out, "NAME    VERSION  PATH\n"
                                "stlink  0.1.0    /usr/lib/espctl/plugins/stlink.so\n"
                                "x       -        -\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_json),
        cmocka_unit_test_setup_teardown(test_events_as_json_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_progress_plain_lines, setup, teardown),
        cmocka_unit_test_setup_teardown(test_progress_terminal_bar, setup, teardown),
        cmocka_unit_test_setup_teardown(test_progress_failure_and_quiet, setup, teardown),
        cmocka_unit_test(test_exit_codes),
        cmocka_unit_test_setup_teardown(test_failure_human, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failure_json_result, setup, teardown),
        cmocka_unit_test_setup_teardown(test_usage_error_synopsis, setup, teardown),
        cmocka_unit_test(test_json_text_not_utf8),
        cmocka_unit_test_setup_teardown(test_table, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
