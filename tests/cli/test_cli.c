/*
 * test_cli.c — the espctl binary as a user runs it: exit codes, usage text,
 * the JSON lines contract, plugin and probe listings, configuration errors.
 * Usage: test_cli CASE (one ctest per case; see CMakeLists.txt).
 */
#include "spawn.h"

#include <dirent.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <stddef.h>
#include <cmocka.h>

#define TIMEOUT_MS 30000

/* Per-test scratch: an XDG_CONFIG_HOME and an empty plugin directory. */
struct fixture {
    char root[PATH_MAX];
    char xdg[PATH_MAX + 16];
    char empty_plugins[PATH_MAX + 16];
    char env_xdg[PATH_MAX + 64];
    char env_plugins[PATH_MAX + 64];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    const char *tmp = getenv("TMPDIR");
    snprintf(f->root, sizeof f->root, "%s/espctl-cli-XXXXXX", tmp != NULL ? tmp : "/tmp");
    if (mkdtemp(f->root) == NULL) {
        free(f);
        return -1;
    }
    snprintf(f->xdg, sizeof f->xdg, "%s/xdg", f->root);
    snprintf(f->empty_plugins, sizeof f->empty_plugins, "%s/plugins", f->root);
    if (mkdir(f->xdg, 0700) != 0 || mkdir(f->empty_plugins, 0700) != 0) {
        free(f);
        return -1;
    }
    snprintf(f->env_xdg, sizeof f->env_xdg, "XDG_CONFIG_HOME=%s", f->xdg);
    snprintf(f->env_plugins, sizeof f->env_plugins, "ESPCTL_PLUGIN_PATH=%s", f->empty_plugins);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/espctl/config", f->xdg);
    unlink(path);
    snprintf(path, sizeof path, "%s/espctl", f->xdg);
    rmdir(path);
    snprintf(path, sizeof path, "%s/junk.so", f->empty_plugins);
    unlink(path);
    rmdir(f->xdg);
    rmdir(f->empty_plugins);
    rmdir(f->root);
    free(f);
    return 0;
}

/* Run espctl with `args` (NULL-terminated); XDG_CONFIG_HOME always points into the
 * fixture; ESPCTL_PLUGIN_PATH names the empty directory when `empty_plugin_path`,
 * else it is removed. */
static struct spawn_result run_espctl(struct fixture *f, int empty_plugin_path, ...)
{
    const char *argv[32] = {ESPCTL_BIN};
    size_t argc = 1;
    va_list ap;
    va_start(ap, empty_plugin_path);
    const char *arg;
    while ((arg = va_arg(ap, const char *)) != NULL && argc < 31)
        argv[argc++] = arg;
    va_end(ap);
    argv[argc] = NULL;

    const char *env[] = {f->env_xdg, empty_plugin_path ? f->env_plugins : "ESPCTL_PLUGIN_PATH",
                         NULL};
    struct spawn_result r;
    assert_int_equal(spawn_run(argv, env, TIMEOUT_MS, &r), 0);
    assert_false(r.timed_out);
    return r;
}

static void write_config(struct fixture *f, const char *text)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/espctl", f->xdg);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/espctl/config", f->xdg);
    FILE *file = fopen(path, "w");
    assert_non_null(file);
    fputs(text, file);
    assert_int_equal(fclose(file), 0);
}

/* Every stdout line parsed as a JSON object, in order (array owned by caller). */
static json_t *json_lines(const char *out)
{
    json_t *lines = json_array();
    const char *p = out;
    while (*p != '\0') {
        const char *end = strchr(p, '\n');
        assert_non_null(end); /* every line, the last included, ends with '\n' */
        json_error_t error;
        json_t *line = json_loadb(p, (size_t)(end - p), 0, &error);
        if (line == NULL)
            fail_msg("stdout line is not JSON (%s): %.*s", error.text, (int)(end - p), p);
        assert_true(json_is_object(line));
        json_array_append_new(lines, line);
        p = end + 1;
    }
    return lines;
}

static const char *member_string(const json_t *object, const char *key)
{
    return json_string_value(json_object_get(object, key));
}

/* Every line carries a string "type". */
static const char *line_type(const json_t *line)
{
    const char *type = member_string(line, "type");
    assert_non_null(type);
    return type;
}

/* The last line: {"type":"result",...} with the expected ok and exit_code. */
static const json_t *check_result(const json_t *lines, int exit_code)
{
    size_t n = json_array_size(lines);
    assert_true(n >= 1);
    const json_t *result = json_array_get(lines, n - 1);
    assert_string_equal(member_string(result, "type"), "result");
    assert_true(json_is_boolean(json_object_get(result, "ok")));
    assert_int_equal(json_is_true(json_object_get(result, "ok")), exit_code == 0);
    assert_int_equal(json_integer_value(json_object_get(result, "exit_code")), exit_code);
    const json_t *error = json_object_get(result, "error");
    if (exit_code == 0) {
        assert_true(json_is_null(error));
    } else {
        assert_non_null(member_string(error, "code"));
        assert_non_null(member_string(error, "message"));
    }
    for (size_t i = 0; i + 1 < n; i++)
        assert_string_not_equal(line_type(json_array_get(lines, i)), "result");
    return result;
}

