/* ADIv5 SW-DP and AHB-AP. */
#include "sim/dap.h"

#include <string.h>

#include "sim/target.h"

#define DP_STICKY_MASK (SIM_DP_STICKYORUN | SIM_DP_STICKYCMP | SIM_DP_STICKYERR | SIM_DP_WDATAERR)
/* CTRL/STAT bits a host may write (sticky flags are cleared through ABORT only). */
#define DP_CTRL_WRITABLE 0x54FFFF0Du
#define CSW_SIZE_MASK 0x7u
#define CSW_ADDRINC_MASK 0x30u
#define CSW_ADDRINC_SINGLE 0x10u
#define CSW_ADDRINC_PACKED 0x20u
#define CSW_DEVICEEN (1u << 6)
#define CSW_TRINPROG (1u << 7)
#define AP_AHB3_IDR 0x24770011u

void sim_dap_reset(struct sim_dap *dap, struct sim_target *t, uint32_t dpidr)
{
    memset(dap, 0, sizeof *dap);
    dap->target = t;
    dap->dpidr = dpidr;
    dap->ap_idr = AP_AHB3_IDR;
    dap->ap_base = 0xE00FF003u;
    dap->csw = 0x03000040u | 0x2u;
}

/* Bus access on behalf of the AP, honouring an armed fault-at. */
static int ap_bus_access(struct sim_dap *dap, int rnw, uint32_t addr, unsigned size, uint32_t *val)
{
    struct sim_target *t = dap->target;
    struct sim_faults *f = &t->faults;
    int rc;
    if (f->fault_at_armed && f->fault_at - addr < size) {
        f->fault_at_armed = false;
        rc = -1;
    } else if (rnw) {
        t->stats.words_read++;
        rc = sim_bus_read(&t->bus, addr, size, val);
    } else {
        t->stats.words_written++;
        rc = sim_bus_write(&t->bus, addr, size, *val);
    }
    if (rc) {
        dap->ctrl_stat |= SIM_DP_STICKYERR;
        dap->last_error_addr = addr;
    }
    return rc;
}

static unsigned csw_size_bytes(uint32_t csw)
{
    switch (csw & CSW_SIZE_MASK) {
    case 0: return 1;
    case 1: return 2;
    case 2: return 4;
    default: return 0;
    }
}

/* Data phase of DRW/BDx at @p addr: bus access of @p size with byte-lane placement. */
static void ap_data(struct sim_dap *dap, int rnw, uint32_t addr, unsigned size, uint32_t *data)
{
    if (size == 0 || (addr & (size - 1))) {
        dap->ctrl_stat |= SIM_DP_STICKYERR;
        dap->last_error_addr = addr;
        return;
    }
    unsigned shift = 8 * (addr & 3);
    uint32_t mask = size == 4 ? 0xFFFFFFFFu : ((1u << (8 * size)) - 1);
    if (rnw) {
        uint32_t v = 0;
        if (ap_bus_access(dap, 1, addr, size, &v) == 0)
            *data = (v & mask) << shift;
        else
            *data = 0;
    } else {
        uint32_t v = (*data >> shift) & mask;
        ap_bus_access(dap, 0, addr, size, &v);
    }
}

static uint32_t ap_reg_read(struct sim_dap *dap, unsigned reg)
{
    uint32_t v = 0;
    switch (reg) {
    case SIM_AP_CSW:
        return dap->csw | CSW_DEVICEEN;
    case SIM_AP_TAR:
        return dap->tar;
    case SIM_AP_DRW: {
        unsigned size = csw_size_bytes(dap->csw);
        ap_data(dap, 1, dap->tar, size, &v);
        if ((dap->csw & CSW_ADDRINC_MASK) == CSW_ADDRINC_SINGLE && size)
            dap->tar = (dap->tar & ~0xFFFu) | ((dap->tar + size) & 0xFFFu);
        return v;
    }
    case 0x10: case 0x14: case 0x18: case 0x1C:
        ap_data(dap, 1, (dap->tar & ~0xFu) | (reg & 0xCu), 4, &v);
        return v;
    case SIM_AP_CFG:
        return 0;
    case SIM_AP_BASE:
        return dap->ap_base;
    case SIM_AP_IDR:
        return dap->ap_idr;
    default:
        return 0;
    }
}

static void ap_reg_write(struct sim_dap *dap, unsigned reg, uint32_t val)
{
    switch (reg) {
    case SIM_AP_CSW:
        val &= ~(CSW_DEVICEEN | CSW_TRINPROG);
        /* Packed transfers are not implemented: they read back as "increment off". */
        if ((val & CSW_ADDRINC_MASK) == CSW_ADDRINC_PACKED)
            val &= ~CSW_ADDRINC_MASK;
        dap->csw = val;
        break;
    case SIM_AP_TAR:
        dap->tar = val;
        break;
    case SIM_AP_DRW: {
        unsigned size = csw_size_bytes(dap->csw);
        ap_data(dap, 0, dap->tar, size, &val);
        if ((dap->csw & CSW_ADDRINC_MASK) == CSW_ADDRINC_SINGLE && size)
            dap->tar = (dap->tar & ~0xFFFu) | ((dap->tar + size) & 0xFFFu);
        break;
    }
    case 0x10: case 0x14: case 0x18: case 0x1C:
        ap_data(dap, 0, (dap->tar & ~0xFu) | (reg & 0xCu), 4, &val);
        break;
    default:
        break;
    }
}

