/* DP and AP register access through READ_DAP_REG / WRITE_DAP_REG (dap-direct). */
#include "stlink_probe.h"

#define DAP_PORT_DP 0xFFFFu
#define DP_REG_CTRL_STAT 0x4u
#define DP_REG_SELECT 0x8u
#define CTRL_STAT_CORUNDETECT 0x1u
#define SELECT_DPBANKSEL 0xFu
#define AP_REG_CSW 0x00u
#define AP_REG_IDR 0xFCu
#define CSW_ADDRINC_MASK 0x30u
#define CSW_ADDRINC_PACKED 0x20u
#define STLINK_MAX_AP 255u

static int check_dp_addr(struct stlink_probe *p, uint32_t addr)
{
    if (addr & ~0xFCu)
        return stlink_fail(&p->env, ESPCTL_E_INVAL, "DP register 0x%x: offset must be 0x0..0xC plus a bank in bits 4..7",
                           addr);
    if ((addr & 0xF0u) && !(p->features & STLINK_F_DPBANK))
        return stlink_fail(&p->env, ESPCTL_E_NOT_SUPPORTED,
                           "DP bank %u needs ST-Link firmware J32 or later (have %s)", addr >> 4,
                           p->firmware);
    return 0;
}

static int check_ap(struct stlink_probe *p, uint32_t ap, uint32_t addr)
{
    if (ap > STLINK_MAX_AP || addr > 0xFCu || (addr & 3u))
        return stlink_fail(&p->env, ESPCTL_E_INVAL, "AP %u register 0x%x out of range", ap, addr);
    return 0;
}

static int dap_read(struct stlink_probe *p, uint32_t port, uint32_t addr, uint32_t *value,
                    const char *what)
{
    uint8_t cdb[STLINK_CDB_SIZE] = {0xF2, 0x45};
    uint8_t reply[8];
    stlink_put16(cdb + 2, port);
    stlink_put16(cdb + 4, addr);
    int rc = stlink_cmd_status(p, cdb, reply, sizeof reply, what, addr);
    if (rc == 0)
        *value = stlink_get32(reply + 4);
    return rc;
}

static int dap_write(struct stlink_probe *p, uint32_t port, uint32_t addr, uint32_t value,
                     const char *what)
{
    uint8_t cdb[STLINK_CDB_SIZE] = {0xF2, 0x46};
    uint8_t reply[2];
    stlink_put16(cdb + 2, port);
    stlink_put16(cdb + 4, addr);
    stlink_put32(cdb + 6, value);
    return stlink_cmd_status(p, cdb, reply, sizeof reply, what, addr);
}

int stlink_dp_read(struct stlink_probe *p, uint32_t addr, uint32_t *value)
{
    int rc = check_dp_addr(p, addr);
    return rc ? rc : dap_read(p, DAP_PORT_DP, addr, value, "DP register read");
}

int stlink_dp_write(struct stlink_probe *p, uint32_t addr, uint32_t value)
{
    int rc = check_dp_addr(p, addr);
    if (rc)
        return rc;
    /* The firmware owns overrun detection and DP banking. */
    if (addr == DP_REG_CTRL_STAT)
        value &= ~CTRL_STAT_CORUNDETECT;
    if (addr == DP_REG_SELECT)
        value &= ~SELECT_DPBANKSEL;
    return dap_write(p, DAP_PORT_DP, addr, value, "DP register write");
}

int stlink_ap_prepare(struct stlink_probe *p, uint32_t ap)
{
    if (!(p->features & STLINK_F_INIT_AP) || (p->ap_open[ap / 8] & (1u << (ap % 8))))
        return 0;
    uint8_t cdb[STLINK_CDB_SIZE] = {0xF2, 0x4B, (uint8_t)ap};
    uint8_t reply[2];
    int rc = stlink_cmd_status(p, cdb, reply, sizeof reply, "INIT_AP", ap);
    if (rc == 0)
        p->ap_open[ap / 8] |= (uint8_t)(1u << (ap % 8));
    return rc;
}

int stlink_ap_read(struct stlink_probe *p, uint32_t ap, uint32_t addr, uint32_t *value)
{
    int rc = check_ap(p, ap, addr);
    if (!rc && addr != AP_REG_IDR)
        rc = stlink_ap_prepare(p, ap);
    return rc ? rc : dap_read(p, ap, addr, value, "AP register read");
}

int stlink_ap_write(struct stlink_probe *p, uint32_t ap, uint32_t addr, uint32_t value)
{
    int rc = check_ap(p, ap, addr);
    if (!rc)
        rc = stlink_ap_prepare(p, ap);
    if (rc)
        return rc;
    /* Packed transfers are not offered by the ST-Link; fall back to single increment. */
    if (addr == AP_REG_CSW && (value & CSW_ADDRINC_MASK) == CSW_ADDRINC_PACKED)
        value = (value & ~CSW_ADDRINC_MASK) | 0x10u;
    return dap_write(p, ap, addr, value, "AP register write");
}
