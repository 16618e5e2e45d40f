/* The STM32F7's on-target verify (decision 0805): the simulated CRC unit and DMA2 against
 * independent vectors, then stm32f7.so's check() driving them over the simulated F746ZG. */
#include "family_harness.h"

#include "sim/flash_families.h"

#include <stdlib.h>
#include <string.h>

#define BASE 0x08000000u
#define KIB 1024u
#define RCC_AHB1ENR 0x40023830u
#define AHB1ENR_RESET 0x00100000u
#define CRCEN (1u << 12)
#define DMA2EN (1u << 22)
#define CRC_DR 0x40023000u
#define CRC_CR 0x40023008u
#define CRC_POL 0x40023014u
#define DMA2 0x40026400u
#define LISR (DMA2 + 0x00u)
#define LIFCR (DMA2 + 0x08u)
#define S1CR (DMA2 + 0x10u + 0x18u)
#define S1NDTR (S1CR + 0x04u)
#define S1PAR (S1CR + 0x08u)
#define S1M0AR (S1CR + 0x0Cu)
#define S0CR (DMA2 + 0x10u)
#define M2M_WORDS ((2u << 6) | (1u << 9) | (1u << 10) | (2u << 11) | (2u << 13))
#define TEIF1 (1u << 9)
#define HTIF1 (1u << 10)
#define TCIF1 (1u << 11)

static uint32_t rd(struct family_fixture *fx, uint32_t address)
{
    uint32_t v = 0;
    assert_int_equal(sim_bus_read(&fx->target->bus, address, 4, &v), 0);
    return v;
}

static void wr(struct family_fixture *fx, uint32_t address, uint32_t value)
{
    assert_int_equal(sim_bus_write(&fx->target->bus, address, 4, value), 0);
}

static void feed_bytes(struct family_fixture *fx, const char *s)
{
    for (; *s; s++)
        assert_int_equal(sim_bus_write(&fx->target->bus, CRC_DR, 1, (uint8_t)*s), 0);
}

/* Clock off: the unit ignores writes and reads 0. With its reset settings it computes
 * CRC-32/MPEG-2 (check value 0x0376E6E7 for "123456789"), a word feeding its bytes from the most
 * significant; with input reversed by byte and output reversed it gives zlib's CRC-32 (0xCBF43926)
 * once inverted. */
static void crc_unit_matches_published_check_values(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32f7", "stm32f746zg");
    assert_int_equal(rd(fx, RCC_AHB1ENR), AHB1ENR_RESET);
    assert_int_equal(rd(fx, CRC_POL), 0);
    wr(fx, RCC_AHB1ENR, AHB1ENR_RESET | CRCEN);
    assert_int_equal(rd(fx, CRC_POL), 0x04C11DB7u);
    assert_int_equal(rd(fx, CRC_DR), 0xFFFFFFFFu);
    wr(fx, CRC_DR, 0x31323334u); /* "1234" */
    wr(fx, CRC_DR, 0x35363738u); /* "5678" */
    feed_bytes(fx, "9");
    assert_int_equal(rd(fx, CRC_DR), 0x0376E6E7u);
    wr(fx, CRC_CR, (1u << 5) | (1u << 7) | 1u); /* REV_IN by byte, REV_OUT, RESET */
    feed_bytes(fx, "123456789");
    assert_int_equal(~rd(fx, CRC_DR), 0xCBF43926u);
    wr(fx, RCC_AHB1ENR, AHB1ENR_RESET);
    wr(fx, CRC_DR, 0x12345678u);
    wr(fx, RCC_AHB1ENR, AHB1ENR_RESET | CRCEN);
    assert_int_equal(~rd(fx, CRC_DR), 0xCBF43926u);
    family_free(fx);
}

static void start_copy(struct family_fixture *fx, uint32_t from, uint32_t to, uint32_t items,
                       uint32_t config)
{
    wr(fx, S1NDTR, items);
    wr(fx, S1PAR, from);
    wr(fx, S1M0AR, to);
    wr(fx, S1CR, config);
    wr(fx, S1CR, config | 1u);
}

/* A memory-to-memory stream copies at SIM_F7_DMA_ITEM_NS per item: EN, NDTR and the flags follow
 * the clock; a byte source packs into words; a stream with flags left set does not start; a
 * bus error ends with TEIF. */
