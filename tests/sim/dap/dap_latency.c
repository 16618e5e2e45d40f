/* Latency model per link. A batch is what the host sent before waiting for an answer:
 * bulk and TCP pay one round trip per batch plus a per-byte wire cost; full-speed HID moves
 * one fixed-size report per 1 ms frame in each direction, so k pipelined reports take k + 1
 * frames (the last answer trails the last request by one frame). Within a batch the probe
 * executes buffered packets while later ones are still on the wire (packet count > 1), so
 * the probe's execution time (SWD, flash stalls) overlaps the wire time instead of adding
 * to it: a batch costs latency + max(wire, execution). */
#include "dap_front.h"

const char *dap_link_name(enum dap_link link)
{
    switch (link) {
    case DAP_LINK_BULK: return "bulk";
    case DAP_LINK_HID: return "hid";
    default: return "tcp";
    }
}

void dap_latency_charge(struct sim_target *t, const struct dap_latency *m, unsigned packets, uint64_t to,
                        uint64_t from, uint64_t exec_ns)
{
    if (!packets)
        return;
    t->stats.round_trips++;
    uint64_t latency, wire;
    if (m->link == DAP_LINK_HID) {
        /* every report is padded to the full report size */
        t->stats.bytes_to_probe += (uint64_t)packets * m->report_size;
        t->stats.bytes_from_probe += (uint64_t)packets * m->report_size;
        latency = m->frame_ns;
        wire = (uint64_t)packets * m->frame_ns;
    } else {
        t->stats.bytes_to_probe += to;
        t->stats.bytes_from_probe += from;
        latency = m->round_trip_ns;
        wire = (to + from) * m->byte_ns;
    }
    /* exec_ns has already passed on the clock */
    sim_clock_advance(&t->clock, latency + (wire > exec_ns ? wire - exec_ns : 0));
}
