/* DAP_Transfer packets: splitting, WAIT retries, fault recovery, DP/AP access with SELECT caching. */
#include "dap_probe.h"

#include <stdio.h>

#define DP_ABORT_CLEAR_ALL 0x1Eu /* STKCMPCLR | STKERRCLR | WDERRCLR | ORUNERRCLR */
#define DP_REG_SELECT 0x8u
#define DP_REG_CTRL_STAT 0x4u

void dap_invalidate_caches(struct dap_probe *p)
{
    p->select_valid = 0;
    p->csw_valid = 0;
}

int dap_ack_fail(struct dap_probe *p, uint8_t ack, const char *what)
{
    const char *name = p->t->name;
    dap_invalidate_caches(p);
    if (ack & DAP_ACK_PROTOCOL_ERROR)
        return dap_fail(&p->env, ESPCTL_E_PROTOCOL, "CMSIS-DAP %s: %s: SWD protocol (parity) error; reconnect to "
                        "resynchronise the line", name, what);
    if (ack & DAP_ACK_MISMATCH)
        return dap_fail(&p->env, ESPCTL_E_TIMEOUT, "CMSIS-DAP %s: %s: value never matched", name, what);
    switch (ack & 0x07u) {
    case DAP_ACK_WAIT:
        return dap_fail(&p->env, ESPCTL_E_TIMEOUT, "CMSIS-DAP %s: %s: target kept answering WAIT (%u probe retries "
                        "per transfer, re-issued %u times)", name, what, p->env.wait_retry, p->env.host_retries);
    case DAP_ACK_FAULT: {
        int rc = dap_write_abort(p, DP_ABORT_CLEAR_ALL);
        return dap_fail(&p->env, ESPCTL_E_TARGET, "CMSIS-DAP %s: %s: target answered FAULT (bus or access error)%s",
                        name, what, rc ? "; clearing the sticky error through ABORT failed too"
                                       : "; sticky error cleared through ABORT");
    }
    case DAP_ACK_NONE:
        return dap_fail(&p->env, ESPCTL_E_NO_DEVICE, "CMSIS-DAP %s: %s: no ACK from the target (not connected, "
                        "unpowered, or SWD not selected)", name, what);
    default:
        return dap_fail(&p->env, ESPCTL_E_PROTOCOL, "CMSIS-DAP %s: %s: invalid ACK 0x%02X", name, what, ack);
    }
}

int dap_sleep_ms(struct dap_probe *p, uint32_t ms)
{
    const struct espctl_host *h = p->env.host;
    if (h->sleep_us)
        return h->sleep_us(h, (uint64_t)ms * 1000u) ? ESPCTL_E_CANCELLED : 0;
    return 0;
}

/* Host-side WAIT handling: back off 1, 2, 4 ... ms; ESPCTL_E_TIMEOUT after host_retries. */
static int wait_backoff(struct dap_probe *p, uint32_t *retries)
{
    if (*retries >= p->env.host_retries)
        return ESPCTL_E_TIMEOUT;
    uint32_t ms = 1u << (*retries < 7 ? *retries : 7);
    (*retries)++;
    p->host_wait_retries++;
    return dap_sleep_ms(p, ms);
}

/* How many ops from `ops` fit one DAP_Transfer request and its response. */
static uint32_t ops_per_packet(const struct dap_probe *p, const struct dap_op *ops, uint32_t n)
{
    size_t req = DAP_TRANSFER_HEADER, resp = DAP_TRANSFER_RESP_HEADER;
    uint32_t k = 0;
    while (k < n && k < 255) {
        int read = (ops[k].req & DAP_REQ_READ) != 0;
        size_t r2 = req + 1 + (read ? 0u : 4u), s2 = resp + (read ? 4u : 0u);
        if (r2 > p->packet_size || s2 > p->packet_size)
            break;
        req = r2;
        resp = s2;
        k++;
    }
    return k;
}

int dap_transfer_ops(struct dap_probe *p, const struct dap_op *ops, uint32_t n, const char *what)
{
    uint8_t req[DAP_MAX_PACKET], resp[DAP_MAX_PACKET], reqs[255];
    uint32_t words[255];
    uint32_t i = 0, retries = 0;
    while (i < n) {
        uint32_t k = ops_per_packet(p, ops + i, n - i);
        size_t len = DAP_TRANSFER_HEADER;
        req[0] = DAP_CMD_TRANSFER;
        req[1] = 0;
        req[2] = (uint8_t)k;
        for (uint32_t j = 0; j < k; j++) {
            reqs[j] = ops[i + j].req;
            req[len++] = reqs[j];
            if (!(reqs[j] & DAP_REQ_READ)) {
                dap_put32(req + len, ops[i + j].wdata);
                len += 4;
            }
        }
        size_t rlen = 0;
        int rc = dap_exchange(p, req, len, resp, sizeof resp, &rlen);
        if (rc) {
            dap_invalidate_caches(p);
            return rc;
        }
        struct dap_xfer_status st;
        char why[256];
        rc = dap_parse_transfer(resp, rlen, reqs, k, &st, words, why, sizeof why);
        if (rc) {
            dap_invalidate_caches(p);
            return dap_proto_fail(p, rc, why);
        }
        for (uint32_t j = 0, w = 0; j < st.done; j++)
            if (reqs[j] & DAP_REQ_READ) {
                if (ops[i + j].rdata)
                    *ops[i + j].rdata = words[w];
                w++;
            }
        i += st.done;
        if (st.ack == DAP_ACK_OK)
            continue;
        if (st.ack == DAP_ACK_WAIT) {
            rc = wait_backoff(p, &retries);
            if (rc == 0)
                continue;
            if (rc == ESPCTL_E_CANCELLED)
                return dap_fail(&p->env, rc, "CMSIS-DAP %s: %s: cancelled while the target answered WAIT",
                                p->t->name, what);
        }
        return dap_ack_fail(p, st.ack, what);
    }
    return 0;
}

