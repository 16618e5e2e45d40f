/* ST-Link V2/V3 USB command set (the subset OpenOCD's dap-direct and HLA drivers use). */
#include <stdio.h>
#include <string.h>

#include "stlink_front.h"

/* ST-Link statuses. */
#define ST_OK             0x80u
#define ST_SWD_AP_WAIT    0x10u
#define ST_SWD_AP_FAULT   0x11u
#define ST_SWD_AP_ERROR   0x12u
#define ST_SWD_DP_WAIT    0x14u
#define ST_SWD_DP_FAULT   0x15u
#define ST_BAD_AP         0x1Du

#define MODE_DFU 0
#define MODE_MASS 1
#define MODE_DEBUG 2

#define VID_ST 0x0483u
#define PID_V2 0x3748u
#define PID_V3 0x374Fu

static uint32_t le32(const uint8_t *p) { return sim_le_get(p, 4); }
static uint32_t le16(const uint8_t *p) { return sim_le_get(p, 2); }

void stlink_probe_init(struct stlink_probe *p, struct sim_target *t, enum stlink_identity id)
{
    memset(p, 0, sizeof *p);
    p->target = t;
    p->identity = id;
    p->mode = MODE_DFU;
    p->last_rw_status = ST_OK;
    p->swd_khz = 1800;
    p->device_id = 0x1;
    p->server_api = 2;
    p->serial = id == STLINK_V3J7 ? "0030002A3431511737393330" : "066DFF555052836687112535";
}

static void log_cmd(const struct stlink_probe *p, const char *what, const uint8_t *cdb)
{
    (void)p;
    fprintf(stderr, "espctl-sim stlink: %s: cdb", what);
    for (int i = 0; i < 16; i++)
        fprintf(stderr, " %02X", cdb[i]);
    fputc('\n', stderr);
}

/* Copy a fixed reply into the data phase (truncated or zero-padded to in_len). */
static void put(uint8_t *in, uint32_t in_len, const uint8_t *rep, uint32_t rep_len)
{
    uint32_t n = rep_len < in_len ? rep_len : in_len;
    if (n)
        memcpy(in, rep, n);
}

static uint8_t ack_status(enum sim_ack a, int dp)
{
    if (a == SIM_ACK_OK)
        return ST_OK;
    if (a == SIM_ACK_WAIT)
        return dp ? ST_SWD_DP_WAIT : ST_SWD_AP_WAIT;
    return dp ? ST_SWD_DP_FAULT : ST_SWD_AP_FAULT;
}

static void get_version(const struct stlink_probe *p, uint8_t *in, uint32_t in_len)
{
    uint8_t r[6];
    uint16_t ver = p->identity == STLINK_V3J7 ? (uint16_t)(3u << 12) : (uint16_t)((2u << 12) | (37u << 6) | 7u);
    r[0] = (uint8_t)(ver >> 8);
    r[1] = (uint8_t)ver;
    sim_le_put(r + 2, 2, VID_ST);
    sim_le_put(r + 4, 2, p->identity == STLINK_V3J7 ? PID_V3 : PID_V2);
    put(in, in_len, r, sizeof r);
}

static void get_version_ex(const struct stlink_probe *p, uint8_t *in, uint32_t in_len)
{
    uint8_t r[12] = {3, 0, 7, 0, 3, 0, 0, 0};
    (void)p;
    sim_le_put(r + 8, 2, VID_ST);
    sim_le_put(r + 10, 2, PID_V3);
    put(in, in_len, r, sizeof r);
}

/* Memory commands: READMEM/WRITEMEM 8/16/32 and the 32-bit no-increment variants. */
static uint32_t mem_command(struct stlink_probe *p, const uint8_t *cdb, const uint8_t *out,
                            uint32_t out_len, uint8_t *in, uint32_t in_len)
{
    struct sim_dap *dap = &p->target->dap;
    uint8_t sub = cdb[1];
    uint32_t addr = le32(cdb + 2), len = le16(cdb + 6);
    unsigned ap = cdb[8];
    uint32_t csw_hi = cdb[9] | (uint32_t)cdb[10] << 8 | (uint32_t)cdb[11] << 16;
    int write = sub == 0x08 || sub == 0x0D || sub == 0x48 || sub == 0x50;
    int noinc = sub == 0x50 || sub == 0x54;
    unsigned size = (sub == 0x0C || sub == 0x0D) ? 1 : (sub == 0x47 || sub == 0x48) ? 2 : 4;

    if (len > STLINK_MAX_XFER || (write ? out_len < len : in_len < len) || addr % size || len % size) {
        log_cmd(p, "bad memory command length/alignment", cdb);
        p->last_rw_status = ST_SWD_AP_ERROR;
        p->last_rw_addr = addr;
        return STLINK_TCP_BAD_PARAM;
    }
    if (ap > 0) {
        p->last_rw_status = ST_BAD_AP;
        return STLINK_TCP_OK;
    }
    enum sim_ack a = SIM_ACK_OK;
    if (noinc) {
        for (uint32_t i = 0; a == SIM_ACK_OK && i < len; i += 4)
            a = write ? sim_dap_mem_write(dap, ap, addr, 4, csw_hi, out + i, 4)
                      : sim_dap_mem_read(dap, ap, addr, 4, csw_hi, in + i, 4);
    } else if (len) {
        a = write ? sim_dap_mem_write(dap, ap, addr, size, csw_hi, out, len)
                  : sim_dap_mem_read(dap, ap, addr, size, csw_hi, in, len);
    }
    p->last_rw_status = ack_status(a, 0);
    p->last_rw_addr = a == SIM_ACK_OK ? 0 : dap->last_error_addr;
    return STLINK_TCP_OK;
}

