/* Search order, first-basename-wins, env and config paths, unreadable directories. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

static espctl_ctx *new_ctx(struct capture *cap, const char *const *paths, uint32_t flags,
                           const char *config_path)
{
    struct espctl_ctx_options o = support_options(cap, paths, flags);
    o.config_path = config_path;
    espctl_ctx *ctx = NULL;
    int rc = espctl_ctx_new(&ctx, &o);
    if (rc != 0)
        fail_msg("espctl_ctx_new: %s: %s", espctl_error_name(rc), espctl_last_error());
    return ctx;
}

/* Asserts exactly one samename.so was seen, from `group`, loaded as `name`. */
static void assert_samename_from(espctl_ctx *ctx, const char *group, const char *name,
                                 const char *probe, const char *shadowed_probe)
{
    int seen = 0;
    for (uint32_t i = 0; i < espctl_plugin_count(ctx); i++) {
        struct espctl_plugin_info info = {.hdr = ESPCTL_ABI_HDR(struct espctl_plugin_info)};
        assert_int_equal(espctl_plugin_get(ctx, i, &info), 0);
        if (strstr(info.path, "/samename.so"))
            seen++;
    }
    assert_int_equal(seen, 1);
    struct espctl_plugin_info info;
    assert_true(support_find_plugin(ctx, "samename.so", &info) >= 0);
    assert_int_equal(info.status, ESPCTL_PLUGIN_LOADED);
    assert_string_equal(info.name, name);
    char expected[1100];
    snprintf(expected, sizeof expected, "%s/samename.so", support_fixture_dir(group));
    assert_string_equal(info.path, expected);
    assert_true(support_has_probe(ctx, probe));
    assert_false(support_has_probe(ctx, shadowed_probe));
}

static void first_directory_wins_for_same_basename(void **state)
{
    (void)state;
    const char *paths[] = {support_fixture_dir("shadow-first"),
                           support_fixture_dir("shadow-second"), NULL};
    espctl_ctx *ctx = new_ctx(NULL, paths, SUPPORT_ISOLATED, NULL);
    assert_samename_from(ctx, "shadow-first", "shadow_first", "shadowfirst:0001",
                         "shadowsecond:0001");
    espctl_ctx_free(ctx);

    const char *reversed[] = {paths[1], paths[0], NULL};
    ctx = new_ctx(NULL, reversed, SUPPORT_ISOLATED, NULL);
    assert_samename_from(ctx, "shadow-second", "shadow_second", "shadowsecond:0001",
                         "shadowfirst:0001");
    espctl_ctx_free(ctx);
}

