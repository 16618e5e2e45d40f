#include "cortex_m.h"

#include "adiv5.h"
#include "util.h"

#define HALT_TIMEOUT_US 500000u
#define RESET_TIMEOUT_US 1000000u
#define MAX_POLLS 2000

static int rd(struct cm_core *c, uint32_t addr, uint32_t *v)
{
    return c->mem->read32(c->mem->ctx, addr, v);
}

static int wr(struct cm_core *c, uint32_t addr, uint32_t v)
{
    return c->mem->write32(c->mem->ctx, addr, v);
}

static int set_vector_catch(struct cm_core *c, int on)
{
    uint32_t demcr = c->demcr;
    int rc = c->demcr_valid ? 0 : rd(c, CM_DEMCR, &demcr);
    if (rc)
        return rc;
    demcr |= CM_DEMCR_TRCENA;
    demcr = on ? demcr | CM_DEMCR_VC_CORERESET : demcr & ~CM_DEMCR_VC_CORERESET;
    if (c->demcr_valid && demcr == c->demcr)
        return 0;
    rc = wr(c, CM_DEMCR, demcr);
    c->demcr = demcr;
    c->demcr_valid = rc == 0;
    c->vc_cleared = rc == 0 && !on;
    return rc;
}

void cm_core_released(struct cm_core *c)
{
    c->halted_by_us = 0;
    c->demcr_valid = 0;
}

/* Poll DHCSR until every bit of `want` has been seen (S_RESET_ST is sticky-on-read, so
 * bits are accumulated). Reads may fail while the chip is in reset: recover and retry. */
static int wait_dhcsr(struct cm_core *c, uint32_t want, uint64_t timeout_us, const char *what)
{
    uint64_t deadline = cm_now_us(c->link->host) + timeout_us;
    uint32_t seen = 0, last = 0;
    int rc = 0;
    for (int i = 0; i < MAX_POLLS; i++) {
        rc = rd(c, CM_DHCSR, &last);
        if (rc == 0) {
            seen |= last & CM_DHCSR_S_RESET_ST;
            seen |= last & CM_DHCSR_S_HALT;
            if ((seen & want) == want && (!(want & CM_DHCSR_S_HALT) || (last & CM_DHCSR_S_HALT)))
                return 0;
        } else if (rc == ESPCTL_E_NO_DEVICE || rc == ESPCTL_E_CANCELLED) {
            return rc;
        }
        if (cm_cancelled(c->link->host))
            return cm_error(c->link->host, ESPCTL_E_CANCELLED, "%s: cancelled", what);
        if (cm_now_us(c->link->host) > deadline)
            break;
    }
    if (rc)
        return rc;
    return cm_error(c->link->host, ESPCTL_E_TIMEOUT, "%s: core did not %s (DHCSR=0x%08x)", what,
                    (want & CM_DHCSR_S_HALT) ? "halt" : "leave reset", last);
}

int cm_core_halt(struct cm_core *c)
{
    if (c->run) {
        int err = c->run->halt(c->link->probe);
        if (err == 0)
            c->halted_by_us = 1;
        return err;
    }
    int rc = wr(c, CM_DHCSR, CM_DHCSR_DBGKEY | CM_DHCSR_C_DEBUGEN | CM_DHCSR_C_HALT);
    if (rc)
        return rc;
    rc = wait_dhcsr(c, CM_DHCSR_S_HALT, HALT_TIMEOUT_US, "halt");
    if (rc == 0)
        c->halted_by_us = 1;
    return rc;
}

static int trigger_reset(struct cm_core *c, int32_t kind)
{
    struct cm_link *l = c->link;
    if (kind == ESPCTL_RESET_SYSTEM) {
        /* The write itself may be cut short by the reset it causes: ignore its result
         * and judge by S_RESET_ST below. */
        if (wr(c, CM_AIRCR, CM_AIRCR_SYSRESETREQ) != 0)
            adiv5_recover(l);
        return 0;
    }
    if (kind != ESPCTL_RESET_HW_PULSE)
        return cm_error(l->host, ESPCTL_E_INVAL, "reset: unknown reset kind %d", (int)kind);
    if (!l->drv->reset)
        return cm_error(l->host, ESPCTL_E_NOT_SUPPORTED,
                        "reset: probe driver '%s' cannot drive nRESET", l->drv->name);
    return l->drv->reset(l->probe, ESPCTL_RESET_HW_PULSE);
}

/* Reset through the probe's run control: only a system reset, which it catches at the
 * reset vector; the core runs afterwards unless `halt`. */
static int run_control_reset(struct cm_core *c, int32_t kind, int halt)
{
    struct cm_link *l = c->link;
    if (kind != ESPCTL_RESET_SYSTEM)
        return trigger_reset(c, kind);
    int rc = c->run->reset_and_halt(l->probe);
    if (rc == 0 && !halt)
        rc = c->run->resume(l->probe);
    if (rc == 0)
        c->halted_by_us = halt;
    return rc;
}

