/* The core's flash front-end API with the real cortexm.so loaded: choosing the flash
 * target from kind and chip, and naming the stage when connecting fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "espctl/flash.h"

#include <string.h>

static int ctx_setup(void **state)
{
    static const char *const paths[] = {CORTEXM_PLUGIN_DIR, NULL};
    struct espctl_ctx_options o = {.hdr = ESPCTL_ABI_HDR(struct espctl_ctx_options),
                                   .plugin_paths = paths,
                                   .flags = ESPCTL_CTX_NO_ENV_PATH | ESPCTL_CTX_NO_USER_CONFIG |
                                            ESPCTL_CTX_NO_SYSTEM_PLUGINS,
                                   .log_level = ESPCTL_LOG_ERROR};
    espctl_ctx *ctx = NULL;
    if (espctl_ctx_new(&ctx, &o) != 0)
        return -1;
    *state = ctx;
    return 0;
}

static int ctx_teardown(void **state)
{
    espctl_ctx_free(*state);
    return 0;
}

static int open_with(espctl_ctx *ctx, const char *kind, const char *chip, const char *probe)
{
    struct espctl_flash_open_options o = {.hdr = ESPCTL_ABI_HDR(struct espctl_flash_open_options),
                                          .target_kind = kind, .chip = chip, .probe = probe};
    espctl_flash_session *s = NULL;
    int rc = espctl_flash_open(ctx, &o, &s);
    if (rc == 0)
        espctl_flash_close(s);
    else
        assert_null(s);
    return rc;
}

static void unknown_kind(void **state)
{
    assert_int_equal(open_with(*state, "nosuch", NULL, NULL), ESPCTL_E_NOT_FOUND);
    assert_non_null(strstr(espctl_last_error(), "no flash target 'nosuch'"));
}

static void unknown_chip(void **state)
{
    assert_int_equal(open_with(*state, NULL, "stm32f999zz", NULL), ESPCTL_E_INVAL);
    assert_non_null(strstr(espctl_last_error(), "unknown chip 'stm32f999zz'"));
    assert_int_equal(open_with(*state, "cortexm", "esp32s3", NULL), ESPCTL_E_INVAL);
    assert_non_null(strstr(espctl_last_error(), "unknown chip 'esp32s3'"));
}

static void connect_failure_names_the_stage(void **state)
{
    /* cortexm is chosen by chip; no driver owns the "nodriver:" prefix or lists it */
    int rc = open_with(*state, NULL, "STM32G431RBTx", "nodriver:1");
    assert_int_equal(rc, ESPCTL_E_NOT_FOUND);
    assert_true(strncmp(espctl_last_error(), "connect: ", 9) == 0);
    assert_non_null(strstr(espctl_last_error(), "nodriver:1"));
    /* no chip and no kind: the flash target the chip families name (cortexm) */
    rc = open_with(*state, NULL, NULL, "nodriver:1");
    assert_int_equal(rc, ESPCTL_E_NOT_FOUND);
    assert_non_null(strstr(espctl_last_error(), "no probe matches 'nodriver:1'"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(unknown_kind, ctx_setup, ctx_teardown),
        cmocka_unit_test_setup_teardown(unknown_chip, ctx_setup, ctx_teardown),
        cmocka_unit_test_setup_teardown(connect_failure_names_the_stage, ctx_setup, ctx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