static void dma2_copies_memory_to_memory(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32f7", "stm32f746zg");
    wr(fx, RCC_AHB1ENR, AHB1ENR_RESET | DMA2EN);
    for (uint32_t i = 0; i < 16; i++)
        wr(fx, 0x20000000u + 4 * i, 0xA5000000u + i);
    start_copy(fx, 0x20000000u, 0x20001000u, 16, M2M_WORDS);
    assert_true(rd(fx, S1CR) & 1u);
    assert_int_equal(rd(fx, S1NDTR), 16);
    assert_int_equal(rd(fx, LISR), 0);
    fx->target->clock.now_ns += 8 * SIM_F7_DMA_ITEM_NS;
    assert_int_equal(rd(fx, S1NDTR), 8);
    assert_int_equal(rd(fx, LISR), HTIF1);
    fx->target->clock.now_ns += 8 * SIM_F7_DMA_ITEM_NS;
    assert_int_equal(rd(fx, LISR), HTIF1 | TCIF1);
    assert_false(rd(fx, S1CR) & 1u);
    assert_int_equal(rd(fx, S1NDTR), 0);
    for (uint32_t i = 0; i < 16; i++)
        assert_int_equal(rd(fx, 0x20001000u + 4 * i), 0xA5000000u + i);

    /* flags still set: EN does not stick and nothing moves */
    start_copy(fx, 0x20000000u, 0x20002000u, 4, M2M_WORDS);
    assert_false(rd(fx, S1CR) & 1u);
    assert_int_equal(rd(fx, 0x20002000u), 0);

    wr(fx, LIFCR, TCIF1 | HTIF1);
    start_copy(fx, 0x20000000u, 0x20002000u, 8, M2M_WORDS & ~(3u << 11)); /* PSIZE byte */
    fx->target->clock.now_ns += 8 * SIM_F7_DMA_ITEM_NS;
    assert_int_equal(rd(fx, LISR) & TCIF1, TCIF1);
    assert_int_equal(rd(fx, 0x20002000u), 0xA5000000u);
    assert_int_equal(rd(fx, 0x20002004u), 0xA5000001u);

    wr(fx, LIFCR, 0x0F7D0F7Du);
    start_copy(fx, 0x60000000u, 0x20003000u, 4, M2M_WORDS); /* nothing mapped there */
    fx->target->clock.now_ns += SIM_F7_DMA_ITEM_NS;
    assert_int_equal(rd(fx, LISR), TEIF1);
    assert_false(rd(fx, S1CR) & 1u);
    assert_int_equal(rd(fx, S1NDTR), 4);
    family_free(fx);
}

static uint8_t *pattern(uint32_t len, uint32_t seed)
{
    uint8_t *p = malloc(len);
    assert_non_null(p);
    for (uint32_t i = 0; i < len; i++)
        p[i] = (uint8_t)(i * 29u + seed + (i >> 9));
    return p;
}

/* check() confirms a programmed range with a few register accesses instead of reading it back,
 * continues the CRC across calls, finds one flipped byte, and leaves RCC as it found it. */
static void check_confirms_and_catches_a_flip(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32f7", "stm32f746zg");
    family_open(fx);
    assert_int_equal(fx->geometry.check_unit, 4);
    assert_true(ESPCTL_HAS_FN(fx->family, struct espctl_chip_family, check));
    const uint32_t len = 48 * KIB;
    uint8_t *data = pattern(len, 3);
    assert_int_equal(fx->family->program(fx->flash, BASE + 32 * KIB, data, len), 0);
    uint64_t checked = 0, words = fx->target->stats.words_read;
    int same = 0;
    assert_int_equal(fx->family->check(fx->flash, BASE + 32 * KIB, data, 16 * KIB, &checked, &same),
                     0);
    assert_int_equal(checked, 16 * KIB);
    assert_true(same);
    assert_int_equal(fx->family->check(fx->flash, BASE + 48 * KIB, data + 16 * KIB, 32 * KIB,
                                       &checked, &same), 0);
    assert_int_equal(checked, 32 * KIB);
    assert_true(same);
    /* register reads only (RCC, S0CR, LISR polls, CRC_DR), not the 12288 words checked */
    assert_true(fx->target->stats.words_read - words < 64);
    fx->target->flash.array[32 * KIB + 40000u] ^= 0x01;
    assert_int_equal(fx->family->check(fx->flash, BASE + 32 * KIB, data, len, &checked, &same), 0);
    assert_int_equal(checked, len);
    assert_false(same);
    assert_int_equal(rd(fx, RCC_AHB1ENR), AHB1ENR_RESET | CRCEN | DMA2EN);
    fx->family->flash_close(fx->flash);
    fx->flash = NULL;
    assert_int_equal(rd(fx, RCC_AHB1ENR), AHB1ENR_RESET);
    free(data);
    family_free(fx);
}

