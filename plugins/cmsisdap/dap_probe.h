/*
 * dap_probe.h — an open CMSIS-DAP probe: transport, what DAP_Info reported, the
 * in-flight request window, DP SELECT / MEM-AP CSW caches, and the layers on top
 * (commands, DP/AP register transfers, memory, session control).
 */
#ifndef DAP_PROBE_H
#define DAP_PROBE_H

#include "dap_env.h"
#include "dap_proto.h"
#include "dap_transport.h"

#include <stdint.h>

/** Largest DAP packet this plugin handles (elaphureLink caps at 1500 - 4). */
#define DAP_MAX_PACKET 1496u
/** Packet size assumed before DAP_Info(0xFF) answers (the smallest full-speed report). */
#define DAP_MIN_PACKET 64u
/** Every memory stream rewrites TAR at this boundary (auto-increment guarantee). */
#define DAP_TAR_BLOCK 1024u

struct dap_probe {
    struct dap_env env;
    struct dap_transport *t;
    /** From DAP_Info. */
    uint32_t packet_size;
    uint32_t packet_count;
    uint32_t caps;
    char vendor[64];
    char product[128];
    char serial[128];
    char firmware[64];
    char protocol[32];
    /** Requests sent whose responses are not read yet, and the window allowed. */
    uint32_t inflight;
    uint32_t window;
    uint32_t speed_khz;
    int connected;
    /** DP SELECT as last written (valid when select_valid). */
    uint32_t select;
    int select_valid;
    /** CSW of the AP last used for memory (valid when csw_valid). */
    uint32_t csw;
    uint32_t csw_ap;
    int csw_valid;
    /** Counters for tests and benches. */
    uint64_t packets_sent;
    uint64_t host_wait_retries;
};

/** Take ownership of `t`, read DAP_Info (packet size/count, caps, strings). On failure
 * `t` is destroyed. */
int dap_probe_new(struct dap_probe **out, const struct dap_env *env, struct dap_transport *t);
void dap_probe_free(struct dap_probe *p);

/* ---- command exchange (dap_cmd.c) ---- */

/** Send one request into the in-flight window (reads responses first if it is full is the
 * caller's job: see dap_pipe_recv). */
int dap_pipe_send(struct dap_probe *p, const uint8_t *req, size_t len);
/** Read the oldest outstanding response. */
int dap_pipe_recv(struct dap_probe *p, uint8_t *resp, size_t cap, size_t *len);
/** Read and discard every outstanding response (after an error); best effort. */
void dap_pipe_drain(struct dap_probe *p);
/** One request and its response, nothing else in flight. */
int dap_exchange(struct dap_probe *p, const uint8_t *req, size_t len, uint8_t *resp, size_t cap, size_t *rlen);
/** Fail with the parser's message, prefixed with the probe name. */
int dap_proto_fail(struct dap_probe *p, int code, const char *why);

int dap_info(struct dap_probe *p, uint8_t id, struct dap_info_value *v);
/** Commands answered by a DAP_OK status. */
int dap_host_status(struct dap_probe *p, uint8_t type, uint8_t on);
int dap_cmd_connect_swd(struct dap_probe *p);
int dap_cmd_disconnect(struct dap_probe *p);
int dap_swj_clock(struct dap_probe *p, uint32_t hz);
int dap_swj_sequence(struct dap_probe *p, uint32_t bits, const uint8_t *data);
int dap_swd_configure(struct dap_probe *p, uint8_t cfg);
int dap_transfer_configure(struct dap_probe *p, uint8_t idle, uint16_t wait_retry, uint16_t match_retry);
int dap_write_abort(struct dap_probe *p, uint32_t value);
/** DAP_SWJ_Pins: *pins_in (may be NULL) receives the pin states read back. */
int dap_swj_pins(struct dap_probe *p, uint8_t out, uint8_t select, uint32_t wait_us, uint8_t *pins_in);
/** DAP_ResetTarget: *executed = 1 when the probe has a device-specific sequence. */
int dap_reset_target(struct dap_probe *p, int *executed);

/* ---- DP/AP register transfers (dap_xfer.c) ---- */

/** One register transfer of a DAP_Transfer request. */
struct dap_op {
    uint8_t req;       /**< DAP_REQ(ap, read, addr) */
    uint32_t wdata;    /**< value written */
    uint32_t *rdata;   /**< where a read's value goes (may be NULL to discard) */
};

/** Run `n` transfers in order (split into packets, WAIT retried, FAULT cleared through
 * ABORT). `what` names the operation in errors. */
int dap_transfer_ops(struct dap_probe *p, const struct dap_op *ops, uint32_t n, const char *what);
/** Turn a failed ACK into an error (clearing sticky flags after FAULT). */
int dap_ack_fail(struct dap_probe *p, uint8_t ack, const char *what);

/** DP/AP access with SELECT caching; addr as in struct espctl_probe_driver. */
int dap_dp_read(struct dap_probe *p, uint32_t addr, uint32_t *value);
int dap_dp_write(struct dap_probe *p, uint32_t addr, uint32_t value);
int dap_ap_read(struct dap_probe *p, uint32_t ap, uint32_t addr, uint32_t *value);
int dap_ap_write(struct dap_probe *p, uint32_t ap, uint32_t addr, uint32_t value);
/** Append the SELECT write (if needed) that makes `select` current to `ops`; returns the
 * number of ops added (0 or 1) and updates the cache. */
uint32_t dap_select_op(struct dap_probe *p, uint32_t select, struct dap_op *ops);
/** Forget cached SELECT/CSW (after a reset, reconnect or error). */
void dap_invalidate_caches(struct dap_probe *p);

/* ---- memory (dap_mem.c) ---- */
int dap_mem_read(struct dap_probe *p, uint32_t ap, uint64_t addr, uint32_t width, uint8_t *buf, uint32_t len);
int dap_mem_write(struct dap_probe *p, uint32_t ap, uint64_t addr, uint32_t width, const uint8_t *buf,
                  uint32_t len);

/* ---- session control (dap_session.c) ---- */
int dap_connect(struct dap_probe *p, uint32_t flags);
int dap_disconnect(struct dap_probe *p);
int dap_set_speed(struct dap_probe *p, uint32_t khz, uint32_t *actual_khz);
int dap_reset(struct dap_probe *p, int32_t kind);
/** Sleep through the host (cancellable); returns ESPCTL_E_CANCELLED or 0. */
int dap_sleep_ms(struct dap_probe *p, uint32_t ms);

#endif /* DAP_PROBE_H */