static enum sim_ack count(struct sim_dap *dap, enum sim_ack ack)
{
    struct sim_target *t = dap->target;
    if (ack == SIM_ACK_WAIT)
        t->stats.wait_acks++;
    else if (ack == SIM_ACK_FAULT)
        t->stats.fault_acks++;
    return ack;
}

enum sim_ack sim_dap_transfer(struct sim_dap *dap, int apndp, int rnw, unsigned addr, uint32_t *data)
{
    struct sim_target *t = dap->target;
    struct sim_faults *f = &t->faults;
    uint64_t index = dap->transactions++;
    t->stats.dap_transactions++;
    sim_clock_advance(&t->clock, t->clock.swd_transfer_ns);
    addr &= 0xC;

    /* DPIDR read, CTRL/STAT read and ABORT write always answer OK. */
    int exempt = !apndp && ((rnw && (addr == 0 || addr == 4)) || (!rnw && addr == 0));
    if (!exempt) {
        if (f->wait_count && index >= f->wait_after) {
            f->wait_count--;
            return count(dap, SIM_ACK_WAIT);
        }
        if (dap->ctrl_stat & DP_STICKY_MASK)
            return count(dap, SIM_ACK_FAULT);
    }

    if (apndp) {
        unsigned apsel = dap->select >> 24;
        unsigned reg = (dap->select & 0xF0u) | addr;
        if (rnw) {
            uint32_t result = apsel == 0 ? ap_reg_read(dap, reg) : 0;
            *data = dap->rdbuff;
            dap->rdbuff = result;
        } else if (apsel == 0) {
            ap_reg_write(dap, reg, *data);
        }
        return SIM_ACK_OK;
    }

    unsigned dpbank = dap->select & 0xFu;
    if (rnw) {
        switch (addr) {
        case 0x0: *data = dap->dpidr; break;
        case 0x4: *data = dpbank == 0 ? dap->ctrl_stat : (dpbank == 1 ? 0x40u : 0); break;
        case 0x8: *data = dap->rdbuff; break; /* RESEND */
        default: *data = dap->rdbuff; break;  /* RDBUFF */
        }
        return SIM_ACK_OK;
    }
    switch (addr) {
    case 0x0: {
        uint32_t clr = 0;
        if (*data & (1u << 1)) clr |= SIM_DP_STICKYCMP;
        if (*data & (1u << 2)) clr |= SIM_DP_STICKYERR;
        if (*data & (1u << 3)) clr |= SIM_DP_WDATAERR;
        if (*data & (1u << 4)) clr |= SIM_DP_STICKYORUN;
        dap->ctrl_stat &= ~clr;
        break;
    }
    case 0x4:
        if (dpbank == 0) {
            uint32_t v = (dap->ctrl_stat & DP_STICKY_MASK) | (*data & DP_CTRL_WRITABLE);
            /* Power-up and debug-reset requests are acknowledged at once. */
            v &= ~(SIM_DP_CDBGPWRUPACK | SIM_DP_CSYSPWRUPACK | (1u << 27));
            if (v & SIM_DP_CDBGPWRUPREQ) v |= SIM_DP_CDBGPWRUPACK;
            if (v & SIM_DP_CSYSPWRUPREQ) v |= SIM_DP_CSYSPWRUPACK;
            if (v & (1u << 26)) v |= 1u << 27;
            dap->ctrl_stat = v;
        }
        break;
    case 0x8:
        dap->select = *data;
        break;
    default:
        break; /* TARGETSEL is DPv2 only: ignored */
    }
    return SIM_ACK_OK;
}

static enum sim_ack select_for(struct sim_dap *dap, uint32_t want, uint32_t mask)
{
    if ((dap->select & mask) == want)
        return SIM_ACK_OK;
    uint32_t v = (dap->select & ~mask) | want;
    return sim_dap_transfer(dap, 0, 0, 0x8, &v);
}

enum sim_ack sim_dap_dp_read(struct sim_dap *dap, unsigned addr, uint32_t *val)
{
    if ((addr & 0xF) == 0x4) {
        enum sim_ack a = select_for(dap, (addr >> 4) & 0xF, 0xFu);
        if (a != SIM_ACK_OK)
            return a;
    }
    return sim_dap_transfer(dap, 0, 1, addr & 0xC, val);
}