/* NDTR counts 65535 words at most: a longer range is checked in pieces. Ranges must be whole
 * words inside the flash. */
static void check_splits_long_ranges_and_rejects_bad_ones(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32f7", "stm32f746zg");
    family_fill(fx, BASE, 512 * KIB, 0x5A);
    family_open(fx);
    uint8_t *want = malloc(512 * KIB);
    assert_non_null(want);
    memset(want, 0x5A, 512 * KIB);
    uint64_t checked = 0;
    int same = 0;
    assert_int_equal(fx->family->check(fx->flash, BASE, want, 512 * KIB, &checked, &same), 0);
    assert_int_equal(checked, 65535u * 4u);
    assert_true(same);
    assert_int_equal(fx->family->check(fx->flash, BASE + checked, want, 512 * KIB - checked,
                                       &checked, &same), 0);
    assert_int_equal(checked, 65535u * 4u);
    assert_true(same);
    assert_error(fx->family->check(fx->flash, BASE + 2, want, 64, &checked, &same), ESPCTL_E_INVAL,
                 "whole 32-bit words");
    assert_error(fx->family->check(fx->flash, 0x080FFFC0u, want, 128, &checked, &same),
                 ESPCTL_E_INVAL, "0x080fffc0", "stm32f746zg");
    free(want);
    family_free(fx);
}

/* The set-up (clocks, CRC start value) is issued while an erase runs, where it costs nothing. */
static void check_is_prepared_during_an_erase(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32f7", "stm32f746zg");
    family_open(fx);
    assert_int_equal(rd(fx, RCC_AHB1ENR), AHB1ENR_RESET);
    uint64_t before = fx->target->stats.page_erases;
    assert_int_equal(fx->family->erase_sector(fx->flash, BASE), 0);
    assert_int_equal(fx->target->stats.page_erases, before + 1);
    assert_int_equal(rd(fx, RCC_AHB1ENR), AHB1ENR_RESET | CRCEN | DMA2EN);
    assert_int_equal(rd(fx, CRC_DR), 0xFFFFFFFFu);
    family_free(fx);
}

/* A stream 0 the halted firmware left running is not touched: check() declines (checked 0) and the
 * caller reads back. */
static void check_leaves_a_running_stream_alone(void **state)
{
    (void)state;
    struct family_fixture *fx = family_load("stm32f7", "stm32f746zg");
    wr(fx, RCC_AHB1ENR, AHB1ENR_RESET | DMA2EN);
    const uint32_t p2m = (2u << 11) | (2u << 13) | (1u << 10) | (3u << 25); /* waits for requests */
    wr(fx, S0CR, p2m);
    wr(fx, S0CR, p2m | 1u);
    family_open(fx);
    uint8_t want[64];
    memset(want, 0xFF, sizeof want);
    uint64_t checked = 1;
    int same = 1;
    assert_int_equal(fx->family->check(fx->flash, BASE, want, sizeof want, &checked, &same), 0);
    assert_int_equal(checked, 0);
    assert_int_equal(rd(fx, S0CR), p2m | 1u);
    family_free(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crc_unit_matches_published_check_values),
        cmocka_unit_test(dma2_copies_memory_to_memory),
        cmocka_unit_test(check_confirms_and_catches_a_flip),
        cmocka_unit_test(check_splits_long_ranges_and_rejects_bad_ones),
        cmocka_unit_test(check_is_prepared_during_an_erase),
        cmocka_unit_test(check_leaves_a_running_stream_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
