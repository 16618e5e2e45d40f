/* MEM-AP memory streams. Each 1 KiB auto-increment block starts with a DAP_Transfer that
 * sets SELECT/CSW (when not cached) and TAR and fills the rest of that packet with DRW
 * transfers; the remainder of the block goes through DAP_TransferBlock. Requests travel in
 * bursts of up to `window` in flight. After a failed request the rest of the window is
 * drained; WAIT resumes at the first unconfirmed element (TAR is rewritten), FAULT clears
 * the sticky error through ABORT and fails. */
#include "dap_probe.h"

#include <stdio.h>

#define CSW_BASE 0x23000050u /* DbgSwEnable, HPROT master/privileged, AddrInc single */
#define AP_REG_CSW 0x00u
#define AP_REG_TAR 0x04u
#define AP_REG_DRW 0x0Cu

enum pending_kind { PENDING_LEAD, PENDING_BLOCK };

struct pending {
    enum pending_kind kind;
    uint32_t off;    /**< byte offset of the first element it covers */
    uint32_t count;  /**< DRW elements it moves */
    uint32_t nsetup; /**< lead: register writes (SELECT, CSW, TAR) before the elements */
    uint8_t reqs[255];
};

struct stream {
    struct dap_probe *p;
    uint32_t ap, addr, es, len;
    uint8_t *rbuf;
    const uint8_t *wbuf;
    struct pending q[DAP_MAX_INFLIGHT_LIMIT];
    uint32_t head, count;
    /* first failure of this pass */
    int failed;
    int fail_rc;
    uint8_t fail_ack;
    uint32_t fail_off;
};

static uint32_t size_code(uint32_t es)
{
    return es == 1 ? 0u : es == 2 ? 1u : 2u;
}

static void fail_at(struct stream *s, uint32_t off, int rc, uint8_t ack)
{
    if (s->failed)
        return;
    s->failed = 1;
    s->fail_rc = rc;
    s->fail_ack = ack;
    s->fail_off = off;
}

static uint32_t lane_word(const struct stream *s, uint32_t off);

/* The lead packet of the block [off, blk_end): SELECT/CSW when not cached, TAR, then as many
 * DRW transfers as fit. Returns the number of elements it carries in *elements. */
static int send_lead(struct stream *s, uint32_t off, uint32_t blk_end, struct pending *pd, uint32_t *elements)
{
    struct dap_probe *p = s->p;
    struct dap_op ops[3];
    uint32_t n = dap_select_op(p, (s->ap & 0xFFu) << 24 | (p->select_valid ? (p->select & 0xFu) : 0u), ops);
    uint32_t csw = CSW_BASE | size_code(s->es);
    if (!p->csw_valid || p->csw_ap != s->ap || p->csw != csw) {
        ops[n++] = (struct dap_op){DAP_REQ(1, 0, AP_REG_CSW), csw, NULL};
        p->csw = csw;
        p->csw_ap = s->ap;
        p->csw_valid = 1;
    }
    ops[n++] = (struct dap_op){DAP_REQ(1, 0, AP_REG_TAR), s->addr + off, NULL};
    uint8_t req[DAP_MAX_PACKET];
    size_t len = DAP_TRANSFER_HEADER, resp_len = DAP_TRANSFER_RESP_HEADER;
    req[0] = DAP_CMD_TRANSFER;
    req[1] = 0;
    for (uint32_t i = 0; i < n; i++) {
        pd->reqs[i] = ops[i].req;
        req[len++] = ops[i].req;
        dap_put32(req + len, ops[i].wdata);
        len += 4;
    }
    int read = s->rbuf != NULL;
    uint8_t drw = DAP_REQ(1, read, AP_REG_DRW);
    uint32_t k = 0, left = (blk_end - off) / s->es;
    while (k < left && n + k < 255) {
        size_t add = read ? 1u : 5u, radd = read ? 4u : 0u;
        if (len + add > p->packet_size || resp_len + radd > p->packet_size)
            break;
        pd->reqs[n + k] = drw;
        req[len++] = drw;
        if (!read) {
            dap_put32(req + len, lane_word(s, off + k * s->es));
            len += 4;
        }
        resp_len += radd;
        k++;
    }
    req[2] = (uint8_t)(n + k);
    pd->kind = PENDING_LEAD;
    pd->off = off;
    pd->count = k;
    pd->nsetup = n;
    *elements = k;
    return dap_pipe_send(p, req, len);
}