enum sim_ack sim_dap_dp_write(struct sim_dap *dap, unsigned addr, uint32_t val)
{
    if ((addr & 0xF) == 0x4) {
        enum sim_ack a = select_for(dap, (addr >> 4) & 0xF, 0xFu);
        if (a != SIM_ACK_OK)
            return a;
    }
    return sim_dap_transfer(dap, 0, 0, addr & 0xC, &val);
}

static enum sim_ack select_ap(struct sim_dap *dap, unsigned apsel, unsigned reg)
{
    return select_for(dap, ((uint32_t)(apsel & 0xFF) << 24) | (reg & 0xF0u), 0xFF0000F0u);
}

enum sim_ack sim_dap_ap_read(struct sim_dap *dap, unsigned apsel, unsigned reg, uint32_t *val)
{
    uint32_t stale;
    enum sim_ack a = select_ap(dap, apsel, reg);
    if (a == SIM_ACK_OK)
        a = sim_dap_transfer(dap, 1, 1, reg & 0xC, &stale);
    if (a == SIM_ACK_OK)
        a = sim_dap_transfer(dap, 0, 1, 0xC, val);
    if (a == SIM_ACK_OK && (dap->ctrl_stat & SIM_DP_STICKYERR))
        a = count(dap, SIM_ACK_FAULT);
    return a;
}

enum sim_ack sim_dap_ap_write(struct sim_dap *dap, unsigned apsel, unsigned reg, uint32_t val)
{
    enum sim_ack a = select_ap(dap, apsel, reg);
    if (a == SIM_ACK_OK)
        a = sim_dap_transfer(dap, 1, 0, reg & 0xC, &val);
    if (a == SIM_ACK_OK && (dap->ctrl_stat & SIM_DP_STICKYERR))
        a = count(dap, SIM_ACK_FAULT);
    return a;
}

static uint32_t size_code(unsigned size)
{
    return size == 1 ? 0 : size == 2 ? 1 : 2;
}

/* CSW and TAR set-up for a memory stream; TAR is rewritten at every 1 KiB line. */
static enum sim_ack mem_setup(struct sim_dap *dap, unsigned apsel, unsigned size, uint32_t csw_hi)
{
    uint32_t csw = (csw_hi << 8) | CSW_ADDRINC_SINGLE | size_code(size);
    return sim_dap_ap_write(dap, apsel, SIM_AP_CSW, csw);
}

static enum sim_ack check_sticky(struct sim_dap *dap, enum sim_ack a)
{
    if (a == SIM_ACK_OK && (dap->ctrl_stat & SIM_DP_STICKYERR))
        return count(dap, SIM_ACK_FAULT);
    return a;
}

enum sim_ack sim_dap_mem_read(struct sim_dap *dap, unsigned apsel, uint32_t addr, unsigned size,
                              uint32_t csw_hi, uint8_t *buf, uint32_t len)
{
    if ((size != 1 && size != 2 && size != 4) || len % size)
        return SIM_ACK_FAULT;
    enum sim_ack a = mem_setup(dap, apsel, size, csw_hi);
    uint32_t prev_addr = 0;
    for (uint32_t i = 0; a == SIM_ACK_OK && i <= len; i += size) {
        uint32_t cur = addr + i, data = 0;
        if (i < len && (i == 0 || (cur & 0x3FFu) == 0))
            a = sim_dap_ap_write(dap, apsel, SIM_AP_TAR, cur);
        if (a != SIM_ACK_OK)
            break;
        if (i < len)
            a = sim_dap_transfer(dap, 1, 1, SIM_AP_DRW, &data);
        else
            a = sim_dap_transfer(dap, 0, 1, 0xC, &data);
        a = check_sticky(dap, a);
        if (a == SIM_ACK_OK && i > 0)
            sim_le_put(buf + i - size, size, data >> (8 * (prev_addr & 3)));
        prev_addr = cur;
    }
    return a;
}

enum sim_ack sim_dap_mem_write(struct sim_dap *dap, unsigned apsel, uint32_t addr, unsigned size,
                               uint32_t csw_hi, const uint8_t *buf, uint32_t len)
{
    if ((size != 1 && size != 2 && size != 4) || len % size)
        return SIM_ACK_FAULT;
    enum sim_ack a = mem_setup(dap, apsel, size, csw_hi);
    for (uint32_t i = 0; a == SIM_ACK_OK && i < len; i += size) {
        uint32_t cur = addr + i;
        if (i == 0 || (cur & 0x3FFu) == 0)
            a = sim_dap_ap_write(dap, apsel, SIM_AP_TAR, cur);
        if (a != SIM_ACK_OK)
            break;
        uint32_t data = sim_le_get(buf + i, size) << (8 * (cur & 3));
        a = check_sticky(dap, sim_dap_transfer(dap, 1, 0, SIM_AP_DRW, &data));
    }
    return a;
}