static void nrst(struct stlink_probe *p, uint8_t how)
{
    struct sim_target *t = p->target;
    if (how == 0) {
        p->nrst_low = 1;
        t->core.in_reset = true;
        return;
    }
    if (how == 2 || p->nrst_low) {
        p->nrst_low = 0;
        t->core.in_reset = false;
        sim_target_system_reset(t);
    }
}

static uint32_t debug_command(struct stlink_probe *p, const uint8_t *cdb, const uint8_t *out,
                              uint32_t out_len, uint8_t *in, uint32_t in_len)
{
    struct sim_target *t = p->target;
    struct sim_dap *dap = &t->dap;
    uint8_t r[52] = {ST_OK};
    uint32_t v = 0;
    enum sim_ack a;

    switch (cdb[1]) {
    case 0x30: /* APIV2 enter: A3 SWD, A4 JTAG, 00 JTAG with reset */
        if (cdb[2] != 0xA3 && cdb[2] != 0xA4 && cdb[2] != 0x00) {
            log_cmd(p, "unknown debug-enter mode", cdb);
            r[0] = ST_SWD_AP_ERROR;
        } else {
            p->mode = MODE_DEBUG;
        }
        put(in, in_len, r, 2);
        return STLINK_TCP_OK;
    case 0x21: /* DEBUG_EXIT */
        p->mode = MODE_MASS;
        return STLINK_TCP_OK;
    case 0x31: /* READ_IDCODES */
        a = sim_dap_dp_read(dap, 0, &v);
        r[0] = ack_status(a, 1);
        sim_le_put(r + 4, 4, v);
        put(in, in_len, r, 12);
        return STLINK_TCP_OK;
    case 0x43: case 0x44: /* SWD/JTAG_SET_FREQ (divisor) */
        put(in, in_len, r, 2);
        return STLINK_TCP_OK;
    case 0x62: { /* APIV3 GET_COM_FREQ */
        static const uint32_t khz[] = {24000, 8000, 3300, 1000, 200, 50, 5};
        if (p->identity != STLINK_V3J7)
            break;
        r[8] = sizeof khz / sizeof khz[0];
        for (unsigned i = 0; i < sizeof khz / sizeof khz[0]; i++)
            sim_le_put(r + 12 + 4 * i, 4, khz[i]);
        put(in, in_len, r, 52);
        return STLINK_TCP_OK;
    }
    case 0x61: /* APIV3 SET_COM_FREQ */
        if (p->identity != STLINK_V3J7)
            break;
        p->swd_khz = le32(cdb + 4);
        put(in, in_len, r, 8);
        return STLINK_TCP_OK;
    case 0x3C: /* DRIVE_NRST */
        if (cdb[2] > 2)
            r[0] = ST_SWD_AP_ERROR;
        else
            nrst(p, cdb[2]);
        put(in, in_len, r, 2);
        return STLINK_TCP_OK;
    case 0x32: /* RESETSYS */
        sim_target_system_reset(t);
        put(in, in_len, r, 2);
        return STLINK_TCP_OK;
    case 0x45: { /* READ_DAP_REG */
        unsigned port = le16(cdb + 2), addr = le16(cdb + 4);
        int dp = port == 0xFFFF;
        if (dp)
            a = sim_dap_dp_read(dap, addr, &v);
        else if (port > 0xFF)
            a = SIM_ACK_FAULT;
        else
            a = sim_dap_ap_read(dap, port, addr & 0xFC, &v);
        r[0] = ack_status(a, dp);
        sim_le_put(r + 4, 4, v);
        put(in, in_len, r, 8);
        return STLINK_TCP_OK;
    }
    case 0x46: { /* WRITE_DAP_REG */
        unsigned port = le16(cdb + 2), addr = le16(cdb + 4);
        int dp = port == 0xFFFF;
        v = le32(cdb + 6);
        if (dp)
            a = sim_dap_dp_write(dap, addr, v);
        else if (port > 0xFF)
            a = SIM_ACK_FAULT;
        else
            a = sim_dap_ap_write(dap, port, addr & 0xFC, v);
        r[0] = ack_status(a, dp);
        put(in, in_len, r, 2);
        return STLINK_TCP_OK;
    }
    case 0x4B: case 0x4C: /* INIT_AP / CLOSE_AP_DBG */
        r[0] = cdb[2] == 0 ? ST_OK : ST_BAD_AP;
        put(in, in_len, r, 2);
        return STLINK_TCP_OK;
    case 0x07: case 0x08: case 0x0C: case 0x0D: case 0x47: case 0x48: case 0x50: case 0x54:
        return mem_command(p, cdb, out, out_len, in, in_len);
    case 0x3E: /* GETLASTRWSTATUS2 */
        r[0] = p->last_rw_status;
        sim_le_put(r + 4, 4, p->last_rw_addr);
        put(in, in_len, r, 12);
        return STLINK_TCP_OK;
    case 0x3B: /* GETLASTRWSTATUS */
        r[0] = p->last_rw_status;
        put(in, in_len, r, 2);
        return STLINK_TCP_OK;
    case 0x36: /* READDEBUGREG (HLA) */
        a = sim_dap_mem_read(dap, 0, le32(cdb + 2) & ~3u, 4, 0xA20000u, r + 4, 4);
        r[0] = ack_status(a, 0);
        put(in, in_len, r, 8);
        return STLINK_TCP_OK;
    case 0x35: { /* WRITEDEBUGREG (HLA) */
        uint8_t w[4];
        memcpy(w, cdb + 6, 4);
        a = sim_dap_mem_write(dap, 0, le32(cdb + 2) & ~3u, 4, 0xA20000u, w, 4);
        r[0] = ack_status(a, 0);
        put(in, in_len, r, 2);
        return STLINK_TCP_OK;
    }
    case 0x40: case 0x41: /* trace start/stop: no trace data is ever produced */
        put(in, in_len, r, 2);
        return STLINK_TCP_OK;
    case 0x42: /* trace bytes available */
        r[0] = 0;
        put(in, in_len, r, 2);
        return STLINK_TCP_OK;
    default:
        break;
    }
    log_cmd(p, "unsupported debug command", cdb);
    return STLINK_TCP_NOT_AVAILABLE;
}