static uint32_t lane_word(const struct stream *s, uint32_t off)
{
    uint32_t a = s->addr + off;
    switch (s->es) {
    case 1: return (uint32_t)s->wbuf[off] << (8 * (a & 3u));
    case 2: return (uint32_t)dap_get16(s->wbuf + off) << (8 * (a & 2u));
    default: return dap_get32(s->wbuf + off);
    }
}

static void store_lane(const struct stream *s, uint32_t off, uint32_t word)
{
    uint32_t a = s->addr + off;
    switch (s->es) {
    case 1: s->rbuf[off] = (uint8_t)(word >> (8 * (a & 3u))); break;
    case 2: dap_put16(s->rbuf + off, word >> (8 * (a & 2u))); break;
    default: dap_put32(s->rbuf + off, word); break;
    }
}

static int send_block(struct stream *s, uint32_t off, uint32_t count, struct pending *pd)
{
    uint8_t req[DAP_MAX_PACKET];
    size_t len = DAP_BLOCK_HEADER;
    int read = s->rbuf != NULL;
    req[0] = DAP_CMD_TRANSFER_BLOCK;
    req[1] = 0;
    dap_put16(req + 2, count);
    req[4] = DAP_REQ(1, read, AP_REG_DRW);
    if (!read)
        for (uint32_t i = 0; i < count; i++, len += 4)
            dap_put32(req + len, lane_word(s, off + i * s->es));
    pd->kind = PENDING_BLOCK;
    pd->off = off;
    pd->count = count;
    pd->nsetup = 0;
    return dap_pipe_send(s->p, req, len);
}

/* Read the oldest response and account for it. Returns a transport error or 0. */
static int complete_one(struct stream *s)
{
    struct dap_probe *p = s->p;
    struct pending *pd = &s->q[s->head];
    s->head = (s->head + 1) % DAP_MAX_INFLIGHT_LIMIT;
    s->count--;
    uint8_t resp[DAP_MAX_PACKET];
    uint32_t words[DAP_MAX_PACKET / 4];
    size_t len = 0;
    int rc = dap_pipe_recv(p, resp, sizeof resp, &len);
    if (rc)
        return rc;
    if (s->failed)
        return 0; /* draining after the first failure */
    struct dap_xfer_status st;
    char why[256];
    if (pd->kind == PENDING_LEAD) {
        rc = dap_parse_transfer(resp, len, pd->reqs, pd->nsetup + pd->count, &st, words, why, sizeof why);
        if (rc) {
            fail_at(s, pd->off, dap_proto_fail(p, rc, why), 0);
            return 0;
        }
        uint32_t done = st.done > pd->nsetup ? st.done - pd->nsetup : 0;
        if (s->rbuf)
            for (uint32_t i = 0; i < done; i++)
                store_lane(s, pd->off + i * s->es, words[i]);
        if (st.ack != DAP_ACK_OK)
            fail_at(s, pd->off + done * s->es, 0, st.ack);
        return 0;
    }
    rc = dap_parse_block(resp, len, pd->count, s->rbuf != NULL, &st, words, why, sizeof why);
    if (rc) {
        fail_at(s, pd->off, dap_proto_fail(p, rc, why), 0);
        return 0;
    }
    if (s->rbuf)
        for (uint32_t i = 0; i < st.done; i++)
            store_lane(s, pd->off + i * s->es, words[i]);
    if (st.ack != DAP_ACK_OK)
        fail_at(s, pd->off + st.done * s->es, 0, st.ack);
    return 0;
}