static void files_load_in_directory_then_name_order(void **state)
{
    (void)state;
    espctl_ctx *ctx = support_ctx(NULL, "good", "versions", NULL);
    assert_non_null(ctx);
    static const char *const expected[] = {"good.so", "entryv2.so", "hdrmajor2.so",
                                           "newminor.so", "oldminor.so"};
    assert_int_equal(espctl_plugin_count(ctx), 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(support_find_plugin(ctx, expected[i], NULL), i);
    espctl_ctx_free(ctx);
}

static void env_path_is_searched_after_front_end_paths(void **state)
{
    (void)state;
    char env[2200];
    snprintf(env, sizeof env, "::%s:%s:", support_fixture_dir("shadow-second"),
             support_fixture_dir("good"));
    assert_int_equal(setenv("ESPCTL_PLUGIN_PATH", env, 1), 0);
    uint32_t flags = ESPCTL_CTX_NO_USER_CONFIG | ESPCTL_CTX_NO_SYSTEM_PLUGINS;

    /* Env alone: its directories are used in order. */
    espctl_ctx *ctx = new_ctx(NULL, NULL, flags, NULL);
    assert_samename_from(ctx, "shadow-second", "shadow_second", "shadowsecond:0001",
                         "shadowfirst:0001");
    assert_true(support_has_probe(ctx, "fake:0001"));
    espctl_ctx_free(ctx);

    /* A front-end path comes before the env path. */
    const char *paths[] = {support_fixture_dir("shadow-first"), NULL};
    ctx = new_ctx(NULL, paths, flags, NULL);
    assert_samename_from(ctx, "shadow-first", "shadow_first", "shadowfirst:0001",
                         "shadowsecond:0001");
    espctl_ctx_free(ctx);

    /* ESPCTL_CTX_NO_ENV_PATH ignores it. */
    ctx = new_ctx(NULL, NULL, flags | ESPCTL_CTX_NO_ENV_PATH, NULL);
    assert_int_equal(espctl_plugin_count(ctx), 0);
    espctl_ctx_free(ctx);
    unsetenv("ESPCTL_PLUGIN_PATH");
}

static void config_paths_come_after_env(void **state)
{
    (void)state;
    const char *dir = support_tmpdir();
    char text[2400];
    snprintf(text, sizeof text, "plugin_paths = [ \"%s\", \"%s\" ];\n",
             support_fixture_dir("shadow-second"), support_fixture_dir("good"));
    const char *cfg = support_write_file(dir, "config", text);
    uint32_t flags = ESPCTL_CTX_NO_SYSTEM_PLUGINS;

    unsetenv("ESPCTL_PLUGIN_PATH");
    espctl_ctx *ctx = new_ctx(NULL, NULL, flags, cfg);
    assert_samename_from(ctx, "shadow-second", "shadow_second", "shadowsecond:0001",
                         "shadowfirst:0001");
    assert_true(support_has_probe(ctx, "fake:0001"));
    espctl_ctx_free(ctx);

    assert_int_equal(setenv("ESPCTL_PLUGIN_PATH", support_fixture_dir("shadow-first"), 1), 0);
    ctx = new_ctx(NULL, NULL, flags, cfg);
    assert_samename_from(ctx, "shadow-first", "shadow_first", "shadowfirst:0001",
                         "shadowsecond:0001");
    espctl_ctx_free(ctx);
    unsetenv("ESPCTL_PLUGIN_PATH");
}

static void unreadable_directory_is_a_warning(void **state)
{
    (void)state;
    const char *dir = support_tmpdir();
    const char *not_a_dir = support_write_file(dir, "plain-file", "x\n");
    char missing[1100];
    snprintf(missing, sizeof missing, "%s/no-such-dir", dir);
    const char *paths[] = {not_a_dir, missing, support_fixture_dir("good"), NULL};
    struct capture cap = {0};
    espctl_ctx *ctx = new_ctx(&cap, paths, SUPPORT_ISOLATED, NULL);
    char needle[1200];
    snprintf(needle, sizeof needle, "skipping plugin directory %s:", not_a_dir);
    const struct capture_log *l = support_find_log(&cap, "core", needle);
    assert_non_null(l);
    assert_int_equal(l->level, ESPCTL_LOG_WARN);
    assert_non_null(strstr(l->message, "Not a directory"));
    assert_non_null(strstr(l->message, "errno"));
    snprintf(needle, sizeof needle, "skipping plugin directory %s:", missing);
    l = support_find_log(&cap, "core", needle);
    assert_non_null(l);
    assert_int_equal(l->level, ESPCTL_LOG_WARN);
    assert_non_null(strstr(l->message, "No such file or directory"));
    assert_true(support_has_probe(ctx, "fake:0001"));
    espctl_ctx_free(ctx);
}

static void only_regular_so_files_are_considered(void **state)
{
    (void)state;
    const char *dir = support_tmpdir();
    support_write_file(dir, "notes.txt", "not a plugin\n");
    support_write_file(dir, "x.so.1", "not a plugin either\n");
    char sub[1100];
    snprintf(sub, sizeof sub, "%s/subdir.so", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    const char *paths[] = {dir, NULL};
    espctl_ctx *ctx = new_ctx(NULL, paths, SUPPORT_ISOLATED, NULL);
    assert_int_equal(espctl_plugin_count(ctx), 0);
    espctl_ctx_free(ctx);
}

/* The system directory is <dir of libespctl.so>/espctl/plugins, found at run time. */
static void system_directory_follows_the_library(void **state)
{
    (void)state;
    char *libdir = realpath(CORE_LIB_DIR, NULL);
    assert_non_null(libdir);
    char line[2200];
    snprintf(line, sizeof line, "scanning plugin directory %s/espctl/plugins", libdir);
    free(libdir);

    struct capture cap = {0};
    espctl_ctx *ctx = new_ctx(&cap, NULL, ESPCTL_CTX_NO_ENV_PATH | ESPCTL_CTX_NO_USER_CONFIG,
                              NULL);
    assert_non_null(support_find_log(&cap, "core", line));
    espctl_ctx_free(ctx);

    memset(&cap, 0, sizeof cap);
    ctx = new_ctx(&cap, NULL, SUPPORT_ISOLATED, NULL);
    assert_null(support_find_log(&cap, "core", "scanning plugin directory"));
    espctl_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_directory_wins_for_same_basename),
        cmocka_unit_test(files_load_in_directory_then_name_order),
        cmocka_unit_test(env_path_is_searched_after_front_end_paths),
        cmocka_unit_test(config_paths_come_after_env),
        cmocka_unit_test(unreadable_directory_is_a_warning),
        cmocka_unit_test(only_regular_so_files_are_considered),
        cmocka_unit_test(system_directory_follows_the_library),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
