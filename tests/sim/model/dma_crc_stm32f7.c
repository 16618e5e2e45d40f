/* STM32F7 CRC calculation unit (RM0385 §6 "CRC calculation unit") and DMA2 (RM0385 §8 "Direct
 * memory access controller"), both on AHB1 and clocked by RCC_AHB1ENR (CRCEN, DMA2EN): with the
 * clock off their registers read 0 and ignore writes.
 *
 * CRC: DR (writes of 8, 16 or 32 bits feed the LFSR most significant bit first; reads give the
 * result), IDR, CR (RESET loads INIT into DR; POLYSIZE 32/16/8/7; REV_IN by byte, half word or
 * word; REV_OUT), INIT and POL, reset values 0xFFFFFFFF and 0x04C11DB7.
 *
 * DMA2: LISR/HISR (FEIF, DMEIF, TEIF, HTIF, TCIF per stream), LIFCR/HIFCR (write 1 to clear) and
 * eight streams of CR, NDTR, PAR, M0AR, M1AR and FCR, writable while the stream is disabled. Only
 * memory-to-memory transfers (DIR=10) move data, since nothing here raises peripheral requests:
 * from PAR to M0AR, NDTR items of PSIZE packed into MSIZE, with PINC/MINC; enabling forces FIFO
 * mode (FCR.DMDIS), as the hardware does. A stream whose flags are still set does not start
 * (RM0385 asks for them to be cleared first). A bus error ends the transfer with TEIF.
 *
 * Timing: the items' effects land when the stream is enabled; EN, NDTR, HTIF and TCIF then follow
 * the virtual clock at SIM_F7_DMA_ITEM_NS per item. Clearing EN early stops the clock's count
 * (with TCIF, as on silicon) but not the effects already applied.
 */
#include "dma_crc_stm32f7.h"

#include <string.h>

#include "flash_stm32_common.h"
#include "sim/flash_families.h"

#define CRC_DR 0x00u
#define CRC_IDR 0x04u
#define CRC_CR 0x08u
#define CRC_INIT 0x10u
#define CRC_POL 0x14u
#define CRC_CR_RESET (1u << 0)
#define CRC_CR_KEPT 0xF8u /* POLYSIZE[4:3], REV_IN[6:5], REV_OUT */

#define DMA_LISR 0x00u
#define DMA_LIFCR 0x08u
#define DMA_STREAM0 0x10u
#define DMA_STREAM_SPAN 0x18u
#define DMA_FLAGS 0x3Du /* FEIF, DMEIF, TEIF, HTIF, TCIF of one stream */
#define DMA_FEIF (1u << 0)
#define DMA_TEIF (1u << 3)
#define DMA_HTIF (1u << 4)
#define DMA_TCIF (1u << 5)

#define SCR_EN (1u << 0)
#define SCR_DIR_SHIFT 6
#define SCR_DIR_M2M 2u
#define SCR_PINC (1u << 9)
#define SCR_MINC (1u << 10)
#define SCR_PSIZE_SHIFT 11
#define SCR_MSIZE_SHIFT 13
#define SCR_WRITABLE 0x1FEFFFFFu /* bit 20 reserved; CHSEL up to bit 28 */
#define SFCR_DMDIS (1u << 2)
#define SFCR_WRITABLE 0x87u /* FTH, DMDIS, FEIE; FS is read-only */

static int clocked(const struct sim_f7_dma_crc *d, uint32_t bit)
{
    return (*d->ahb1enr & bit) != 0;
}

/* ----- CRC unit ----- */

static unsigned crc_width(const struct sim_f7_dma_crc *d)
{
    static const unsigned widths[4] = {32, 16, 8, 7};
    return widths[(d->crc_cr >> 3) & 3u];
}

static uint32_t width_mask(unsigned bits)
{
    return bits == 32 ? 0xFFFFFFFFu : (1u << bits) - 1u;
}

static uint32_t reverse_bits(uint32_t v, unsigned bits)
{
    uint32_t r = 0;
    for (unsigned i = 0; i < bits; i++)
        r |= ((v >> i) & 1u) << (bits - 1 - i);
    return r;
}

/* REV_IN: reverse the bit order within each byte, half word or word of the written data. */
static uint32_t reverse_input(const struct sim_f7_dma_crc *d, uint32_t v, unsigned bits)
{
    unsigned mode = (d->crc_cr >> 5) & 3u;
    if (mode == 0)
        return v;
    unsigned unit = 8u << (mode - 1);
    if (unit > bits)
        unit = bits;
    uint32_t out = 0;
    for (unsigned at = 0; at < bits; at += unit)
        out |= reverse_bits((v >> at) & width_mask(unit), unit) << at;
    return out;
}

static void crc_feed(struct sim_f7_dma_crc *d, uint32_t v, unsigned bits)
{
    const unsigned w = crc_width(d);
    const uint32_t mask = width_mask(w), poly = d->crc_pol & mask;
    uint32_t crc = d->crc_dr & mask;
    v = reverse_input(d, v, bits);
    for (unsigned i = bits; i-- > 0;) {
        uint32_t feedback = ((crc >> (w - 1)) ^ (v >> i)) & 1u;
        crc = (crc << 1) & mask;
        if (feedback)
            crc ^= poly;
    }
    d->crc_dr = crc;
}

