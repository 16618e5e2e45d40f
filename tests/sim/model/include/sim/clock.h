/* Virtual clock and activity counters of a simulated target. */
#ifndef SIM_CLOCK_H
#define SIM_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/** Modelled time. All costs are in nanoseconds of target/probe time, never wall time. */
struct sim_clock {
    uint64_t now_ns;           /**< current virtual time */
    uint64_t round_trip_ns;    /**< cost of one probe command round trip (USB latency) */
    uint64_t byte_ns;          /**< wire cost per byte moved between host and probe */
    uint64_t swd_transfer_ns;  /**< cost of one SWD transaction (0 = not modelled) */
};

/** Counters reported by the simulator's stats JSON. */
struct sim_stats {
    uint64_t round_trips;
    uint64_t bytes_to_probe;
    uint64_t bytes_from_probe;
    uint64_t dap_transactions;
    uint64_t wait_acks;
    uint64_t fault_acks;
    uint64_t page_erases;
    uint64_t mass_erases;
    uint64_t double_words_programmed;
    uint64_t words_read;     /**< memory read accesses through the AP (any size) */
    uint64_t words_written;  /**< memory write accesses through the AP (any size) */
    uint64_t flash_stall_ns; /**< time the bus spent stalled on a busy flash */
};

/** Advance the clock by @p ns. */
static inline void sim_clock_advance(struct sim_clock *c, uint64_t ns) { c->now_ns += ns; }

/** Advance the clock to @p t if it lies in the future. Returns the time waited. */
static inline uint64_t sim_clock_wait_until(struct sim_clock *c, uint64_t t)
{
    if (t <= c->now_ns)
        return 0;
    uint64_t waited = t - c->now_ns;
    c->now_ns = t;
    return waited;
}

#endif
