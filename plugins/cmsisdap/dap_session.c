/* Session control: SWD connect sequence, clock, reset lines, disconnect. */
#include "dap_probe.h"

#include <stdio.h>

#define LED_CONNECT 0
#define PIN_NRESET 0x80u
#define DP_REG_IDCODE 0x0u
#define DP_REG_CTRL_STAT 0x4u
#define DP_ABORT_CLEAR_ALL 0x1Eu
#define CTRL_POWER_REQ 0x50000000u /* CSYSPWRUPREQ | CDBGPWRUPREQ */
#define CTRL_POWER_ACK 0xA0000000u /* CSYSPWRUPACK | CDBGPWRUPACK */
#define POWER_UP_POLLS 100
#define RESET_PULSE_MS 20
#define AIRCR 0xE000ED0Cu
#define AIRCR_SYSRESETREQ 0x05FA0004u

/* >= 50 ones, the JTAG-to-SWD select code 0xE79E (LSB first), >= 50 ones, 8 idle zeros. */
static const uint8_t jtag_to_swd[17] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x9E, 0xE7,
                                        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00};

int dap_set_speed(struct dap_probe *p, uint32_t khz, uint32_t *actual_khz)
{
    if (khz == 0 || khz > 100000)
        return dap_fail(&p->env, ESPCTL_E_INVAL, "SWD clock %u kHz is not 1..100000", khz);
    int rc = dap_swj_clock(p, khz * 1000u);
    if (rc)
        return rc;
    p->speed_khz = khz;
    if (actual_khz)
        *actual_khz = khz; /* CMSIS-DAP does not report the divider it chose */
    return 0;
}

static int nreset(struct dap_probe *p, int high)
{
    return dap_swj_pins(p, high ? PIN_NRESET : 0, PIN_NRESET, 0, NULL);
}

static int power_up(struct dap_probe *p)
{
    struct dap_op ops[3] = {
        {DAP_REQ(0, 0, 0x0), DP_ABORT_CLEAR_ALL, NULL},
        {DAP_REQ(0, 0, 0x8), 0, NULL},
        {DAP_REQ(0, 0, DP_REG_CTRL_STAT), CTRL_POWER_REQ, NULL},
    };
    p->select = 0;
    p->select_valid = 1;
    int rc = dap_transfer_ops(p, ops, 3, "debug power-up request");
    for (int i = 0; rc == 0 && i < POWER_UP_POLLS; i++) {
        uint32_t ctrl = 0;
        rc = dap_dp_read(p, DP_REG_CTRL_STAT, &ctrl);
        if (!rc && (ctrl & CTRL_POWER_ACK) == CTRL_POWER_ACK)
            return 0;
        if (!rc)
            rc = dap_sleep_ms(p, 1);
    }
    return rc ? rc : dap_fail(&p->env, ESPCTL_E_TARGET, "CMSIS-DAP %s: debug power-up was not acknowledged "
                              "(CTRL/STAT lacks CDBGPWRUPACK/CSYSPWRUPACK)", p->t->name);
}

int dap_connect(struct dap_probe *p, uint32_t flags)
{
    dap_invalidate_caches(p);
    int rc = dap_host_status(p, LED_CONNECT, 1);
    if (rc)
        dap_log(&p->env, ESPCTL_LOG_DEBUG, "DAP_HostStatus not accepted; continuing without LEDs");
    rc = dap_cmd_connect_swd(p);
    if (!rc)
        rc = dap_swj_clock(p, p->speed_khz * 1000u);
    if (!rc)
        rc = dap_transfer_configure(p, 0, (uint16_t)p->env.wait_retry, 0);
    if (!rc)
        rc = dap_swd_configure(p, 0); /* one turnaround cycle, no forced data phase */
    if (!rc && (flags & ESPCTL_CONNECT_UNDER_RESET))
        rc = nreset(p, 0);
    if (!rc)
        rc = dap_swj_sequence(p, 136, jtag_to_swd);
    uint32_t dpidr = 0;
    if (!rc)
        rc = dap_dp_read(p, DP_REG_IDCODE, &dpidr); /* mandatory after a line reset */
    if (!rc)
        rc = power_up(p);
    if (rc)
        return rc;
    p->connected = 1;
    dap_log(&p->env, ESPCTL_LOG_INFO, "CMSIS-DAP %s: SWD connected at %u kHz, DPIDR 0x%08X", p->t->name,
            p->speed_khz, dpidr);
    return 0;
}

int dap_disconnect(struct dap_probe *p)
{
    dap_pipe_drain(p);
    if (!p->connected)
        return 0;
    p->connected = 0;
    dap_invalidate_caches(p);
    int rc = dap_cmd_disconnect(p);
    dap_host_status(p, LED_CONNECT, 0);
    return rc;
}

int dap_reset(struct dap_probe *p, int32_t kind)
{
    int rc, executed = 0;
    dap_invalidate_caches(p);
    switch (kind) {
    case ESPCTL_RESET_HW_ASSERT:
        return nreset(p, 0);
    case ESPCTL_RESET_HW_DEASSERT:
        return nreset(p, 1);
    case ESPCTL_RESET_HW_PULSE:
        rc = dap_reset_target(p, &executed);
        if (rc || executed)
            return rc;
        rc = nreset(p, 0);
        if (!rc)
            rc = dap_sleep_ms(p, RESET_PULSE_MS);
        if (!rc)
            rc = nreset(p, 1);
        return rc;
    case ESPCTL_RESET_SYSTEM: {
        uint8_t v[4];
        dap_put32(v, AIRCR_SYSRESETREQ);
        return dap_mem_write(p, 0, AIRCR, 32, v, 4);
    }
    default:
        return dap_fail(&p->env, ESPCTL_E_INVAL, "reset kind %d is unknown", kind);
    }
}
