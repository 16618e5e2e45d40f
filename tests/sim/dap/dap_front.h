/* CMSIS-DAP probe front of espctl-sim: DAP command interpreter, elaphureLink framing and the
 * per-transport latency model, all on top of the shared target model (sim_model). */
#ifndef SIM_DAP_FRONT_H
#define SIM_DAP_FRONT_H

#include <stddef.h>
#include <stdint.h>

#include "sim/target.h"

/** Largest DAP packet the front accepts (elaphureLink's 1500-byte buffer minus its header). */
#define DAP_FRONT_MAX_PACKET 1496u

/** USB/TCP link whose timing the front models. */
enum dap_link { DAP_LINK_BULK, DAP_LINK_HID, DAP_LINK_TCP };

/** Timing of one link. A batch is the set of requests the host sent before waiting. */
struct dap_latency {
    enum dap_link link;
    uint64_t round_trip_ns; /**< bulk/tcp: cost of one batch round trip */
    uint64_t byte_ns;       /**< bulk/tcp: cost per byte moved either way */
    uint64_t frame_ns;      /**< hid: one report per frame in each direction */
    uint32_t report_size;   /**< hid: every report moves this many bytes */
};

/** Probe state seen through one simulator run. */
struct dapsim_probe {
    struct sim_target *target;
    uint16_t packet_size;
    uint8_t packet_count;
    uint8_t port;            /**< 0 disconnected, 1 SWD */
    uint16_t wait_retry;
    uint16_t match_retry;
    uint32_t match_mask;
    uint32_t swj_clock_hz;
    uint8_t turnaround;
    uint8_t nreset_low;
    uint8_t leds;            /**< bit0 connect LED, bit1 running LED */
    uint8_t swd_selected;    /**< JTAG-to-SWD sequence seen since connect */
    uint8_t need_idcode;     /**< line reset seen: only a DPIDR read is answered */
    uint32_t ones_run;       /**< consecutive 1 bits seen on SWDIO */
    uint16_t shift;          /**< last 16 bits of SWJ sequences (for 0xE79E) */
    const char *serial;
    uint64_t packets;        /**< DAP commands executed */
    uint64_t batches;
    int verbose;
};

/** Initialise @p p for @p t. */
void dapsim_probe_init(struct dapsim_probe *p, struct sim_target *t, uint16_t packet_size, uint8_t packet_count,
                    const char *serial);

/**
 * Execute one CMSIS-DAP command of @p len bytes and write its response into @p resp
 * (capacity @p cap, at least the packet size). Returns the response length (>= 1).
 * Malformed requests are answered with 0xFF (unknown command) or a DAP_ERROR status.
 */
size_t dapsim_execute(struct dapsim_probe *p, const uint8_t *req, size_t len, uint8_t *resp, size_t cap);

/** Charge one batch of @p packets requests moving @p to / @p from bytes to the virtual clock;
 *  @p exec_ns is the virtual time the probe spent executing them (already on the clock),
 *  which overlaps the wire time. */
void dap_latency_charge(struct sim_target *t, const struct dap_latency *m, unsigned packets, uint64_t to,
                        uint64_t from, uint64_t exec_ns);

/** Name of a link ("bulk", "hid", "tcp"). */
const char *dap_link_name(enum dap_link link);

/* ---- elaphureLink (server side) ---- */

#define EL_IDENTIFIER 0x8A656C70u
#define EL_HANDSHAKE_SIZE 12u
#define EL_VENDOR 0x88u
#define EL_PASSTHROUGH 0x01u
#define EL_SCOPE_ENTER 0x02u
#define EL_SCOPE_EXIT 0x03u

enum el_state { EL_WANT_HANDSHAKE, EL_BARE, EL_FRAMED_PENDING, EL_FRAMED };

struct el_session {
    enum el_state state;
    uint32_t server_version; /**< 0x00010000 = framed mode offered */
};

/** Outcome of consuming bytes from the receive buffer. */
struct el_step {
    size_t consumed;   /**< bytes of the buffer used (0 = need more) */
    size_t reply_len;  /**< bytes written to the reply buffer */
    int is_dap;        /**< 1 when a DAP packet was executed */
    int close;         /**< 1: malformed stream, close the connection */
    uint64_t dap_in, dap_out; /**< DAP payload bytes each way (for the latency model) */
};

/**
 * Consume the next unit at the start of @p rx (@p have bytes): the handshake, a vendor
 * command, a framed DAP packet, or in bare mode the whole buffer as one packet. Replies go
 * to @p reply (capacity >= DAP_FRONT_MAX_PACKET + 4).
 */
struct el_step el_consume(struct el_session *s, struct dapsim_probe *p, const uint8_t *rx, size_t have,
                          uint8_t *reply);

#endif