static int crc_read(void *ctx, uint32_t off, unsigned size, uint32_t *val)
{
    struct sim_f7_dma_crc *d = ctx;
    uint32_t v = 0;
    if (clocked(d, SIM_F7_AHB1ENR_CRCEN)) {
        switch (off & ~3u) {
        case CRC_DR:
            v = d->crc_cr & (1u << 7) ? reverse_bits(d->crc_dr, crc_width(d)) : d->crc_dr;
            break;
        case CRC_IDR: v = d->crc_idr; break;
        case CRC_CR: v = d->crc_cr; break;
        case CRC_INIT: v = d->crc_init; break;
        case CRC_POL: v = d->crc_pol; break;
        default: break;
        }
    }
    *val = stm32_lanes(v, off, size);
    return 0;
}

static int crc_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
    struct sim_f7_dma_crc *d = ctx;
    if (!clocked(d, SIM_F7_AHB1ENR_CRCEN))
        return 0;
    if (off < 4) {
        if (off == CRC_DR)
            crc_feed(d, val, 8 * size);
        return 0;
    }
    if (size != 4)
        return 0;
    switch (off) {
    case CRC_IDR: d->crc_idr = val & 0xFFu; break;
    case CRC_CR:
        d->crc_cr = val & CRC_CR_KEPT;
        if (val & CRC_CR_RESET)
            d->crc_dr = d->crc_init;
        break;
    case CRC_INIT: d->crc_init = val; break;
    case CRC_POL: d->crc_pol = val; break;
    default: break;
    }
    return 0;
}

static const struct sim_region_ops crc_ops = {crc_read, crc_write};

/* ----- DMA2 ----- */

static unsigned flag_shift(unsigned stream)
{
    static const unsigned shifts[4] = {0, 6, 16, 22};
    return shifts[stream % 4];
}

static uint32_t flags_of(const struct sim_f7_dma_crc *d, unsigned stream)
{
    return (d->isr[stream / 4] >> flag_shift(stream)) & DMA_FLAGS;
}

static void raise_flags(struct sim_f7_dma_crc *d, unsigned stream, uint32_t flags)
{
    d->isr[stream / 4] |= flags << flag_shift(stream);
}

/* Items a running stream has moved by now, as the clock sees it. */
static uint32_t items_done(const struct sim_f7_dma_crc *d, const struct sim_f7_stream *s)
{
    uint64_t elapsed = d->target->clock.now_ns - s->start_ns;
    uint64_t n = elapsed / SIM_F7_DMA_ITEM_NS;
    return n < s->items ? (uint32_t)n : s->items;
}

/* Bring a running stream's flags, NDTR and EN up to the clock. */
static void settle(struct sim_f7_dma_crc *d, unsigned stream)
{
    struct sim_f7_stream *s = &d->streams[stream];
    if (!s->running)
        return;
    uint32_t done = items_done(d, s);
    if (!s->half_signalled && s->ndtr > 1 && done * 2 >= s->ndtr) {
        s->half_signalled = 1;
        raise_flags(d, stream, DMA_HTIF);
    }
    if (done < s->items)
        return;
    s->running = 0;
    s->cr &= ~SCR_EN;
    s->ndtr -= s->items;
    raise_flags(d, stream, s->error ? s->error : DMA_TCIF);
}

/* Move one memory-to-memory transfer's data now (see the timing note at the top). */
static void run_m2m(struct sim_f7_dma_crc *d, unsigned stream)
{
    struct sim_f7_stream *s = &d->streams[stream];
    const unsigned psize = 1u << ((s->cr >> SCR_PSIZE_SHIFT) & 3u);
    const unsigned msize = 1u << ((s->cr >> SCR_MSIZE_SHIFT) & 3u);
    s->fcr |= SFCR_DMDIS;
    s->items = 0;
    s->error = 0;
    s->half_signalled = 0;
    s->start_ns = d->target->clock.now_ns;
    s->running = 1;
    if (psize > 4 || msize > 4 || (s->ndtr * psize) % msize) {
        s->error = DMA_FEIF; /* reserved size, or items that do not pack into whole memory units */
        return;
    }
    uint32_t src = s->par, dst = s->m0ar;
    uint64_t queue = 0;
    unsigned queued = 0;
    for (uint32_t i = 0; i < s->ndtr; i++) {
        uint32_t v;
        if (sim_bus_read(&d->target->bus, src, psize, &v)) {
            s->error = DMA_TEIF;
            return;
        }
        queue |= (uint64_t)v << (8 * queued);
        queued += psize;
        if (s->cr & SCR_PINC)
            src += psize;
        for (; queued >= msize; queued -= msize) {
            if (sim_bus_write(&d->target->bus, dst, msize, (uint32_t)(queue & width_mask(8 * msize)))) {
                s->error = DMA_TEIF;
                return;
            }
            queue >>= 8 * msize;
            if (s->cr & SCR_MINC)
                dst += msize;
        }
        s->items++;
    }
}

