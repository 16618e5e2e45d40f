/* Configuration: file locations, flattened lookups, defaults, and rejection of
 * malformed files with file:line detail. */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

static int new_ctx(espctl_ctx **ctx, struct capture *cap, const char *const *paths,
                   uint32_t flags, const char *config_path)
{
    struct espctl_ctx_options o = support_options(cap, paths, flags);
    o.config_path = config_path;
    return espctl_ctx_new(ctx, &o);
}

static const uint32_t no_plugins = ESPCTL_CTX_NO_ENV_PATH | ESPCTL_CTX_NO_SYSTEM_PLUGINS;

static void valid_file_values_are_rendered_as_text(void **state)
{
    (void)state;
    const char *dir = support_tmpdir();
    const char *cfg = support_write_file(dir, "config",
        "# espctl configuration\n"
        "default_probe = \"stlink:0483:374b\";\n"
        "keys: { trusted_dir = \"/etc/espctl/keys\"; signing_key = \"/k/dev.pem\"; };\n"
        "stlink: { speed_khz = 4000; verbose = true; ratio = 1.5; big = 5000000000L;\n"
        "          nested: { deep = \"yes\"; }; };\n");
    espctl_ctx *ctx = NULL;
    assert_int_equal(new_ctx(&ctx, NULL, NULL, no_plugins, cfg), 0);
    assert_string_equal(espctl_config_path(ctx), cfg);
    assert_string_equal(espctl_config_get(ctx, "default_probe"), "stlink:0483:374b");
    assert_string_equal(espctl_config_get(ctx, "core.default_probe"), "stlink:0483:374b");
    assert_string_equal(espctl_config_get(ctx, "keys.trusted_dir"), "/etc/espctl/keys");
    assert_string_equal(espctl_config_get(ctx, "keys.signing_key"), "/k/dev.pem");
    assert_string_equal(espctl_config_get(ctx, "stlink.speed_khz"), "4000");
    assert_string_equal(espctl_config_get(ctx, "stlink.verbose"), "true");
    assert_string_equal(espctl_config_get(ctx, "stlink.ratio"), "1.5");
    assert_string_equal(espctl_config_get(ctx, "stlink.big"), "5000000000");
    assert_string_equal(espctl_config_get(ctx, "stlink.nested.deep"), "yes");
    assert_null(espctl_config_get(ctx, "stlink"));
    assert_null(espctl_config_get(ctx, "stlink.nope"));
    assert_null(espctl_config_get(ctx, NULL));
    espctl_ctx_free(ctx);
}

static void plugins_read_config_through_the_host(void **state)
{
    (void)state;
    const char *dir = support_tmpdir();
    const char *cfg = support_write_file(dir, "config", "good: { greeting = \"hi there\"; };\n");
    const char *paths[] = {support_fixture_dir("good"), NULL};
    struct capture cap = {0};
    espctl_ctx *ctx = NULL;
    assert_int_equal(new_ctx(&ctx, &cap, paths, no_plugins, cfg), 0);
    assert_non_null(support_find_log(&cap, "good", "greeting=hi there"));
    espctl_ctx_free(ctx);
}

static void default_location_follows_xdg_then_home(void **state)
{
    (void)state;
    const char *xdg = support_tmpdir();
    char espdir[1100];
    snprintf(espdir, sizeof espdir, "%s/espctl", xdg);
    assert_int_equal(mkdir(espdir, 0700), 0);
    const char *cfg = support_write_file(espdir, "config", "default_probe = \"from-xdg\";\n");
    setenv("XDG_CONFIG_HOME", xdg, 1);
    espctl_ctx *ctx = NULL;
    assert_int_equal(new_ctx(&ctx, NULL, NULL, no_plugins, NULL), 0);
    assert_string_equal(espctl_config_path(ctx), cfg);
    assert_string_equal(espctl_config_get(ctx, "default_probe"), "from-xdg");
    espctl_ctx_free(ctx);

    /* ESPCTL_CTX_NO_USER_CONFIG skips it. */
    assert_int_equal(new_ctx(&ctx, NULL, NULL, no_plugins | ESPCTL_CTX_NO_USER_CONFIG, NULL), 0);
    assert_null(espctl_config_path(ctx));
    assert_null(espctl_config_get(ctx, "default_probe"));
    espctl_ctx_free(ctx);

    const char *home = support_tmpdir();
    char dotconfig[1100];
    snprintf(dotconfig, sizeof dotconfig, "%s/.config", home);
    assert_int_equal(mkdir(dotconfig, 0700), 0);
    snprintf(espdir, sizeof espdir, "%s/.config/espctl", home);
    assert_int_equal(mkdir(espdir, 0700), 0);
    const char *home_cfg = support_write_file(espdir, "config", "default_probe = \"from-home\";\n");
    unsetenv("XDG_CONFIG_HOME");
    setenv("HOME", home, 1);
    assert_int_equal(new_ctx(&ctx, NULL, NULL, no_plugins, NULL), 0);
    assert_string_equal(espctl_config_path(ctx), home_cfg);
    assert_string_equal(espctl_config_get(ctx, "default_probe"), "from-home");
    char trusted[1200];
    snprintf(trusted, sizeof trusted, "%s/.config/espctl/trusted-keys", home);
    assert_string_equal(espctl_config_get(ctx, "keys.trusted_dir"), trusted);
    espctl_ctx_free(ctx);
}

