/* Command exchange with an ST-Link: status classes, bounded WAIT retry, fault recovery. */
#include "stlink_probe.h"

#include <string.h>

#define ST_OK 0x80
#define ST_FAULT 0x81
#define ST_AP_WAIT 0x10
#define ST_DP_WAIT 0x14
#define ST_WRITE_VERIF 0x0D

#define DP_ABORT_CLEAR_ALL 0x1Eu /* STKCMPCLR | STKERRCLR | WDERRCLR | ORUNERRCLR */

const char *stlink_status_name(uint8_t status)
{
    switch (status) {
    case 0x80: return "OK";
    case 0x81: return "FAULT";
    case 0x09: return "JTAG_GET_IDCODE_ERROR (no target answering)";
    case 0x0C: return "JTAG_WRITE_ERROR";
    case 0x0D: return "JTAG_WRITE_VERIF_ERROR";
    case 0x10: return "SWD_AP_WAIT";
    case 0x11: return "SWD_AP_FAULT";
    case 0x12: return "SWD_AP_ERROR";
    case 0x13: return "SWD_AP_PARITY_ERROR";
    case 0x14: return "SWD_DP_WAIT";
    case 0x15: return "SWD_DP_FAULT";
    case 0x16: return "SWD_DP_ERROR";
    case 0x17: return "SWD_DP_PARITY_ERROR";
    case 0x18: return "SWD_AP_WDATA_ERROR";
    case 0x19: return "SWD_AP_STICKY_ERROR";
    case 0x1A: return "SWD_AP_STICKYORUN_ERROR";
    case 0x1D: return "BAD_AP_ERROR";
    default: return "unknown status";
    }
}

int stlink_status_class(uint8_t status)
{
    switch (status) {
    case ST_OK:
    case ST_WRITE_VERIF:
        return 0;
    case ST_AP_WAIT:
    case ST_DP_WAIT:
        return 1;
    case ST_FAULT:
    case 0x09: case 0x0C:
    case 0x11: case 0x12: case 0x13:
    case 0x15: case 0x16: case 0x17:
    case 0x18: case 0x19: case 0x1A: case 0x1D:
        return ESPCTL_E_TARGET;
    default:
        return ESPCTL_E_PROTOCOL;
    }
}

int stlink_cmd_raw(struct stlink_probe *p, const uint8_t cdb[STLINK_CDB_SIZE], int dir,
                   uint8_t *data, uint32_t len)
{
    return p->t->ops->xfer(p->t, cdb, dir, data, len);
}

void stlink_clear_sticky(struct stlink_probe *p)
{
    uint8_t cdb[STLINK_CDB_SIZE] = {0xF2, 0x46};
    uint8_t reply[2] = {0};
    stlink_put16(cdb + 2, 0xFFFF);
    stlink_put16(cdb + 4, 0x0);
    stlink_put32(cdb + 6, DP_ABORT_CLEAR_ALL);
    if (stlink_cmd_raw(p, cdb, STLINK_DIR_IN, reply, sizeof reply) < 0 || reply[0] != ST_OK)
        stlink_log(&p->env, ESPCTL_LOG_WARN, "could not clear sticky errors (DP ABORT), status 0x%02x",
                   reply[0]);
}

/* Sleep before WAIT retry `attempt` (1, 2, 4 ... ms); non-zero when cancelled. */
static int wait_backoff(struct stlink_probe *p, int attempt)
{
    const struct espctl_host *h = p->env.host;
    if (h->cancelled && h->cancelled(h))
        return ESPCTL_E_CANCELLED;
    if (h->sleep_us && h->sleep_us(h, 1000ull << attempt))
        return ESPCTL_E_CANCELLED;
    return 0;
}

int stlink_cmd_status(struct stlink_probe *p, const uint8_t cdb[STLINK_CDB_SIZE], uint8_t *reply,
                      uint32_t reply_len, const char *what, uint32_t addr)
{
    for (int attempt = 0;; attempt++) {
        memset(reply, 0, reply_len);
        int rc = stlink_cmd_raw(p, cdb, STLINK_DIR_IN, reply, reply_len);
        if (rc < 0)
            return rc;
        int cls = stlink_status_class(reply[0]);
        if (cls == 0)
            return 0;
        if (cls == 1) {
            if (attempt >= STLINK_WAIT_RETRIES) {
                stlink_clear_sticky(p);
                return stlink_fail(&p->env, ESPCTL_E_TIMEOUT,
                                   "%s at 0x%08x: target kept answering WAIT (%s) after %d retries",
                                   what, addr, stlink_status_name(reply[0]), STLINK_WAIT_RETRIES);
            }
            if (wait_backoff(p, attempt))
                return stlink_fail(&p->env, ESPCTL_E_CANCELLED, "%s at 0x%08x: cancelled", what, addr);
            continue;
        }
        if (cls == ESPCTL_E_TARGET)
            stlink_clear_sticky(p);
        return stlink_fail(&p->env, cls, "%s at 0x%08x: ST-Link status 0x%02x (%s)", what, addr,
                           reply[0], stlink_status_name(reply[0]));
    }
}