int cm_core_reset(struct cm_core *c, int32_t kind, int halt)
{
    if (c->run)
        return run_control_reset(c, kind, halt);
    int rc = set_vector_catch(c, halt);
    if (rc == 0 && !halt) /* leave debug halt so the core runs out of reset */
        rc = wr(c, CM_DHCSR, CM_DHCSR_DBGKEY | CM_DHCSR_C_DEBUGEN);
    uint32_t dhcsr;
    if (rc == 0)
        rc = rd(c, CM_DHCSR, &dhcsr); /* clears a stale S_RESET_ST */
    if (rc == 0)
        rc = trigger_reset(c, kind);
    if (!halt)
        cm_core_released(c);
    if (rc)
        return rc;
    rc = wait_dhcsr(c, halt ? CM_DHCSR_S_RESET_ST | CM_DHCSR_S_HALT : CM_DHCSR_S_RESET_ST,
                    RESET_TIMEOUT_US, "reset");
    if (rc)
        return rc;
    c->halted_by_us = halt;
    return halt ? set_vector_catch(c, 0) : 0;
}

static int attach_under_reset(struct cm_core *c)
{
    struct cm_link *l = c->link;
    if (!l->drv->reset)
        return cm_error(l->host, ESPCTL_E_NOT_SUPPORTED,
                        "connect: probe driver '%s' cannot release nRESET", l->drv->name);
    int rc = wr(c, CM_DHCSR, CM_DHCSR_DBGKEY | CM_DHCSR_C_DEBUGEN | CM_DHCSR_C_HALT);
    if (rc == 0)
        rc = set_vector_catch(c, 1);
    if (rc == 0)
        rc = l->drv->reset(l->probe, ESPCTL_RESET_HW_DEASSERT);
    if (rc == 0)
        rc = wait_dhcsr(c, CM_DHCSR_S_HALT, RESET_TIMEOUT_US, "connect");
    if (rc == 0) {
        c->halted_by_us = 1;
        rc = set_vector_catch(c, 0);
    }
    return rc;
}

static int attach_run_control(struct cm_core *c, int mode)
{
    if (mode == CM_ATTACH_UNDER_RESET)
        return cm_error(c->link->host, ESPCTL_E_NOT_SUPPORTED,
                        "connect: probe driver '%s' cannot connect under reset",
                        c->link->drv->name);
    int rc = cm_core_halt(c);
    /* A GDB server may expose only RAM and flash (Black Magic Probe's map): CPUID is
     * informational here, the run state comes from the server. */
    if (rc == 0 && rd(c, CM_CPUID, &c->cpuid) != 0)
        cm_log(c->link->host, ESPCTL_LOG_DEBUG, "CPUID not readable through '%s'",
               c->link->drv->name);
    else if (rc == 0 && (c->cpuid >> 24) != 0x41)
        cm_log(c->link->host, ESPCTL_LOG_WARN, "CPUID 0x%08x is not an ARM core", c->cpuid);
    if (rc == 0 && mode == CM_ATTACH_RESET_HALT)
        rc = cm_core_reset(c, ESPCTL_RESET_SYSTEM, 1);
    return rc;
}

int cm_core_attach(struct cm_core *c, int mode)
{
    c->halted_by_us = 0;
    c->demcr_valid = 0;
    c->vc_cleared = 0;
    if (c->run)
        return attach_run_control(c, mode);
    int rc = rd(c, CM_CPUID, &c->cpuid);
    if (rc)
        return rc;
    if ((c->cpuid >> 24) != 0x41)
        cm_log(c->link->host, ESPCTL_LOG_WARN, "CPUID 0x%08x is not an ARM core", c->cpuid);
    if (mode == CM_ATTACH_UNDER_RESET)
        return attach_under_reset(c);
    if (mode == CM_ATTACH_HALT)
        return cm_core_halt(c);
    /* Debug on and a halt requested; no need to see it halt first: the vector catch
     * stops the core at the reset vector either way. */
    rc = wr(c, CM_DHCSR, CM_DHCSR_DBGKEY | CM_DHCSR_C_DEBUGEN | CM_DHCSR_C_HALT);
    if (rc)
        return rc;
    return cm_core_reset(c, ESPCTL_RESET_SYSTEM, 1);
}

void cm_core_detach(struct cm_core *c)
{
    if (c->run) {
        if (c->halted_by_us)
            (void)c->run->resume(c->link->probe);
        c->halted_by_us = 0;
        return;
    }
    if (!c->vc_cleared)
        (void)set_vector_catch(c, 0);
    if (c->halted_by_us)
        (void)wr(c, CM_DHCSR, CM_DHCSR_DBGKEY | CM_DHCSR_C_DEBUGEN);
    (void)wr(c, CM_DHCSR, CM_DHCSR_DBGKEY);
    cm_core_released(c);
    c->vc_cleared = 0;
}