static void missing_default_file_is_fine(void **state)
{
    (void)state;
    const char *xdg = support_tmpdir();
    setenv("XDG_CONFIG_HOME", xdg, 1);
    espctl_ctx *ctx = NULL;
    assert_int_equal(new_ctx(&ctx, NULL, NULL, no_plugins, NULL), 0);
    assert_null(espctl_config_path(ctx));
    char trusted[1200];
    snprintf(trusted, sizeof trusted, "%s/espctl/trusted-keys", xdg);
    assert_string_equal(espctl_config_get(ctx, "keys.trusted_dir"), trusted);
    espctl_ctx_free(ctx);
}

static void missing_named_file_is_an_error(void **state)
{
    (void)state;
    char path[1100];
    snprintf(path, sizeof path, "%s/absent.cfg", support_tmpdir());
    espctl_ctx *ctx = (espctl_ctx *)&ctx;
    assert_int_equal(new_ctx(&ctx, NULL, NULL, no_plugins, path), ESPCTL_E_CONFIG);
    assert_null(ctx);
    assert_non_null(strstr(espctl_last_error(), path));
    assert_non_null(strstr(espctl_last_error(), "No such file"));
}

static void expect_config_error(const char *text, const char *detail_suffix)
{
    const char *cfg = support_write_file(support_tmpdir(), "config", text);
    espctl_ctx *ctx = NULL;
    assert_int_equal(new_ctx(&ctx, NULL, NULL, no_plugins, cfg), ESPCTL_E_CONFIG);
    assert_null(ctx);
    char expected[2200];
    snprintf(expected, sizeof expected, "%s:%s", cfg, detail_suffix);
    if (strncmp(espctl_last_error(), expected, strlen(expected)) != 0)
        fail_msg("detail \"%s\" does not start with \"%s\"", espctl_last_error(), expected);
}

static void malformed_file_fails_with_file_and_line(void **state)
{
    (void)state;
    expect_config_error("default_probe = \"x\";\n\nstlink: { speed_khz = ; };\n", "3: ");
    expect_config_error("a = 1;\na = 2;\n", "2: ");
}

static void wrong_types_for_core_keys_are_rejected(void **state)
{
    (void)state;
    expect_config_error("plugin_paths = 5;\n", "1: plugin_paths must be a list of strings");
    expect_config_error("\nplugin_paths = ( \"/a\", 7 );\n", "2: plugin_paths must be");
    expect_config_error("keys: {\n  trusted_dir = 12;\n};\n", "2: keys.trusted_dir must be a string");
}

static void malformed_default_file_also_fails(void **state)
{
    (void)state;
    const char *xdg = support_tmpdir();
    char espdir[1100];
    snprintf(espdir, sizeof espdir, "%s/espctl", xdg);
    assert_int_equal(mkdir(espdir, 0700), 0);
    const char *cfg = support_write_file(espdir, "config", "this is not libconfig\n");
    setenv("XDG_CONFIG_HOME", xdg, 1);
    espctl_ctx *ctx = NULL;
    assert_int_equal(new_ctx(&ctx, NULL, NULL, no_plugins, NULL), ESPCTL_E_CONFIG);
    char expected[1200];
    snprintf(expected, sizeof expected, "%s:1: ", cfg);
    assert_memory_equal(espctl_last_error(), expected, strlen(expected));
}

static void directory_as_config_is_unreadable(void **state)
{
    (void)state;
    const char *dir = support_tmpdir();
    espctl_ctx *ctx = NULL;
    assert_int_equal(new_ctx(&ctx, NULL, NULL, no_plugins, dir), ESPCTL_E_CONFIG);
    assert_non_null(strstr(espctl_last_error(), dir));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valid_file_values_are_rendered_as_text),
        cmocka_unit_test(plugins_read_config_through_the_host),
        cmocka_unit_test(default_location_follows_xdg_then_home),
        cmocka_unit_test(missing_default_file_is_fine),
        cmocka_unit_test(missing_named_file_is_an_error),
        cmocka_unit_test(malformed_file_fails_with_file_and_line),
        cmocka_unit_test(wrong_types_for_core_keys_are_rejected),
        cmocka_unit_test(malformed_default_file_also_fails),
        cmocka_unit_test(directory_as_config_is_unreadable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