static void stream_cr_write(struct sim_f7_dma_crc *d, unsigned stream, uint32_t val)
{
    struct sim_f7_stream *s = &d->streams[stream];
    if (s->cr & SCR_EN) {
        if (val & SCR_EN)
            return; /* configuration is locked while the stream runs */
        if (s->running) {
            /* disabled early: it stops where the clock says, with TCIF */
            s->items = items_done(d, s);
            s->error = 0;
            settle(d, stream);
        }
        s->cr &= ~SCR_EN;
        return;
    }
    s->cr = val & SCR_WRITABLE;
    if (!(val & SCR_EN))
        return;
    if (flags_of(d, stream)) {
        s->cr &= ~SCR_EN;
        return;
    }
    s->cr |= SCR_EN;
    if (((s->cr >> SCR_DIR_SHIFT) & 3u) == SCR_DIR_M2M)
        run_m2m(d, stream);
    settle(d, stream);
}

static int dma_read(void *ctx, uint32_t off, unsigned size, uint32_t *val)
{
    struct sim_f7_dma_crc *d = ctx;
    uint32_t v = 0;
    if (clocked(d, SIM_F7_AHB1ENR_DMA2EN)) {
        for (unsigned i = 0; i < SIM_F7_DMA_STREAMS; i++)
            settle(d, i);
        uint32_t reg = off & ~3u;
        if (reg < DMA_STREAM0) {
            v = reg < DMA_LIFCR ? d->isr[reg / 4] : 0;
        } else if (reg < DMA_STREAM0 + SIM_F7_DMA_STREAMS * DMA_STREAM_SPAN) {
            unsigned stream = (reg - DMA_STREAM0) / DMA_STREAM_SPAN;
            const struct sim_f7_stream *s = &d->streams[stream];
            switch ((reg - DMA_STREAM0) % DMA_STREAM_SPAN) {
            case 0x00: v = s->cr; break;
            case 0x04: v = s->running ? s->ndtr - items_done(d, s) : s->ndtr; break;
            case 0x08: v = s->par; break;
            case 0x0C: v = s->m0ar; break;
            case 0x10: v = s->m1ar; break;
            default: v = s->fcr | (4u << 3); /* FS: FIFO empty */ break;
            }
        }
    }
    *val = stm32_lanes(v, off, size);
    return 0;
}

static int dma_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
    struct sim_f7_dma_crc *d = ctx;
    if (!clocked(d, SIM_F7_AHB1ENR_DMA2EN) || size != 4)
        return 0;
    for (unsigned i = 0; i < SIM_F7_DMA_STREAMS; i++)
        settle(d, i);
    if (off < DMA_STREAM0) {
        if (off >= DMA_LIFCR)
            d->isr[(off - DMA_LIFCR) / 4] &= ~(val & 0x0F7D0F7Du);
        return 0;
    }
    if (off >= DMA_STREAM0 + SIM_F7_DMA_STREAMS * DMA_STREAM_SPAN)
        return 0;
    unsigned stream = (off - DMA_STREAM0) / DMA_STREAM_SPAN;
    struct sim_f7_stream *s = &d->streams[stream];
    uint32_t reg = (off - DMA_STREAM0) % DMA_STREAM_SPAN;
    if (reg == 0x00) {
        stream_cr_write(d, stream, val);
        return 0;
    }
    if (s->cr & SCR_EN)
        return 0; /* the other stream registers are locked while it is enabled */
    switch (reg) {
    case 0x04: s->ndtr = val & 0xFFFFu; break;
    case 0x08: s->par = val; break;
    case 0x0C: s->m0ar = val; break;
    case 0x10: s->m1ar = val; break;
    default: s->fcr = (s->fcr & ~SFCR_WRITABLE) | (val & SFCR_WRITABLE); break;
    }
    return 0;
}

static const struct sim_region_ops dma_ops = {dma_read, dma_write};

void sim_f7_dma_crc_reset(struct sim_f7_dma_crc *d)
{
    d->crc_dr = d->crc_init = 0xFFFFFFFFu;
    d->crc_idr = d->crc_cr = 0;
    d->crc_pol = 0x04C11DB7u;
    memset(d->isr, 0, sizeof d->isr);
    memset(d->streams, 0, sizeof d->streams);
    for (unsigned i = 0; i < SIM_F7_DMA_STREAMS; i++)
        d->streams[i].fcr = 0x01u; /* FTH half full, direct mode */
}

int sim_f7_dma_crc_map(struct sim_f7_dma_crc *d, struct sim_target *t, const uint32_t *ahb1enr)
{
    d->target = t;
    d->ahb1enr = ahb1enr;
    sim_f7_dma_crc_reset(d);
    if (sim_bus_map(&t->bus, "crc-f7", SIM_F7_CRC_BASE, 0x400, &crc_ops, d))
        return -1;
    return sim_bus_map(&t->bus, "dma2-f7", SIM_F7_DMA2_BASE, 0x400, &dma_ops, d);
}