static size_t count_type(const json_t *lines, const char *type)
{
    size_t count = 0;
    for (size_t i = 0; i < json_array_size(lines); i++)
        if (strcmp(line_type(json_array_get(lines, i)), type) == 0)
            count++;
    return count;
}

static void test_version(void **state)
{
    struct spawn_result r = run_espctl(*state, 1, "--version", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "espctl " ESPCTL_CLI_VERSION "\n"));
    assert_non_null(strstr(r.out, "libespctl 0."));
    assert_non_null(strstr(r.out, "plugin ABI 1.1\n"));
    spawn_result_free(&r);

    r = run_espctl(*state, 1, "--version", "--json", NULL);
    assert_int_equal(r.exit_code, 0);
    json_t *lines = json_lines(r.out);
    check_result(lines, 0);
    const json_t *version = json_array_get(lines, 0);
    assert_string_equal(member_string(version, "type"), "version");
    assert_string_equal(member_string(version, "cli"), ESPCTL_CLI_VERSION);
    assert_string_equal(member_string(version, "plugin_abi"), "1.1");
    assert_non_null(member_string(version, "library"));
    json_decref(lines);
    spawn_result_free(&r);
}

static void test_unknown_command(void **state)
{
    struct spawn_result r = run_espctl(*state, 1, "bogus", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_string_equal(r.out, "");
    assert_non_null(strstr(r.err, "unknown command 'bogus'"));
    assert_non_null(strstr(r.err, "usage: espctl"));
    spawn_result_free(&r);

    r = run_espctl(*state, 1, NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "usage: espctl"));
    spawn_result_free(&r);
}

static void test_unknown_option(void **state)
{
    struct spawn_result r = run_espctl(*state, 1, "--frobnicate", "plugins", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "unknown option '--frobnicate'"));
    assert_non_null(strstr(r.err, "usage: espctl"));
    spawn_result_free(&r);

    r = run_espctl(*state, 1, "plugins", "list", "--frobnicate", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "usage: espctl plugins"));
    spawn_result_free(&r);

    r = run_espctl(*state, 1, "probes", "-Z", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "unknown option '-Z'"));
    spawn_result_free(&r);
}

static void test_missing_argument(void **state)
{
    struct spawn_result r = run_espctl(*state, 1, "--plugin-path", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "needs an argument"));
    assert_non_null(strstr(r.err, "usage: espctl"));
    spawn_result_free(&r);

    r = run_espctl(*state, 1, "plugins", "frob", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "unknown action 'frob'"));
    spawn_result_free(&r);
}

static void test_json_usage_error(void **state)
{
    struct spawn_result r = run_espctl(*state, 1, "--json", "bogus", NULL);
    assert_int_equal(r.exit_code, 2);
    json_t *lines = json_lines(r.out);
    assert_int_equal(json_array_size(lines), 1);
    const json_t *result = check_result(lines, 2);
    assert_string_equal(member_string(json_object_get(result, "error"), "code"),
                        "ESPCTL_E_INVAL");
    json_decref(lines);
    spawn_result_free(&r);
}

static void test_help(void **state)
{
    struct spawn_result r = run_espctl(*state, 1, "help", "plugins", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_true(strncmp(r.out, "usage: espctl plugins", 21) == 0);
    spawn_result_free(&r);

    r = run_espctl(*state, 1, "plugins", "--help", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_true(strncmp(r.out, "usage: espctl plugins", 21) == 0);
    spawn_result_free(&r);

    r = run_espctl(*state, 1, "probes", "-h", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_true(strncmp(r.out, "usage: espctl probes", 20) == 0);
    spawn_result_free(&r);

    r = run_espctl(*state, 1, "help", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "\n  plugins "));
    assert_non_null(strstr(r.out, "\n  probes "));
    spawn_result_free(&r);

    r = run_espctl(*state, 1, "--help", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "--plugin-path DIR"));
    spawn_result_free(&r);

    r = run_espctl(*state, 1, "help", "bogus", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "unknown command 'bogus'"));
    spawn_result_free(&r);
}

/* Every command in `espctl help` answers `help NAME`, `NAME --help` and
 * `NAME --help --json` with its usage, exit 0. */
