/* CMSIS-DAP command interpreter: what a probe's firmware does with each command, using the
 * model's raw SWD transaction (sim_dap_transfer). */
#include <stdio.h>
#include <string.h>

#include "dap_front.h"

#define ID_INFO 0x00
#define ID_HOST_STATUS 0x01
#define ID_CONNECT 0x02
#define ID_DISCONNECT 0x03
#define ID_TRANSFER_CONFIGURE 0x04
#define ID_TRANSFER 0x05
#define ID_TRANSFER_BLOCK 0x06
#define ID_WRITE_ABORT 0x08
#define ID_DELAY 0x09
#define ID_RESET_TARGET 0x0A
#define ID_SWJ_PINS 0x10
#define ID_SWJ_CLOCK 0x11
#define ID_SWJ_SEQUENCE 0x12
#define ID_SWD_CONFIGURE 0x13

#define DAP_OK 0x00
#define DAP_ERROR 0xFF
#define ACK_NONE 0x07
#define ACK_MISMATCH 0x10

#define REQ_APNDP 0x01
#define REQ_RNW 0x02
#define REQ_MATCH_VALUE 0x10
#define REQ_MATCH_MASK 0x20

#define CAPS_SWD 0x01

static uint32_t get32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void put32(uint8_t *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

void dapsim_probe_init(struct dapsim_probe *p, struct sim_target *t, uint16_t packet_size, uint8_t packet_count,
                    const char *serial)
{
    memset(p, 0, sizeof *p);
    p->target = t;
    p->packet_size = packet_size;
    p->packet_count = packet_count;
    p->wait_retry = 100;
    p->swj_clock_hz = 1000000;
    p->serial = serial;
}

static size_t info_string(uint8_t *resp, const char *s)
{
    size_t n = strlen(s) + 1;
    resp[1] = (uint8_t)n;
    memcpy(resp + 2, s, n);
    return 2 + n;
}

static size_t cmd_info(struct dapsim_probe *p, const uint8_t *req, size_t len, uint8_t *resp)
{
    if (len < 2) {
        resp[1] = 0;
        return 2;
    }
    switch (req[1]) {
    case 0x01: return info_string(resp, "espctl-sim");
    case 0x02: return info_string(resp, "espctl-sim CMSIS-DAP");
    case 0x03: return info_string(resp, p->serial);
    case 0x04: return info_string(resp, "2.1.0");
    case 0x09: return info_string(resp, "0.1.0");
    case 0xF0: resp[1] = 1; resp[2] = CAPS_SWD; return 3;
    case 0xFE: resp[1] = 1; resp[2] = p->packet_count; return 3;
    case 0xFF:
        resp[1] = 2;
        resp[2] = (uint8_t)p->packet_size;
        resp[3] = (uint8_t)(p->packet_size >> 8);
        return 4;
    default: resp[1] = 0; return 2;
    }
}

/* Track line resets (>= 50 ones) and the JTAG-to-SWD select code 0xE79E (LSB first). */
static void swj_bits(struct dapsim_probe *p, const uint8_t *data, unsigned bits)
{
    for (unsigned i = 0; i < bits; i++) {
        unsigned bit = (data[i / 8] >> (i % 8)) & 1u;
        p->shift = (uint16_t)((p->shift >> 1) | (bit << 15));
        if (p->shift == 0xE79Eu && p->port == 1)
            p->swd_selected = 1;
        if (bit) {
            p->ones_run++;
        } else {
            if (p->ones_run >= 50 && p->swd_selected)
                p->need_idcode = 1;
            p->ones_run = 0;
        }
    }
    /* A sequence ending in >= 50 ones is a line reset too. */
    if (p->ones_run >= 50 && p->swd_selected)
        p->need_idcode = 1;
}

/* One SWD transaction with the firmware's WAIT retries; returns the ACK (1, 2, 4 or 7). */
static unsigned swd_xfer(struct dapsim_probe *p, unsigned req, uint32_t *data)
{
    int apndp = req & REQ_APNDP, rnw = (req & REQ_RNW) != 0;
    unsigned addr = req & 0x0Cu;
    if (p->port != 1 || !p->swd_selected)
        return ACK_NONE;
    if (p->need_idcode) {
        if (apndp || !rnw || addr != 0)
            return ACK_NONE; /* the DP ignores everything but a DPIDR read after a line reset */
        p->need_idcode = 0;
    }
    for (unsigned tries = 0;; tries++) {
        enum sim_ack ack = sim_dap_transfer(&p->target->dap, apndp, rnw, addr, data);
        if (ack != SIM_ACK_WAIT || tries >= p->wait_retry)
            return (unsigned)ack;
    }
}

/* DAP_Transfer: AP reads are posted, so the firmware returns each one's data from the next
 * AP read or an RDBUFF read, and checks a final write through RDBUFF. */
static size_t cmd_transfer(struct dapsim_probe *p, const uint8_t *req, size_t len, uint8_t *resp, size_t cap)
{
    if (len < 3) {
        resp[1] = 0;
        resp[2] = ACK_NONE;
        return 3;
    }
    unsigned count = req[2], done = 0, ack = 1;
    size_t in = 3, out = 3;
    int posted = 0, last_write = 0;
    uint32_t data;
    while (done < count) {
        if (in >= len)
            break;
        unsigned r = req[in++];
        int rnw = (r & REQ_RNW) != 0, ap = r & REQ_APNDP;
        int has_word = !rnw || (r & REQ_MATCH_VALUE);
        if (has_word && in + 4 > len)
            break;
        uint32_t word = has_word ? get32(req + in) : 0;
        in += has_word ? 4u : 0u;
        if (posted && !(rnw && ap && !(r & REQ_MATCH_VALUE))) {
            ack = swd_xfer(p, 0x0E, &data); /* RDBUFF completes the posted read */
            if (ack != 1)
                break;
            if (out + 4 > cap)
                break;
            put32(resp + out, data);
            out += 4;
            posted = 0;
        }
        if (rnw && (r & REQ_MATCH_VALUE)) {
            unsigned tries = 0;
            for (;;) {
                ack = swd_xfer(p, r & 0x0F, &data);
                if (ack == 1 && ap)
                    ack = swd_xfer(p, 0x0E, &data);
                if (ack != 1 || (data & p->match_mask) == word || tries++ >= p->match_retry)
                    break;
            }
            if (ack == 1 && (data & p->match_mask) != word)
                ack |= ACK_MISMATCH;
        } else if (r & REQ_MATCH_MASK) {
            p->match_mask = word;
            ack = 1;
        } else if (rnw) {
            ack = swd_xfer(p, r & 0x0F, &data);
            if (ack == 1) {
                if (ap) {
                    if (posted) {
                        if (out + 4 > cap)
                            break;
                        put32(resp + out, data);
                        out += 4;
                    }
                    posted = 1;
                } else {
                    if (out + 4 > cap)
                        break;
                    put32(resp + out, data);
                    out += 4;
                }
            }
        } else {
            data = word;
            ack = swd_xfer(p, r & 0x0F, &data);
        }
        if (ack != 1)
            break;
        last_write = !rnw && !(r & REQ_MATCH_MASK);
        done++;
    }
    if (ack == 1 && done < count)
        ack = ACK_NONE | 0x08; /* request ended early: report a protocol error */
    if (ack == 1 && posted) {
        ack = swd_xfer(p, 0x0E, &data);
        if (ack == 1 && out + 4 <= cap) {
            put32(resp + out, data);
            out += 4;
        }
    } else if (ack == 1 && last_write) {
        ack = swd_xfer(p, 0x0E, &data);
    }
    if (ack != 1 && done > 0 && posted)
        done--; /* the posted read's data never arrived */
    resp[1] = (uint8_t)done;
    resp[2] = (uint8_t)ack;
    return out;
}

static size_t cmd_transfer_block(struct dapsim_probe *p, const uint8_t *req, size_t len, uint8_t *resp, size_t cap)
{
    unsigned done = 0, ack = ACK_NONE | 0x08;
    size_t out = 4;
    if (len >= 5) {
        unsigned count = (unsigned)(req[2] | req[3] << 8), r = req[4];
        int rnw = (r & REQ_RNW) != 0, ap = r & REQ_APNDP;
        uint32_t data;
        ack = 1;
        if (!rnw && len < 5 + 4u * count)
            count = 0, ack = ACK_NONE | 0x08;
        if (rnw && 4 + 4u * (size_t)count > cap)
            count = 0, ack = ACK_NONE | 0x08;
        if (rnw && ap && count) {
            ack = swd_xfer(p, r & 0x0F, &data); /* first posted read */
        }
        for (unsigned i = 0; ack == 1 && i < count; i++) {
            if (rnw) {
                unsigned next = (ap && i + 1 < count) ? (r & 0x0F) : (ap ? 0x0E : (r & 0x0F));
                ack = swd_xfer(p, next, &data);
                if (ack != 1)
                    break;
                put32(resp + out, data);
                out += 4;
            } else {
                data = get32(req + 5 + 4u * i);
                ack = swd_xfer(p, r & 0x0F, &data);
                if (ack != 1)
                    break;
            }
            done++;
        }
        if (ack == 1 && !rnw && count)
            ack = swd_xfer(p, 0x0E, &data); /* check the last posted write */
        if (ack != 1 && !rnw && done == count && done > 0)
            done--;
    }
    resp[1] = (uint8_t)done;
    resp[2] = (uint8_t)(done >> 8);
    resp[3] = (uint8_t)ack;
    return out;
}

static void drive_nreset(struct dapsim_probe *p, int low)
{
    struct sim_target *t = p->target;
    if (low) {
        p->nreset_low = 1;
        t->core.in_reset = true;
    } else if (p->nreset_low) {
        p->nreset_low = 0;
        t->core.in_reset = false;
        sim_target_system_reset(t);
    }
}

static size_t execute_one(struct dapsim_probe *p, const uint8_t *req, size_t len, uint8_t *resp, size_t cap)
{
    struct sim_target *t = p->target;
    if (len < 1) {
        resp[0] = DAP_ERROR;
        return 1;
    }
    resp[0] = req[0];
    switch (req[0]) {
    case ID_INFO:
        return cmd_info(p, req, len, resp);
    case ID_HOST_STATUS:
        if (len >= 3 && req[1] < 2)
            p->leds = (uint8_t)((p->leds & ~(1u << req[1])) | ((req[2] & 1u) << req[1]));
        resp[1] = len >= 3 && req[1] < 2 ? DAP_OK : DAP_ERROR;
        return 2;
    case ID_CONNECT:
        p->port = len >= 2 && (req[1] == 0 || req[1] == 1) ? 1 : 0;
        p->swd_selected = 0;
        p->need_idcode = 0;
        resp[1] = p->port;
        return 2;
    case ID_DISCONNECT:
        p->port = 0;
        p->swd_selected = 0;
        resp[1] = DAP_OK;
        return 2;
    case ID_TRANSFER_CONFIGURE:
        if (len < 6) {
            resp[1] = DAP_ERROR;
            return 2;
        }
        p->wait_retry = (uint16_t)(req[2] | req[3] << 8);
        p->match_retry = (uint16_t)(req[4] | req[5] << 8);
        resp[1] = DAP_OK;
        return 2;
    case ID_TRANSFER:
        return cmd_transfer(p, req, len, resp, cap);
    case ID_TRANSFER_BLOCK:
        return cmd_transfer_block(p, req, len, resp, cap);
    case ID_WRITE_ABORT: {
        uint32_t v = len >= 6 ? get32(req + 2) : 0;
        unsigned ack = len >= 6 && p->port == 1 && p->swd_selected && !p->need_idcode
                           ? (unsigned)sim_dap_transfer(&t->dap, 0, 0, 0, &v) : ACK_NONE;
        resp[1] = ack == 1 ? DAP_OK : DAP_ERROR;
        return 2;
    }
    case ID_DELAY:
        if (len >= 3)
            sim_clock_advance(&t->clock, 1000ull * (uint64_t)(req[1] | req[2] << 8));
        resp[1] = len >= 3 ? DAP_OK : DAP_ERROR;
        return 2;
    case ID_RESET_TARGET:
        resp[1] = DAP_OK;
        resp[2] = 0; /* no device-specific reset sequence */
        return 3;
    case ID_SWJ_PINS:
        if (len >= 7 && (req[2] & 0x80))
            drive_nreset(p, !(req[1] & 0x80));
        if (len >= 7)
            sim_clock_advance(&t->clock, 1000ull * (get32(req + 3) > 3000000u ? 3000000u : get32(req + 3)));
        resp[1] = (uint8_t)(0x03 | (p->nreset_low ? 0 : 0x80));
        return 2;
    case ID_SWJ_CLOCK:
        if (len >= 5 && get32(req + 1)) {
            p->swj_clock_hz = get32(req + 1);
            resp[1] = DAP_OK;
        } else {
            resp[1] = DAP_ERROR;
        }
        return 2;
    case ID_SWJ_SEQUENCE: {
        unsigned bits = len >= 2 ? (req[1] ? req[1] : 256u) : 0;
        if (!bits || len < 2 + (bits + 7) / 8) {
            resp[1] = DAP_ERROR;
            return 2;
        }
        swj_bits(p, req + 2, bits);
        resp[1] = DAP_OK;
        return 2;
    }
    case ID_SWD_CONFIGURE:
        p->turnaround = len >= 2 ? (uint8_t)((req[1] & 3) + 1) : 1;
        resp[1] = len >= 2 ? DAP_OK : DAP_ERROR;
        return 2;
    default:
        resp[0] = DAP_ERROR;
        return 1;
    }
}

size_t dapsim_execute(struct dapsim_probe *p, const uint8_t *req, size_t len, uint8_t *resp, size_t cap)
{
    p->packets++;
    size_t n = execute_one(p, req, len, resp, cap);
    if (p->verbose)
        fprintf(stderr, "espctl-sim dap: cmd 0x%02X len %zu -> %zu bytes, status 0x%02X\n", len ? req[0] : 0,
                len, n, n > 1 ? resp[1] : resp[0]);
    return n;
}
