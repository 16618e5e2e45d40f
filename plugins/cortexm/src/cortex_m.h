/* Cortex-M run control through memory-mapped debug registers: halt, resume, resets. */
#ifndef CORTEXM_CORTEX_M_H
#define CORTEXM_CORTEX_M_H

#include "link.h"

#include "espctl/plugin/ext/run_control.h"

#define CM_CPUID 0xE000ED00u
#define CM_AIRCR 0xE000ED0Cu
#define CM_DHCSR 0xE000EDF0u
#define CM_DEMCR 0xE000EDFCu

#define CM_DHCSR_DBGKEY 0xA05F0000u
#define CM_DHCSR_C_DEBUGEN (1u << 0)
#define CM_DHCSR_C_HALT (1u << 1)
#define CM_DHCSR_S_HALT (1u << 17)
#define CM_DHCSR_S_RESET_ST (1u << 25)
#define CM_DEMCR_VC_CORERESET (1u << 0)
#define CM_DEMCR_TRCENA (1u << 24)
#define CM_AIRCR_SYSRESETREQ 0x05FA0004u

/** How a session takes hold of the core (from espctl_target_params.flags). */
enum cm_attach_mode {
    CM_ATTACH_RESET_HALT = 0,  /**< halt, then system reset caught at the reset vector */
    CM_ATTACH_HALT = 1,        /**< halt where it runs (ESPCTL_TARGET_NO_RESET) */
    CM_ATTACH_UNDER_RESET = 2  /**< probe connected holding nRESET: catch the vector, release */
};

struct cm_core {
    struct cm_link *link;
    const struct espctl_target_mem *mem;
    uint32_t cpuid;
    /** The probe's run-control extension when it offers one (a GDB server): halt,
     * resume and reset go through it instead of DHCSR/DEMCR/AIRCR, which such a
     * server may not model (QEMU reads DHCSR as 0). NULL for ADIv5 probes. */
    const struct espctl_run_control *run;
    /** The session halted the core and should let it run again on detach. */
    int halted_by_us;
    /** DEMCR as last written, while the core has not run since (system reset keeps
     * DEMCR, and a core held halted cannot change it): set_vector_catch then writes
     * without reading first. */
    uint32_t demcr;
    int demcr_valid;
    /** The last DEMCR write cleared the vector catch: detach has nothing to undo. */
    int vc_cleared;
};

/** Enable debug, read CPUID, and halt the core the way `mode` says. */
int cm_core_attach(struct cm_core *core, int mode);
/** Request a halt and wait for S_HALT. */
int cm_core_halt(struct cm_core *core);
/**
 * Reset: ESPCTL_RESET_SYSTEM (AIRCR.SYSRESETREQ) or ESPCTL_RESET_HW_PULSE (nRESET
 * through the probe). With `halt`, the reset vector is caught (DEMCR.VC_CORERESET)
 * and the call returns once the core sits halted at it; otherwise the core runs.
 */
int cm_core_reset(struct cm_core *core, int32_t kind, int halt);
/** Undo attach: clear the vector catch and, if we halted the core, let it run. */
void cm_core_detach(struct cm_core *core);
/** Note that the core was let run by other means (a DHCSR write elsewhere): it is no
 * longer ours to resume, and DEMCR may have changed. */
void cm_core_released(struct cm_core *core);

#endif
