/* Latency model per link. A batch is what the host sent before waiting for an answer:
 * bulk and TCP pay one round trip per batch plus a per-byte wire cost; full-speed HID moves
 * one fixed-size report per 1 ms frame in each direction, so k pipelined reports take k + 1
 * frames (the last answer trails the last request by one frame). */
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
                        uint64_t from)
{
    if (!packets)
        return;
    t->stats.round_trips++;
    if (m->link == DAP_LINK_HID) {
        /* every report is padded to the full report size */
        t->stats.bytes_to_probe += (uint64_t)packets * m->report_size;
        t->stats.bytes_from_probe += (uint64_t)packets * m->report_size;
        sim_clock_advance(&t->clock, ((uint64_t)packets + 1) * m->frame_ns);
        return;
    }
    t->stats.bytes_to_probe += to;
    t->stats.bytes_from_probe += from;
    sim_clock_advance(&t->clock, m->round_trip_ns + (to + from) * m->byte_ns);
}
