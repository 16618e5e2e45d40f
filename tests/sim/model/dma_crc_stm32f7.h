/* The STM32F7's CRC calculation unit and DMA2 controller, as far as a debugger uses them to CRC a
 * flash range on the target while the core is halted (decision 0805). Internal to sim_model; the
 * F7 flash-controller model owns one and maps it. */
#ifndef SIM_DMA_CRC_STM32F7_H
#define SIM_DMA_CRC_STM32F7_H

#include <stdint.h>

#include "sim/target.h"

#define SIM_F7_CRC_BASE 0x40023000u
#define SIM_F7_DMA2_BASE 0x40026400u
#define SIM_F7_AHB1ENR_CRCEN (1u << 12)
#define SIM_F7_AHB1ENR_DMA2EN (1u << 22)
#define SIM_F7_DMA_STREAMS 8u

struct sim_f7_stream {
    uint32_t cr, ndtr, par, m0ar, m1ar, fcr;
    uint32_t items;    /* items the running transfer moves before it ends */
    uint64_t start_ns; /* when it was enabled */
    uint32_t error;    /* flag it ends with besides TCIF (TEIF), 0 when none */
    int running;
    int half_signalled; /* HTIF raised for the running transfer */
};

struct sim_f7_dma_crc {
    struct sim_target *target;
    const uint32_t *ahb1enr; /* the RCC clock enables gating both units */
    uint32_t crc_dr, crc_idr, crc_cr, crc_init, crc_pol;
    uint32_t isr[2]; /* DMA_LISR, DMA_HISR */
    struct sim_f7_stream streams[SIM_F7_DMA_STREAMS];
};

/** Map the CRC unit at SIM_F7_CRC_BASE and DMA2 at SIM_F7_DMA2_BASE on @p t's bus, gated by the
 *  RCC_AHB1ENR word at @p ahb1enr. 0, or -1 when the bus is full. */
int sim_f7_dma_crc_map(struct sim_f7_dma_crc *d, struct sim_target *t, const uint32_t *ahb1enr);
/** Reset values of both units (a system reset). */
void sim_f7_dma_crc_reset(struct sim_f7_dma_crc *d);

#endif
