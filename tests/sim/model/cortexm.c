/* Cortex-M4 debug registers and core state (no instruction execution). */
#include "sim/cortexm.h"

#include <stdlib.h>
#include <string.h>

#include "sim/bus.h"
#include "sim/target.h"

#define PPB_WORDS (SIM_PPB_SIZE / 4)

/* Offsets inside the PPB. */
#define OFF_DWT_CTRL   0x01000u
#define OFF_FP_CTRL    0x02000u
#define OFF_CPUID      0x0ED00u
#define OFF_AIRCR      0x0ED0Cu
#define OFF_DFSR       0x0ED30u
#define OFF_DHCSR      0x0EDF0u
#define OFF_DCRSR      0x0EDF4u
#define OFF_DCRDR      0x0EDF8u
#define OFF_DEMCR      0x0EDFCu
#define OFF_MVFR0      0x0EF40u
#define OFF_MVFR1      0x0EF44u
#define OFF_ROMTABLE   0xFF000u

#define DHCSR_KEY       0xA05F0000u
#define DHCSR_C_MASK    0x2Fu
#define C_DEBUGEN       (1u << 0)
#define C_HALT          (1u << 1)
#define C_STEP          (1u << 2)
#define S_REGRDY        (1u << 16)
#define S_HALT          (1u << 17)
#define S_RETIRE_ST     (1u << 24)
#define S_RESET_ST      (1u << 25)
#define DFSR_HALTED     (1u << 0)
#define DFSR_VCATCH     (1u << 3)
#define DEMCR_VC_CORERESET (1u << 0)
#define AIRCR_KEY       0x05FAu
#define AIRCR_READ_KEY  0xFA050000u
#define AIRCR_VECTRESET (1u << 0)
#define AIRCR_SYSRESETREQ (1u << 2)
#define REGSEL_SPECIAL  0x14u
#define XPSR_T          (1u << 24)

/* CoreSight identification words: (offset inside the PPB, value). */
static const uint32_t id_words[][2] = {
    /* ROM table: SCS, DWT, FPB, ITM, TPIU present; ETM absent; end marker. */
    {OFF_ROMTABLE + 0x000, 0xFFF0F003u}, {OFF_ROMTABLE + 0x004, 0xFFF02003u},
    {OFF_ROMTABLE + 0x008, 0xFFF03003u}, {OFF_ROMTABLE + 0x00C, 0xFFF01003u},
    {OFF_ROMTABLE + 0x010, 0xFFF41003u}, {OFF_ROMTABLE + 0x014, 0xFFF42002u},
    {OFF_ROMTABLE + 0xFCC, 0x1u},
    {OFF_ROMTABLE + 0xFD0, 0x04u}, {OFF_ROMTABLE + 0xFE0, 0xC4u}, {OFF_ROMTABLE + 0xFE4, 0xB4u},
    {OFF_ROMTABLE + 0xFE8, 0x0Bu}, {OFF_ROMTABLE + 0xFF0, 0x0Du}, {OFF_ROMTABLE + 0xFF4, 0x10u},
    {OFF_ROMTABLE + 0xFF8, 0x05u}, {OFF_ROMTABLE + 0xFFC, 0xB1u},
    /* SCS, DWT, FPB, ITM: generic-IP class components. */
    {0x0EFD0, 0x04u}, {0x0EFE0, 0x0Cu}, {0x0EFE4, 0xB0u}, {0x0EFE8, 0x0Bu},
    {0x0EFF0, 0x0Du}, {0x0EFF4, 0xE0u}, {0x0EFF8, 0x05u}, {0x0EFFC, 0xB1u},
    {0x01FD0, 0x04u}, {0x01FE0, 0x02u}, {0x01FE4, 0xB0u}, {0x01FE8, 0x3Bu},
    {0x01FF0, 0x0Du}, {0x01FF4, 0xE0u}, {0x01FF8, 0x05u}, {0x01FFC, 0xB1u},
    {0x02FD0, 0x04u}, {0x02FE0, 0x03u}, {0x02FE4, 0xB0u}, {0x02FE8, 0x2Bu},
    {0x02FF0, 0x0Du}, {0x02FF4, 0xE0u}, {0x02FF8, 0x05u}, {0x02FFC, 0xB1u},
    {0x00FD0, 0x04u}, {0x00FE0, 0x01u}, {0x00FE4, 0xB0u}, {0x00FE8, 0x3Bu},
    {0x00FF0, 0x0Du}, {0x00FF4, 0xE0u}, {0x00FF8, 0x05u}, {0x00FFC, 0xB1u},
    {0x0EF40, 0x10110021u}, {0x0EF44, 0x11000011u},
};

int sim_cortexm_init(struct sim_cortexm *core, struct sim_target *t, uint32_t cpuid)
{
    memset(core, 0, sizeof *core);
    core->target = t;
    core->cpuid = cpuid;
    core->ppb_store = calloc(PPB_WORDS, sizeof(uint32_t));
    if (!core->ppb_store)
        return -1;
    for (size_t i = 0; i < sizeof id_words / sizeof id_words[0]; i++)
        core->ppb_store[id_words[i][0] / 4] = id_words[i][1];
    return 0;
}

void sim_cortexm_fini(struct sim_cortexm *core)
{
    free(core->ppb_store);
    core->ppb_store = NULL;
}

static int is_read_only(uint32_t off)
{
    return off == OFF_CPUID || off == OFF_MVFR0 || off == OFF_MVFR1 || off >= OFF_ROMTABLE ||
           (off & 0xFFFu) >= 0xFD0u;
}

