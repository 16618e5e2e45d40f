/* Cortex-M4 debug view: core registers, halt/step/reset state and the PPB (SCS, DWT, FPB, ROM table). */
#ifndef SIM_CORTEXM_H
#define SIM_CORTEXM_H

#include <stdbool.h>
#include <stdint.h>

struct sim_target;

#define SIM_CORTEXM_NREGS 0x60 /* DCRSR REGSEL space modelled: 0x00..0x5F */

#define SIM_PPB_BASE 0xE0000000u
#define SIM_PPB_SIZE 0x00100000u

struct sim_cortexm {
    struct sim_target *target;
    uint32_t cpuid;
    uint32_t regs[SIM_CORTEXM_NREGS];
    uint32_t dhcsr_ctrl;     /**< C_* bits as last written with the debug key */
    bool halted;
    bool reset_st;           /**< S_RESET_ST sticky, cleared on DHCSR read */
    bool in_reset;           /**< held in reset by NRST */
    uint32_t dcrdr;
    uint32_t demcr;
    uint32_t dfsr;
    uint32_t aircr_prigroup;
    uint32_t fp_ctrl_enable;
    uint32_t *ppb_store;     /**< backing words for plain PPB registers (RAZ/WI-with-memory) */
};

/** Power-on: allocates the PPB store. Returns 0 or -1 (out of memory). */
int sim_cortexm_init(struct sim_cortexm *core, struct sim_target *t, uint32_t cpuid);
void sim_cortexm_fini(struct sim_cortexm *core);

/** System reset: loads MSP/PC from the vector table at address 0; halts if DEMCR.VC_CORERESET. */
void sim_cortexm_reset(struct sim_cortexm *core);

/** Bus callbacks for the PPB region (ctx = struct sim_cortexm *). */
extern const struct sim_region_ops sim_cortexm_ppb_ops;

#endif