/* One pass from byte offset *pos; on return *pos is where a retry must resume. */
static int stream_pass(struct stream *s, uint32_t *pos)
{
    struct dap_probe *p = s->p;
    const struct espctl_host *h = p->env.host;
    uint32_t per_block = s->rbuf ? (p->packet_size - DAP_BLOCK_RESP_HEADER) / 4
                                 : (p->packet_size - DAP_BLOCK_HEADER) / 4;
    uint32_t off = *pos, blk_end = off;
    int draining = 0;
    s->head = s->count = 0;
    s->failed = 0;
    while ((!s->failed && off < s->len) || s->count) {
        /* Bursts: fill the window, then drain it completely, so each burst crosses the
         * link as one batch (one TCP write, one USB scheduling round). */
        if (s->count == 0)
            draining = 0;
        else if (s->count == p->window || off >= s->len)
            draining = 1;
        int can_send = !s->failed && !draining && off < s->len && s->count < p->window;
        if (can_send) {
            struct pending *pd = &s->q[(s->head + s->count) % DAP_MAX_INFLIGHT_LIMIT];
            int rc;
            if (off == blk_end) {
                if (h->cancelled && h->cancelled(h)) {
                    fail_at(s, off, dap_fail(&p->env, ESPCTL_E_CANCELLED, "memory transfer cancelled"), 0);
                    continue;
                }
                uint32_t a = s->addr + off;
                uint32_t to_boundary = DAP_TAR_BLOCK - (a % DAP_TAR_BLOCK);
                blk_end = off + (to_boundary < s->len - off ? to_boundary : s->len - off);
                uint32_t k = 0;
                rc = send_lead(s, off, blk_end, pd, &k);
                off += k * s->es;
            } else {
                uint32_t n = (blk_end - off) / s->es;
                if (n > per_block)
                    n = per_block;
                rc = send_block(s, off, n, pd);
                off += n * s->es;
            }
            if (rc) {
                dap_pipe_drain(p);
                dap_invalidate_caches(p);
                return rc;
            }
            s->count++;
            continue;
        }
        int rc = complete_one(s);
        if (rc) {
            dap_pipe_drain(p);
            dap_invalidate_caches(p);
            return rc;
        }
    }
    if (!s->failed) {
        *pos = s->len;
        return 0;
    }
    *pos = s->fail_off;
    dap_invalidate_caches(p);
    return s->fail_rc ? s->fail_rc : 1;
}

static int stream_run(struct dap_probe *p, uint32_t ap, uint64_t addr, uint32_t width, uint8_t *rbuf,
                      const uint8_t *wbuf, uint32_t len)
{
    const char *dir = rbuf ? "read" : "write";
    if ((width != 8 && width != 16 && width != 32) || addr % (width / 8) || len % (width / 8) || ap > 255)
        return dap_fail(&p->env, ESPCTL_E_INVAL, "memory %s: width %u, address 0x%llx, length %u are not aligned "
                        "(or AP %u out of range)", dir, width, (unsigned long long)addr, len, ap);
    if (addr + len > 0x100000000ull)
        return dap_fail(&p->env, ESPCTL_E_INVAL, "memory %s: 0x%llx + %u is beyond the 32-bit MEM-AP", dir,
                        (unsigned long long)addr, len);
    if (!len)
        return 0;
    struct stream s = {.p = p, .ap = ap, .addr = (uint32_t)addr, .es = width / 8, .len = len,
                       .rbuf = rbuf, .wbuf = wbuf};
    uint32_t pos = 0, retries = 0;
    for (;;) {
        int rc = stream_pass(&s, &pos);
        if (rc <= 0)
            return rc;
        char what[96];
        snprintf(what, sizeof what, "memory %s of %u bytes at 0x%08x (stopped at 0x%08x)", dir, len,
                 (uint32_t)addr, (uint32_t)addr + pos);
        if ((s.fail_ack & 0x1Fu) == DAP_ACK_WAIT && retries < p->env.host_retries) {
            uint32_t ms = 1u << (retries < 7 ? retries : 7);
            retries++;
            p->host_wait_retries++;
            if (dap_sleep_ms(p, ms))
                return dap_fail(&p->env, ESPCTL_E_CANCELLED, "%s: cancelled", what);
            continue;
        }
        return dap_ack_fail(p, s.fail_ack, what);
    }
}

int dap_mem_read(struct dap_probe *p, uint32_t ap, uint64_t addr, uint32_t width, uint8_t *buf, uint32_t len)
{
    return stream_run(p, ap, addr, width, buf, NULL, len);
}

int dap_mem_write(struct dap_probe *p, uint32_t ap, uint64_t addr, uint32_t width, const uint8_t *buf,
                  uint32_t len)
{
    return stream_run(p, ap, addr, width, NULL, buf, len);
}