void sim_cortexm_reset(struct sim_cortexm *core)
{
    struct sim_bus *bus = &core->target->bus;
    uint32_t sp = 0, pc = 0;
    if (sim_bus_read(bus, 0x00000000u, 4, &sp) || sim_bus_read(bus, 0x00000004u, 4, &pc))
        sp = pc = 0xFFFFFFFFu;
    memset(core->regs, 0, sizeof core->regs);
    core->regs[13] = core->regs[17] = sp & ~3u;
    core->regs[14] = 0xFFFFFFFFu;
    core->regs[15] = pc & ~1u;
    core->regs[16] = XPSR_T;
    core->aircr_prigroup = 0;
    core->reset_st = true;
    int debug = (core->dhcsr_ctrl & C_DEBUGEN) != 0;
    int catch = (core->demcr & DEMCR_VC_CORERESET) != 0;
    core->halted = debug && (catch || (core->dhcsr_ctrl & C_HALT));
    if (core->halted && catch)
        core->dfsr |= DFSR_VCATCH;
    else if (core->halted)
        core->dfsr |= DFSR_HALTED;
}

static uint32_t read_word(struct sim_cortexm *core, uint32_t off)
{
    switch (off) {
    case OFF_CPUID:
        return core->cpuid;
    case OFF_AIRCR:
        return AIRCR_READ_KEY | (core->aircr_prigroup << 8);
    case OFF_DFSR:
        return core->dfsr;
    case OFF_DHCSR: {
        uint32_t v = (core->dhcsr_ctrl & DHCSR_C_MASK) | S_REGRDY;
        if (core->halted)
            v |= S_HALT;
        else if (!core->in_reset)
            v |= S_RETIRE_ST;
        if (core->reset_st || core->in_reset)
            v |= S_RESET_ST;
        core->reset_st = false;
        return v;
    }
    case OFF_DCRSR:
        return 0;
    case OFF_DCRDR:
        return core->dcrdr;
    case OFF_DEMCR:
        return core->demcr;
    case OFF_FP_CTRL:
        return 0x260u | core->fp_ctrl_enable;
    case OFF_DWT_CTRL:
        return 0x40000000u | (core->ppb_store[off / 4] & 0x0FFFFFFFu);
    default:
        return core->ppb_store[off / 4];
    }
}

static void dcrsr_write(struct sim_cortexm *core, uint32_t v)
{
    unsigned regsel = v & 0x7Fu;
    int wnr = (v >> 16) & 1;
    int valid = regsel <= 0x12 || regsel == REGSEL_SPECIAL || regsel == 0x21 ||
                (regsel >= 0x40 && regsel < SIM_CORTEXM_NREGS);
    if (!valid) {
        if (!wnr)
            core->dcrdr = 0;
        return;
    }
    if (wnr)
        core->regs[regsel] = core->dcrdr;
    else
        core->dcrdr = core->regs[regsel];
    if (regsel == 13)
        core->regs[17] = core->regs[13]; /* SP is MSP in thread mode with CONTROL.SPSEL = 0 */
}

static void dhcsr_write(struct sim_cortexm *core, uint32_t v)
{
    if ((v & 0xFFFF0000u) != DHCSR_KEY)
        return;
    core->dhcsr_ctrl = v & DHCSR_C_MASK;
    if (!(v & C_DEBUGEN)) {
        core->halted = false;
    } else if (v & C_HALT) {
        if (!core->halted)
            core->dfsr |= DFSR_HALTED;
        core->halted = true;
    } else if (core->halted) {
        /* No instructions are executed: a step halts again at once, a resume runs. */
        if (v & C_STEP)
            core->dfsr |= DFSR_HALTED;
        else
            core->halted = false;
    }
}

static void write_word(struct sim_cortexm *core, uint32_t off, uint32_t v)
{
    switch (off) {
    case OFF_AIRCR:
        if ((v >> 16) != AIRCR_KEY)
            return;
        core->aircr_prigroup = (v >> 8) & 7u;
        if (v & AIRCR_SYSRESETREQ)
            sim_target_system_reset(core->target);
        else if (v & AIRCR_VECTRESET)
            sim_cortexm_reset(core);
        return;
    case OFF_DFSR:
        core->dfsr &= ~v;
        return;
    case OFF_DHCSR:
        dhcsr_write(core, v);
        return;
    case OFF_DCRSR:
        dcrsr_write(core, v);
        return;
    case OFF_DCRDR:
        core->dcrdr = v;
        return;
    case OFF_DEMCR:
        core->demcr = v & 0x010F07F1u;
        return;
    case OFF_FP_CTRL:
        if (v & 2u)
            core->fp_ctrl_enable = v & 1u;
        return;
    default:
        if (!is_read_only(off))
            core->ppb_store[off / 4] = v;
        return;
    }
}

static int ppb_read(void *ctx, uint32_t off, unsigned size, uint32_t *val)
{
    struct sim_cortexm *core = ctx;
    uint32_t w = read_word(core, off & ~3u);
    unsigned shift = 8 * (off & 3);
    *val = size == 4 ? w : (w >> shift) & ((1u << (8 * size)) - 1);
    return 0;
}

static int ppb_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
    struct sim_cortexm *core = ctx;
    uint32_t woff = off & ~3u;
    if (size != 4) {
        unsigned shift = 8 * (off & 3);
        uint32_t mask = ((1u << (8 * size)) - 1) << shift;
        uint32_t cur = woff == OFF_DHCSR || woff == OFF_DFSR ? 0 : core->ppb_store[woff / 4];
        if (woff == OFF_DEMCR || woff == OFF_DCRDR)
            cur = read_word(core, woff);
        val = (cur & ~mask) | ((val << shift) & mask);
    }
    write_word(core, woff, val);
    return 0;
}

const struct sim_region_ops sim_cortexm_ppb_ops = {ppb_read, ppb_write};