uint32_t dap_select_op(struct dap_probe *p, uint32_t select, struct dap_op *ops)
{
    if (p->select_valid && p->select == select)
        return 0;
    ops[0] = (struct dap_op){DAP_REQ(0, 0, DP_REG_SELECT), select, NULL};
    p->select = select;
    p->select_valid = 1;
    return 1;
}

/* SELECT for DP bank `bank`, keeping the AP fields. */
static uint32_t dp_bank_select(const struct dap_probe *p, uint32_t bank)
{
    uint32_t base = p->select_valid ? (p->select & ~0xFu) : 0;
    return base | (bank & 0xFu);
}

static uint32_t ap_select(const struct dap_probe *p, uint32_t ap, uint32_t addr)
{
    uint32_t dpbank = p->select_valid ? (p->select & 0xFu) : 0;
    return (ap & 0xFFu) << 24 | (addr & 0xF0u) | dpbank;
}

int dap_dp_read(struct dap_probe *p, uint32_t addr, uint32_t *value)
{
    struct dap_op ops[2];
    uint32_t n = 0;
    if ((addr & 0xCu) == DP_REG_CTRL_STAT)
        n += dap_select_op(p, dp_bank_select(p, (addr >> 4) & 0xFu), ops);
    ops[n++] = (struct dap_op){DAP_REQ(0, 1, addr), 0, value};
    char what[64];
    snprintf(what, sizeof what, "DP read 0x%02X", addr);
    return dap_transfer_ops(p, ops, n, what);
}

int dap_dp_write(struct dap_probe *p, uint32_t addr, uint32_t value)
{
    struct dap_op ops[2];
    uint32_t n = 0;
    char what[64];
    snprintf(what, sizeof what, "DP write 0x%02X", addr);
    if ((addr & 0xCu) == DP_REG_SELECT) {
        ops[n++] = (struct dap_op){DAP_REQ(0, 0, DP_REG_SELECT), value, NULL};
        p->select = value;
        p->select_valid = 1;
        return dap_transfer_ops(p, ops, n, what);
    }
    if ((addr & 0xCu) == DP_REG_CTRL_STAT)
        n += dap_select_op(p, dp_bank_select(p, (addr >> 4) & 0xFu), ops);
    ops[n++] = (struct dap_op){DAP_REQ(0, 0, addr), value, NULL};
    return dap_transfer_ops(p, ops, n, what);
}

int dap_ap_read(struct dap_probe *p, uint32_t ap, uint32_t addr, uint32_t *value)
{
    if (ap > 255 || addr > 0xFC || (addr & 3))
        return dap_fail(&p->env, ESPCTL_E_INVAL, "AP read: AP %u register 0x%X is out of range", ap, addr);
    struct dap_op ops[2];
    uint32_t n = dap_select_op(p, ap_select(p, ap, addr), ops);
    ops[n++] = (struct dap_op){DAP_REQ(1, 1, addr), 0, value};
    char what[64];
    snprintf(what, sizeof what, "AP %u read 0x%02X", ap, addr);
    int rc = dap_transfer_ops(p, ops, n, what);
    if (!rc && ap == p->csw_ap && addr == 0)
        p->csw_valid = 0; /* CSW read back may differ from what we cached; re-write next time */
    return rc;
}

int dap_ap_write(struct dap_probe *p, uint32_t ap, uint32_t addr, uint32_t value)
{
    if (ap > 255 || addr > 0xFC || (addr & 3))
        return dap_fail(&p->env, ESPCTL_E_INVAL, "AP write: AP %u register 0x%X is out of range", ap, addr);
    struct dap_op ops[2];
    uint32_t n = dap_select_op(p, ap_select(p, ap, addr), ops);
    ops[n++] = (struct dap_op){DAP_REQ(1, 0, addr), value, NULL};
    if (ap == p->csw_ap && addr == 0)
        p->csw_valid = 0;
    char what[64];
    snprintf(what, sizeof what, "AP %u write 0x%02X", ap, addr);
    return dap_transfer_ops(p, ops, n, what);
}