uint32_t stlink_usb_command(struct stlink_probe *p, const uint8_t cdb[16], const uint8_t *out,
                            uint32_t out_len, uint8_t *in, uint32_t in_len)
{
    sim_target_round_trip(p->target, 16u + out_len, in_len);
    if (p->verbose)
        fprintf(stderr, "espctl-sim stlink: #%llu cdb %02X %02X out %u in %u arg %08x at %.6f s\n",
                (unsigned long long)p->target->stats.round_trips, cdb[0], cdb[1], out_len, in_len,
                le32(cdb + 2), (double)p->target->clock.now_ns / 1e9);
    uint8_t r[8] = {0};
    switch (cdb[0]) {
    case 0xF1: /* GET_VERSION */
        get_version(p, in, in_len);
        return STLINK_TCP_OK;
    case 0xFB: /* APIV3 GET_VERSION_EX */
        if (p->identity != STLINK_V3J7)
            break;
        get_version_ex(p, in, in_len);
        return STLINK_TCP_OK;
    case 0xF5: /* GET_CURRENT_MODE */
        r[0] = p->mode;
        put(in, in_len, r, 2);
        return STLINK_TCP_OK;
    case 0xF7: /* GET_TARGET_VOLTAGE: 2 * adc1 * 1.2 / adc0 = 3.3 V */
        sim_le_put(r, 4, 1600);
        sim_le_put(r + 4, 4, 2200);
        put(in, in_len, r, 8);
        return STLINK_TCP_OK;
    case 0xF3: /* DFU commands: only DFU_EXIT */
        if (cdb[1] != 0x07)
            break;
        p->mode = MODE_MASS;
        return STLINK_TCP_OK;
    case 0xF4: /* SWIM: only SWIM_EXIT */
        if (cdb[1] != 0x01)
            break;
        p->mode = MODE_MASS;
        return STLINK_TCP_OK;
    case 0xF2:
        return debug_command(p, cdb, out, out_len, in, in_len);
    default:
        break;
    }
    log_cmd(p, "unsupported command", cdb);
    return STLINK_TCP_NOT_AVAILABLE;
}
