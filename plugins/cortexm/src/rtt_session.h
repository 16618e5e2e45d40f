/* The cortexm monitor stream: RTT on top of a connected session (monitor_* members of
 * the flash-target vtable). Retries the attach while the firmware starts, polls with
 * a bounded back-off, and halts an all-stop probe's core around each poll. */
#ifndef CORTEXM_RTT_SESSION_H
#define CORTEXM_RTT_SESSION_H

#include "cortex_m.h"
#include "rtt.h"

/** Attach retry budget when the front-end gives none. */
#define CM_RTT_DEFAULT_TIMEOUT_MS 3000u
/** Idle back-off between polls: starts here after data, doubles up to the maximum. */
#define CM_RTT_BACKOFF_MIN_MS 10u
#define CM_RTT_BACKOFF_MAX_MS 50u
/** An all-stop probe stops the firmware for every poll: start the back-off higher. */
#define CM_RTT_ALLSTOP_BACKOFF_MIN_MS 20u
/** Give up a down-channel write after this long without the firmware taking a byte. */
#define CM_RTT_WRITE_STALL_MS 1000u

struct cm_rtt_monitor;

/** What the monitor borrows from the session for its lifetime. */
struct cm_rtt_env {
    const struct espctl_host *host;
    const struct espctl_target_mem *mem;
    const struct espctl_chip_desc *chip;
    /** The core as the session attached it; resumed when the session left it halted. */
    struct cm_core *core;
    /** Probe driver and open probe, for the run-control extension. */
    const struct espctl_probe_driver *drv;
    void *probe;
};

/** Find and validate the control block (params->rtt_address, else a RAM scan), retrying
 * for params->rtt_timeout_ms while it is absent; let the core run. */
int cm_rtt_monitor_open(struct cm_rtt_monitor **monitor, const struct cm_rtt_env *env,
                        const struct espctl_monitor_params *params);
/** Wait at most timeout_ms for up-channel bytes; *got = 0 on timeout (not an error). */
int cm_rtt_monitor_read(struct cm_rtt_monitor *m, uint8_t *buf, uint32_t capacity, uint32_t *got,
                        uint32_t timeout_ms);
/** Send all of `buf` through the down channel, waiting while it is full (bounded). */
int cm_rtt_monitor_write(struct cm_rtt_monitor *m, const uint8_t *buf, uint32_t length);
/** Release the monitor. NULL is a no-op. The core keeps running. */
void cm_rtt_monitor_close(struct cm_rtt_monitor *m);

#endif
