/* The open probe a session talks through, shared by adiv5, target_mem and cortex_m. */
#ifndef CORTEXM_LINK_H
#define CORTEXM_LINK_H

#include "espctl/plugin.h"

struct cm_link {
    const struct espctl_host *host;
    const struct espctl_probe_driver *drv;
    void *probe;
    /** MEM-AP used for system memory (the AHB-AP found by adiv5_init). */
    uint32_t ap;
    /** Largest mem_read/mem_write the probe handles in one call (from caps). */
    uint32_t max_block;
    /** Probe offers raw DP/AP access. */
    int has_dp;
    /** Stage named in error messages ("connect", "erase", "program"...). */
    const char *stage;
    /** Target address the current stage works on (a flash page or run), named in
     * messages about failed transfers to other addresses; UINT64_MAX = none. */
    uint64_t at;
    /** Set while tearing down: failures are returned but not reported, so the error
     * that ended the session stays the one the front-end sees. */
    int quiet;
};

#endif
