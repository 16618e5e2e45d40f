/*
 * espctl/plugin/ext/run_control.h — extension "espctl.run-control/1" of a probe driver.
 *
 * Offered by probes that control the core's run state themselves instead of through
 * the Cortex-M debug registers (DHCSR) behind the dp_ and ap_ members — e.g. a GDB remote server
 * (QEMU's gdbstub, Black Magic Probe). Obtain it with
 *     const struct espctl_run_control *rc =
 *         drv->get_extension(probe, ESPCTL_EXT_RUN_CONTROL);
 * Every function takes the open probe handle returned by the driver's open().
 *
 * All-stop probes (flag ESPCTL_RUN_CONTROL_ALL_STOP): memory is reachable only while
 * the core is halted. Such a driver's mem_read/mem_write halt a running core for the
 * access and resume it afterwards, one halt per call. A caller doing several accesses
 * in a row — one RTT poll reads WrOff/RdOff, the ring data, then writes RdOff — brackets
 * them to pay for one halt:
 *     int32_t halted;  rc->is_halted(probe, &halted);
 *     if (!halted) rc->halt(probe);
 *     ... mem_read / mem_write ...
 *     if (!halted) rc->resume(probe);
 * and polls less often than over a probe that reads memory while the core runs, since
 * every poll stops the firmware for the time of one round trip.
 *
 * Threading: like the probe itself (one thread per open probe at a time).
 * Errors: 0 or a negative espctl_error; detail through host->set_error.
 */
#ifndef ESPCTL_PLUGIN_EXT_RUN_CONTROL_H
#define ESPCTL_PLUGIN_EXT_RUN_CONTROL_H

#include "espctl/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ESPCTL_EXT_RUN_CONTROL "espctl.run-control/1"

/** Memory is only accessible while the core is halted (see the header comment). */
#define ESPCTL_RUN_CONTROL_ALL_STOP 0x1u

struct espctl_run_control {
    struct espctl_abi_hdr hdr;
    /** ESPCTL_RUN_CONTROL_* flags. */
    uint32_t flags;
    /** Zero. */
    uint32_t reserved;
    /** Stop the core and return once the probe reports it halted (bounded by the
     * driver's timeout: ESPCTL_E_TIMEOUT). Halting a halted core is a no-op. */
    int (*halt)(void *probe);
    /** Let the core run; returns without waiting for it to stop again. Resuming a
     * running core is a no-op. */
    int (*resume)(void *probe);
    /** *halted receives 1 when the core is halted, 0 when it runs. */
    int (*is_halted)(void *probe, int32_t *halted);
    /** System reset that leaves the core halted before its first instruction; the
     * next resume() starts the firmware from its reset vector (SP and PC are loaded
     * from the vector table then). Use after writing a new image. */
    int (*reset_and_halt)(void *probe);
};

#ifdef __cplusplus
}
#endif

#endif /* ESPCTL_PLUGIN_EXT_RUN_CONTROL_H */