static void test_every_command_help(void **state)
{
    struct spawn_result list = run_espctl(*state, 1, "help", NULL);
    assert_int_equal(list.exit_code, 0);
    const char *p = strstr(list.out, "\ncommands:\n");
    assert_non_null(p);
    p += strlen("\ncommands:\n");
    size_t commands = 0;
    while (strncmp(p, "  ", 2) == 0) {
        char name[64];
        assert_int_equal(sscanf(p, " %63s", name), 1);
        char usage[96];
        snprintf(usage, sizeof usage, "usage: espctl %s", name);

        struct spawn_result r = run_espctl(*state, 1, "help", name, NULL);
        if (r.exit_code != 0 || strncmp(r.out, usage, strlen(usage)) != 0)
            fail_msg("'espctl help %s' exit %d, stdout: %.80s", name, r.exit_code, r.out);
        spawn_result_free(&r);

        r = run_espctl(*state, 1, name, "--help", NULL);
        if (r.exit_code != 0 || strncmp(r.out, usage, strlen(usage)) != 0)
            fail_msg("'espctl %s --help' exit %d, stdout: %.80s", name, r.exit_code, r.out);
        spawn_result_free(&r);

        r = run_espctl(*state, 1, name, "--help", "--json", NULL);
        assert_int_equal(r.exit_code, 0);
        json_t *lines = json_lines(r.out);
        check_result(lines, 0);
        assert_string_equal(line_type(json_array_get(lines, 0)), "help");
        json_decref(lines);
        spawn_result_free(&r);

        commands++;
        p = strchr(p, '\n');
        assert_non_null(p);
        p++;
    }
    assert_true(commands >= 3); /* plugins, probes, help at least */
    print_message("%zu commands answer help and --help\n", commands);
    spawn_result_free(&list);
}

static const json_t *find_plugin(const json_t *lines, const char *file_name)
{
    for (size_t i = 0; i < json_array_size(lines); i++) {
        const json_t *line = json_array_get(lines, i);
        if (strcmp(line_type(line), "plugin") != 0)
            continue;
        const char *path = member_string(line, "path");
        assert_non_null(path);
        const char *base = strrchr(path, '/');
        if (strcmp(base != NULL ? base + 1 : path, file_name) == 0)
            return line;
    }
    return NULL;
}

static void test_plugins_list_json(void **state)
{
    /* No ESPCTL_PLUGIN_PATH: the plugins next to the built library are found. */
    struct spawn_result r = run_espctl(*state, 0, "plugins", "list", "--json", NULL);
    assert_int_equal(r.exit_code, 0);
    json_t *lines = json_lines(r.out);
    const json_t *result = check_result(lines, 0);
    size_t plugin_lines = count_type(lines, "plugin");
    assert_int_equal(json_integer_value(json_object_get(result, "plugins")), plugin_lines);
    assert_int_equal(json_array_size(lines), plugin_lines + 1);

    size_t built = 0;
    DIR *dir = opendir(ESPCTL_PLUGIN_BUILD_DIR);
    struct dirent *entry;
    while (dir != NULL && (entry = readdir(dir)) != NULL) {
        size_t len = strlen(entry->d_name);
        if (len <= 3 || strcmp(entry->d_name + len - 3, ".so") != 0)
            continue;
        built++;
        const json_t *plugin = find_plugin(lines, entry->d_name);
        if (plugin == NULL)
            fail_msg("built plugin %s is not listed", entry->d_name);
        if (strcmp(member_string(plugin, "status"), "loaded") != 0)
            fail_msg("built plugin %s was rejected: %s", entry->d_name,
                     member_string(plugin, "reason"));
        assert_string_equal(member_string(plugin, "abi"), "1.1");
        assert_non_null(member_string(plugin, "name"));
        assert_non_null(member_string(plugin, "version"));
        assert_true(json_is_null(json_object_get(plugin, "reason")));
        const json_t *components = json_object_get(plugin, "components");
        assert_true(json_is_array(components));
        for (size_t c = 0; c < json_array_size(components); c++) {
            assert_non_null(member_string(json_array_get(components, c), "kind"));
            assert_non_null(member_string(json_array_get(components, c), "name"));
        }
    }
    if (dir != NULL)
        closedir(dir);
    assert_true(json_integer_value(json_object_get(result, "loaded")) >= (json_int_t)built);
    print_message("%zu plugin(s) in the build tree, all listed as loaded\n", built);
    json_decref(lines);
    spawn_result_free(&r);

    /* The human table lists the same files. */
    r = run_espctl(*state, 0, "plugins", "list", NULL);
    assert_int_equal(r.exit_code, 0);
    if (built == 0)
        assert_non_null(strstr(r.out, "no plugins found"));
    else
        assert_true(strncmp(r.out, "NAME ", 5) == 0);
    spawn_result_free(&r);
}

