/* On-target verification for the STM32F7 (decision 0805). The flash interface has no CRC unit of
 * its own, so DMA2 stream 0 moves the range from flash, memory to memory, into the CRC peripheral's
 * data register while the core stays halted; the host compares the result with the CRC of what it
 * wrote. */
#include "stm32f7.h"

#define RCC_AHB1ENR 0x40023830u
#define AHB1ENR_CRCEN (1u << 12)
#define AHB1ENR_DMA2EN (1u << 22)
#define AHB1ENR_NEEDED (AHB1ENR_CRCEN | AHB1ENR_DMA2EN)

#define CRC_DR 0x40023000u
#define CRC_CR 0x40023008u
#define CRC_INIT 0x40023010u
#define CRC_CR_RESET (1u << 0) /* POLYSIZE 32, no bit reversal */
#define CRC_START 0xFFFFFFFFu
#define CRC_POLY 0x04C11DB7u

#define DMA2_LISR 0x40026400u
#define DMA2_LIFCR 0x40026408u
#define DMA2_S0CR 0x40026410u
#define S0_FLAGS 0x3Du /* FEIF0, DMEIF0, TEIF0, HTIF0, TCIF0 */
#define S0_ENDED 0x2Du /* FEIF0, DMEIF0, TEIF0, TCIF0 */
#define S0_TCIF (1u << 5)
#define SCR_EN (1u << 0)
#define SCR_M2M (2u << 6)
#define SCR_PINC (1u << 9)
#define SCR_PSIZE_32 (2u << 11)
#define SCR_MSIZE_32 (2u << 13)
#define SCR_CONFIG (SCR_M2M | SCR_PINC | SCR_PSIZE_32 | SCR_MSIZE_32)
#define SFCR_FIFO_FULL 0x7u /* DMDIS (FIFO mode, required memory to memory), FTH full */
#define MAX_ITEMS 0xFFFFu  /* NDTR is 16 bits */

/* 65535 words take 25 ms at 6 cycles each on the 16 MHz reset clock; allow far more. */
#define DMA_TIMEOUT_US 1000000u

int f7_dma_crc_prepare(const struct stm32_io *io, struct f7_dma_crc *c)
{
    if (c->state != F7_DMA_CRC_UNPREPARED)
        return 0;
    uint32_t enr = 0, s0cr = 0;
    int rc = stm32_rd(io, RCC_AHB1ENR, &enr);
    if (rc)
        return rc;
    c->ahb1enr = enr;
    if ((enr & AHB1ENR_NEEDED) != AHB1ENR_NEEDED) {
        rc = stm32_wr(io, RCC_AHB1ENR, enr | AHB1ENR_NEEDED);
        if (rc)
            return rc;
        c->restore = 1;
    }
    rc = stm32_rd(io, DMA2_S0CR, &s0cr);
    if (rc)
        return rc;
    if (s0cr & SCR_EN) {
        stm32_log(io->host, ESPCTL_LOG_DEBUG,
                  "check: DMA2 stream 0 is in use (S0CR=0x%08x); reading back instead", s0cr);
        c->state = F7_DMA_CRC_UNUSABLE;
        return 0;
    }
    const uint32_t start[2] = {CRC_START, CRC_POLY}; /* CRC_INIT, CRC_POL */
    rc = stm32_wr_regs(io, CRC_INIT, 2, start);
    if (rc == 0)
        rc = stm32_wr(io, CRC_CR, CRC_CR_RESET);
    if (rc)
        return rc;
    c->dr = CRC_START;
    c->state = F7_DMA_CRC_READY;
    return 0;
}

/* The data register keeps the CRC of every range checked so far, so each range continues from
 * the last result (no reset); after a failed transfer it is reset. */
int f7_dma_crc_check(const struct stm32_io *io, struct f7_dma_crc *c, uint64_t address,
                     const uint8_t *expected, uint64_t length, uint64_t *checked, int *same)
{
    *checked = 0;
    *same = 0;
    if ((address | length) & 3u || length == 0)
        return stm32_error(io->host, ESPCTL_E_INVAL,
                           "check: CRC range 0x%08llx+%llu is not in whole 32-bit words",
                           (unsigned long long)address, (unsigned long long)length);
    int rc = f7_dma_crc_prepare(io, c);
    if (rc || c->state != F7_DMA_CRC_READY)
        return rc;
    if (c->dr_stale) {
        rc = stm32_wr(io, CRC_CR, CRC_CR_RESET);
        if (rc)
            return rc;
        c->dr = CRC_START;
        c->dr_stale = 0;
    }
    uint64_t items = length / 4 < MAX_ITEMS ? length / 4 : MAX_ITEMS;
    /* LIFCR, HIFCR, then stream 0: CR (disabled), NDTR, PAR (source), M0AR (destination), M1AR,
     * FCR */
    const uint32_t setup[8] = {S0_FLAGS, 0, SCR_CONFIG, (uint32_t)items, (uint32_t)address,
                               CRC_DR, 0, SFCR_FIFO_FULL};
    uint32_t isr = 0, crc = 0;
    rc = stm32_wr_regs(io, DMA2_LIFCR, 8, setup);
    if (rc == 0)
        rc = stm32_wr(io, DMA2_S0CR, SCR_CONFIG | SCR_EN);
    c->dr_stale = 1;
    if (rc == 0)
        rc = stm32_wait_set(io, DMA2_LISR, S0_ENDED, DMA_TIMEOUT_US, "DMA2 stream 0 still running",
                            "check", address, &isr);
    if (rc)
        return rc;
    if ((isr & S0_ENDED) != S0_TCIF) {
        stm32_log(io->host, ESPCTL_LOG_DEBUG,
                  "check: DMA2 stream 0 ended with an error over 0x%08llx+%llu (LISR=0x%08x); "
                  "reading back instead", (unsigned long long)address,
                  (unsigned long long)(items * 4), isr);
        return 0;
    }
    rc = stm32_rd(io, CRC_DR, &crc);
    if (rc)
        return rc;
    *checked = items * 4;
    *same = crc == stm32_crc32_words(c->dr, expected, items * 4);
    c->dr = crc;
    c->dr_stale = 0;
    return 0;
}

int f7_dma_crc_restore(const struct stm32_io *io, struct f7_dma_crc *c)
{
    if (!c->restore)
        return 0;
    c->restore = 0;
    return stm32_wr(io, RCC_AHB1ENR, c->ahb1enr);
}
