/* Fault specification parsing and the byte-level faults it applies. */
#include "esp_buf.h"
#include "esp_fault.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void test_parse_accepts_documented_items(void **state)
{
    (void)state;
    struct esp_faults f;
    char err[128];
    assert_int_equal(esp_fault_parse(&f, "rx-biterr=0.01,tx-drop-at=7,stall-after=3:250,nak-data=2,bad-md5,seed=5",
                                     err, sizeof err), 0);
    assert_true(f.rx.biterr_rate > 0.0099 && f.rx.biterr_rate < 0.0101);
    assert_int_equal(f.tx.drop_at, 7);
    assert_int_equal(f.rx.drop_at, FAULT_NEVER);
    assert_int_equal(f.stall_after, 3);
    assert_int_equal(f.stall_ms, 250);
    assert_int_equal(f.nak_data_at, 2);
    assert_int_equal(f.bad_md5, 1);
    assert_int_equal(f.rng, 5);
    assert_int_equal(esp_fault_parse(&f, "stall-after=0:forever", err, sizeof err), 0);
    assert_int_equal(f.stall_ms, -1);
}

static void test_parse_rejects_malformed_items(void **state)
{
    (void)state;
    static const char *const bad[] = {"rx-biterr=2", "tx-drop=-0.1", "rx-drop-at=x", "stall-after=3",
                                      "stall-after=:10", "nak-data=0", "bad-md5=1", "bogus", "rx-biterr",
                                      "tx-nothing=1", "seed=", "stall-after=1:99999999"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct esp_faults f;
        char err[128] = "";
        assert_int_equal(esp_fault_parse(&f, bad[i], err, sizeof err), -1);
        assert_non_null(strstr(err, "bad fault item"));
    }
}

static void test_positional_faults(void **state)
{
    (void)state;
    struct esp_faults f;
    char err[64];
    assert_int_equal(esp_fault_parse(&f, "tx-drop-at=2,tx-biterr-at=5", err, sizeof err), 0);
    struct esp_buf b = {0};
    const uint8_t first[4] = {10, 11, 12, 13}, second[4] = {14, 15, 16, 17};
    esp_buf_append(&b, first, 4);
    esp_fault_apply(&f, &f.tx, &b);
    const uint8_t want1[3] = {10, 11, 13};
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, want1, 3);
    esp_buf_clear(&b);
    esp_buf_append(&b, second, 4); /* positions continue across calls: byte 5 is the 15 */
    esp_fault_apply(&f, &f.tx, &b);
    const uint8_t want2[4] = {14, 15 ^ 1, 16, 17};
    assert_memory_equal(b.data, want2, 4);
    assert_int_equal(f.tx.bytes_dropped, 1);
    assert_int_equal(f.tx.bits_flipped, 1);
    assert_int_equal(f.rx.bits_flipped, 0);
    esp_buf_free(&b);
}

static void test_random_faults_are_reproducible(void **state)
{
    (void)state;
    uint8_t data[4096];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)i;
    struct esp_buf a = {0}, b = {0};
    struct esp_faults fa, fb;
    char err[64];
    assert_int_equal(esp_fault_parse(&fa, "rx-biterr=0.05,rx-drop=0.01,seed=9", err, sizeof err), 0);
    assert_int_equal(esp_fault_parse(&fb, "rx-biterr=0.05,rx-drop=0.01,seed=9", err, sizeof err), 0);
    esp_buf_append(&a, data, sizeof data);
    esp_buf_append(&b, data, sizeof data);
    esp_fault_apply(&fa, &fa.rx, &a);
    esp_fault_apply(&fb, &fb.rx, &b);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    assert_true(fa.rx.bits_flipped > 100 && fa.rx.bits_flipped < 330); /* ~5 % of 4096 */
    assert_true(fa.rx.bytes_dropped > 10 && fa.rx.bytes_dropped < 90); /* ~1 % */
    assert_int_equal(a.len + fa.rx.bytes_dropped, sizeof data);
    esp_buf_free(&a);
    esp_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_accepts_documented_items),
        cmocka_unit_test(test_parse_rejects_malformed_items),
        cmocka_unit_test(test_positional_faults),
        cmocka_unit_test(test_random_faults_are_reproducible),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