static void test_plugin_path_rejected(void **state)
{
    struct fixture *f = *state;
    char junk[PATH_MAX + 64];
    snprintf(junk, sizeof junk, "%s/junk.so", f->empty_plugins);
    FILE *file = fopen(junk, "w");
    assert_non_null(file);
    fputs("this is not an ELF shared object\n", file);
    assert_int_equal(fclose(file), 0);

    struct spawn_result r =
        run_espctl(f, 0, "--plugin-path", f->empty_plugins, "plugins", "list", "--json", NULL);
    assert_int_equal(r.exit_code, 0);
    json_t *lines = json_lines(r.out);
    const json_t *result = check_result(lines, 0);
    const json_t *plugin = find_plugin(lines, "junk.so");
    assert_non_null(plugin);
    assert_string_equal(member_string(plugin, "status"), "rejected");
    assert_string_equal(member_string(plugin, "path"), junk);
    assert_non_null(member_string(plugin, "reason"));
    assert_non_null(member_string(plugin, "error"));
    assert_true(json_integer_value(json_object_get(result, "rejected")) >= 1);
    json_decref(lines);
    spawn_result_free(&r);

    r = run_espctl(f, 0, "--plugin-path", f->empty_plugins, "plugins", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_non_null(strstr(r.out, "junk.so"));
    assert_non_null(strstr(r.out, "rejected: "));
    spawn_result_free(&r);
}

static void test_probes_list_empty(void **state)
{
    struct spawn_result r = run_espctl(*state, 1, "probes", "list", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_true(strncmp(r.out, "no probes found\n", 16) == 0);
    assert_non_null(strstr(r.out, "hint: "));
    spawn_result_free(&r);

    r = run_espctl(*state, 1, "-q", "probes", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_string_equal(r.out, "no probes found\n");
    spawn_result_free(&r);
}

static void test_probes_list_json(void **state)
{
    struct spawn_result r = run_espctl(*state, 1, "probes", "list", "--json", NULL);
    assert_int_equal(r.exit_code, 0);
    json_t *lines = json_lines(r.out);
    const json_t *result = check_result(lines, 0);
    assert_int_equal(count_type(lines, "probe"), 0);
    assert_int_equal(json_integer_value(json_object_get(result, "probes")), 0);
    json_decref(lines);
    spawn_result_free(&r);
}

static void test_config_malformed(void **state)
{
    struct fixture *f = *state;
    write_config(f, "# espctl configuration\ndefault_probe = \"stlink:1234\"\nplugin_paths = [ ;\n");

    struct spawn_result r = run_espctl(f, 1, "plugins", "list", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "espctl/config:3"));
    spawn_result_free(&r);

    r = run_espctl(f, 1, "--json", "probes", "list", NULL);
    assert_int_equal(r.exit_code, 2);
    json_t *lines = json_lines(r.out);
    assert_int_equal(json_array_size(lines), 1);
    const json_t *error = json_object_get(check_result(lines, 2), "error");
    assert_string_equal(member_string(error, "code"), "ESPCTL_E_CONFIG");
    assert_non_null(strstr(member_string(error, "message"), "espctl/config:3"));
    json_decref(lines);
    spawn_result_free(&r);
}

static void test_config_missing(void **state)
{
    struct fixture *f = *state;
    /* XDG_CONFIG_HOME exists but holds no espctl/config. */
    struct spawn_result r = run_espctl(f, 1, "plugins", "list", NULL);
    assert_int_equal(r.exit_code, 0);
    assert_null(strstr(r.err, "configuration"));
    spawn_result_free(&r);

    /* A file named with --config must exist. */
    r = run_espctl(f, 1, "--config", "/nonexistent/espctl.conf", "plugins", NULL);
    assert_int_equal(r.exit_code, 2);
    assert_non_null(strstr(r.err, "/nonexistent/espctl.conf"));
    spawn_result_free(&r);
}

static void test_config_valid(void **state)
{
    struct fixture *f = *state;
    write_config(f, "default_probe = \"stlink:0001\";\nkeys = { trusted_dir = \"/tmp\"; };\n");
    struct spawn_result r = run_espctl(f, 1, "probes", "list", NULL);
    assert_int_equal(r.exit_code, 0);
    spawn_result_free(&r);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_version, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_command, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_option, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_argument, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_usage_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_help, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_command_help, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plugins_list_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_plugin_path_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_probes_list_empty, setup, teardown),
        cmocka_unit_test_setup_teardown(test_probes_list_json, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_valid, setup, teardown),
    };
    if (argc > 1) {
        /* Run exactly one named case; an unknown name is an error, not "0 tests". */
        size_t i = 0;
        while (i < sizeof tests / sizeof tests[0] && strcmp(tests[i].name, argv[1]) != 0)
            i++;
        if (i == sizeof tests / sizeof tests[0]) {
            fprintf(stderr, "no test case named %s\n", argv[1]);
            return 1;
        }
        cmocka_set_test_filter(argv[1]);
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
