/* Probe identity and session control: version and feature gates, mode switch,
 * SWD clock, target voltage, NRST, connect/disconnect and reset. */
#include "stlink_probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_DAP_JTAG_VER 24 /* dap-direct needs READ/WRITE_DAP_REG */
#define AIRCR_ADDR 0xE000ED0Cu
#define AIRCR_SYSRESETREQ 0x05FA0004u

static uint32_t v2_features(unsigned j)
{
    uint32_t f = 0;
    if (j >= 13) f |= STLINK_F_VOLTAGE;
    if (j >= 15) f |= STLINK_F_RW_STATUS2;
    if (j >= 22) f |= STLINK_F_SWD_FREQ;
    if (j >= 24) f |= STLINK_F_DAP_REG;
    if (j >= 26) f |= STLINK_F_MEM16;
    if (j >= 28) f |= STLINK_F_INIT_AP;
    if (j >= 32) f |= STLINK_F_DPBANK | STLINK_F_CSW;
    return f;
}

static uint32_t v3_features(unsigned j)
{
    uint32_t f = STLINK_F_VOLTAGE | STLINK_F_RW_STATUS2 | STLINK_F_DAP_REG | STLINK_F_MEM16 |
                 STLINK_F_INIT_AP | STLINK_F_COM_FREQ;
    if (j >= 2) f |= STLINK_F_DPBANK | STLINK_F_CSW;
    if (j >= 6) f |= STLINK_F_MEM8_512;
    return f;
}

static int is_v21_pid(uint16_t pid)
{
    return pid == 0x374b || pid == 0x374a || pid == 0x3752;
}

int stlink_read_version(struct stlink_probe *p)
{
    uint8_t cdb[STLINK_CDB_SIZE] = {0xF1};
    uint8_t r[12] = {0};
    int rc = stlink_cmd_raw(p, cdb, STLINK_DIR_IN, r, 6);
    if (rc)
        return rc;
    unsigned word = (unsigned)r[0] << 8 | r[1];
    unsigned v = word >> 12, x = (word >> 6) & 0x3F, y = word & 0x3F;
    if (v >= 3 && x == 0 && y == 0) {
        uint8_t ex[STLINK_CDB_SIZE] = {0xFB};
        rc = stlink_cmd_raw(p, ex, STLINK_DIR_IN, r, 12);
        if (rc)
            return rc;
        v = r[0];
        p->swim_ver = r[1];
        x = r[2];
        p->msd_ver = r[3];
    } else if (is_v21_pid(p->t->pid)) {
        p->msd_ver = (uint8_t)y;
    } else {
        p->swim_ver = (uint8_t)y;
    }
    p->stlink_ver = (uint8_t)v;
    p->jtag_ver = (uint8_t)x;
    if (v < 2)
        return stlink_fail(&p->env, ESPCTL_E_NOT_SUPPORTED,
                           "ST-Link reports hardware version %u: ST-Link V1 is not supported", v);
    p->features = v >= 3 ? v3_features(x) : v2_features(x);
    if (v >= 3)
        snprintf(p->firmware, sizeof p->firmware, "V%uJ%uM%u", v, x, p->msd_ver);
    else if (p->msd_ver)
        snprintf(p->firmware, sizeof p->firmware, "V%uJ%uM%u", v, x, p->msd_ver);
    else
        snprintf(p->firmware, sizeof p->firmware, "V%uJ%uS%u", v, x, p->swim_ver);
    if (!(p->features & STLINK_F_DAP_REG))
        return stlink_fail(&p->env, ESPCTL_E_NOT_SUPPORTED,
                           "ST-Link firmware %s is too old: DP/AP register access needs J%d or later "
                           "(update it with ST's STLinkUpgrade tool)",
                           p->firmware, MIN_DAP_JTAG_VER);
    return 0;
}

int stlink_probe_new(struct stlink_probe **out, const struct stlink_env *env,
                     struct stlink_transport *t)
{
    struct stlink_probe *p = calloc(1, sizeof *p);
    if (!p) {
        t->ops->destroy(t);
        return env->host->set_error(env->host, ESPCTL_E_NOMEM, "out of memory");
    }
    p->env = *env;
    p->t = t;
    int rc = stlink_read_version(p);
    if (rc) {
        stlink_probe_free(p);
        return rc;
    }
    stlink_log(env, ESPCTL_LOG_DEBUG, "ST-Link %04x:%04x firmware %s", t->vid, t->pid, p->firmware);
    *out = p;
    return 0;
}

void stlink_probe_free(struct stlink_probe *p)
{
    if (!p)
        return;
    p->t->ops->destroy(p->t);
    free(p);
}

int stlink_get_mode(struct stlink_probe *p, uint8_t *mode)
{
    uint8_t cdb[STLINK_CDB_SIZE] = {0xF5};
    uint8_t r[2];
    int rc = stlink_cmd_raw(p, cdb, STLINK_DIR_IN, r, sizeof r);
    if (!rc)
        *mode = r[0];
    return rc;
}

/* Leave DFU / debug / SWIM mode so that debug mode can be entered fresh. */
static int leave_mode(struct stlink_probe *p, uint8_t mode)
{
    uint8_t cdb[STLINK_CDB_SIZE] = {0};
    switch (mode) {
    case STLINK_MODE_DFU: cdb[0] = 0xF3; cdb[1] = 0x07; break;
    case STLINK_MODE_DEBUG: cdb[0] = 0xF2; cdb[1] = 0x21; break;
    case STLINK_MODE_SWIM: cdb[0] = 0xF4; cdb[1] = 0x01; break;
    default: return 0;
    }
    return stlink_cmd_raw(p, cdb, STLINK_DIR_NONE, NULL, 0);
}

int stlink_enter_swd(struct stlink_probe *p)
{
    uint8_t mode;
    int rc = stlink_get_mode(p, &mode);
    if (!rc)
        rc = leave_mode(p, mode);
    if (!rc)
        rc = stlink_get_mode(p, &mode);
    if (rc)
        return rc;
    if (mode == STLINK_MODE_DFU || mode == STLINK_MODE_SWIM)
        return stlink_fail(&p->env, ESPCTL_E_PROTOCOL, "ST-Link stayed in mode %u after the exit command",
                           mode);
    uint8_t cdb[STLINK_CDB_SIZE] = {0xF2, 0x30, 0xA3};
    uint8_t r[2];
    return stlink_cmd_status(p, cdb, r, sizeof r, "enter SWD mode", 0);
}

static const struct { uint16_t khz, divisor; } v2_speeds[] = {
    {4000, 0}, {1800, 1}, {1200, 2}, {950, 3}, {480, 7}, {240, 15},
    {125, 31}, {100, 40}, {50, 79}, {25, 158}, {15, 265}, {5, 798},
};

static int set_speed_v2(struct stlink_probe *p, uint32_t khz, uint32_t *actual)
{
    size_t n = sizeof v2_speeds / sizeof v2_speeds[0];
    size_t i = 0;
    while (i + 1 < n && v2_speeds[i].khz > khz)
        i++;
    uint8_t cdb[STLINK_CDB_SIZE] = {0xF2, 0x43};
    uint8_t r[2];
    stlink_put16(cdb + 2, v2_speeds[i].divisor);
    int rc = stlink_cmd_status(p, cdb, r, sizeof r, "set SWD clock", v2_speeds[i].khz);
    if (!rc)
        *actual = v2_speeds[i].khz;
    return rc;
}

static int set_speed_v3(struct stlink_probe *p, uint32_t khz, uint32_t *actual)
{
    uint8_t cdb[STLINK_CDB_SIZE] = {0xF2, 0x62, 0x00};
    uint8_t r[52];
    int rc = stlink_cmd_status(p, cdb, r, sizeof r, "read SWD clock list", 0);
    if (rc)
        return rc;
    unsigned count = r[8] > 10 ? 10 : r[8];
    uint32_t best = 0, lowest = UINT32_MAX;
    for (unsigned i = 0; i < count; i++) {
        uint32_t f = stlink_get32(r + 12 + 4 * i);
        if (f <= khz && f > best)
            best = f;
        if (f && f < lowest)
            lowest = f;
    }
    if (!best)
        best = lowest;
    if (best == UINT32_MAX)
        return stlink_fail(&p->env, ESPCTL_E_PROTOCOL, "ST-Link V3 reported no SWD clock rates");
    uint8_t set[STLINK_CDB_SIZE] = {0xF2, 0x61, 0x00, 0x00};
    uint8_t sr[8];
    stlink_put32(set + 4, best);
    rc = stlink_cmd_status(p, set, sr, sizeof sr, "set SWD clock", best);
    if (!rc)
        *actual = best;
    return rc;
}

int stlink_set_speed(struct stlink_probe *p, uint32_t khz, uint32_t *actual_khz)
{
    uint32_t applied = 0;
    int rc;
    if (khz == 0)
        return stlink_fail(&p->env, ESPCTL_E_INVAL, "SWD clock of 0 kHz");
    if (p->features & STLINK_F_COM_FREQ)
        rc = set_speed_v3(p, khz, &applied);
    else if (p->features & STLINK_F_SWD_FREQ)
        rc = set_speed_v2(p, khz, &applied);
    else
        return stlink_fail(&p->env, ESPCTL_E_NOT_SUPPORTED, "firmware %s cannot set the SWD clock",
                           p->firmware);
    if (rc)
        return rc;
    p->speed_khz = applied;
    if (actual_khz)
        *actual_khz = applied;
    return 0;
}

int stlink_target_voltage(struct stlink_probe *p, uint32_t *millivolts)
{
    if (!(p->features & STLINK_F_VOLTAGE))
        return stlink_fail(&p->env, ESPCTL_E_NOT_SUPPORTED, "firmware %s cannot measure the target voltage",
                           p->firmware);
    uint8_t cdb[STLINK_CDB_SIZE] = {0xF7};
    uint8_t r[8];
    int rc = stlink_cmd_raw(p, cdb, STLINK_DIR_IN, r, sizeof r);
    if (rc)
        return rc;
    uint32_t adc0 = stlink_get32(r), adc1 = stlink_get32(r + 4);
    if (adc0 == 0)
        return stlink_fail(&p->env, ESPCTL_E_PROTOCOL, "target voltage: reference reading is 0");
    /* V = 2 * adc1 * 1.2 V / adc0 */
    *millivolts = (uint32_t)((uint64_t)adc1 * 2400u / adc0);
    return 0;
}

int stlink_drive_nrst(struct stlink_probe *p, uint8_t state)
{
    uint8_t cdb[STLINK_CDB_SIZE] = {0xF2, 0x3C, state};
    uint8_t r[2];
    return stlink_cmd_status(p, cdb, r, sizeof r, "drive NRST", state);
}

int stlink_read_idcode(struct stlink_probe *p, uint32_t *dpidr)
{
    uint8_t cdb[STLINK_CDB_SIZE] = {0xF2, 0x31};
    uint8_t r[12];
    int rc = stlink_cmd_status(p, cdb, r, sizeof r, "read DPIDR", 0);
    if (!rc)
        *dpidr = stlink_get32(r + 4);
    return rc;
}

int stlink_connect(struct stlink_probe *p, uint32_t flags)
{
    int rc = 0;
    if (flags & ESPCTL_CONNECT_UNDER_RESET)
        rc = stlink_drive_nrst(p, 0);
    if (!rc)
        rc = stlink_enter_swd(p);
    if (!rc && (p->features & (STLINK_F_SWD_FREQ | STLINK_F_COM_FREQ)))
        rc = stlink_set_speed(p, p->env.speed_khz, NULL);
    uint32_t dpidr = 0;
    if (!rc)
        rc = stlink_read_idcode(p, &dpidr);
    if (rc)
        return rc;
    if (dpidr == 0 || dpidr == UINT32_MAX)
        return stlink_fail(&p->env, ESPCTL_E_NO_DEVICE,
                           "no target answers on SWD (DPIDR 0x%08x): check wiring and power", dpidr);
    memset(p->ap_open, 0, sizeof p->ap_open);
    p->connected = 1;
    stlink_choose_tar_block(p);
    stlink_log(&p->env, ESPCTL_LOG_DEBUG, "connected: DPIDR 0x%08x at %u kHz", dpidr, p->speed_khz);
    return 0;
}

int stlink_disconnect(struct stlink_probe *p)
{
    if (!p->connected)
        return 0;
    p->connected = 0;
    int rc = 0;
    if (p->features & STLINK_F_INIT_AP) {
        for (uint32_t ap = 0; ap < 256; ap++) {
            if (!(p->ap_open[ap / 8] & (1u << (ap % 8))))
                continue;
            uint8_t cdb[STLINK_CDB_SIZE] = {0xF2, 0x4C, (uint8_t)ap};
            uint8_t r[2];
            /* CLOSE_AP_DBG status is meaningful from J29 on; earlier ones are ignored. */
            stlink_cmd_raw(p, cdb, STLINK_DIR_IN, r, sizeof r);
        }
        memset(p->ap_open, 0, sizeof p->ap_open);
    }
    uint8_t exit_cdb[STLINK_CDB_SIZE] = {0xF2, 0x21};
    rc = stlink_cmd_raw(p, exit_cdb, STLINK_DIR_NONE, NULL, 0);
    return rc;
}

int stlink_reset(struct stlink_probe *p, int32_t kind)
{
    switch (kind) {
    case ESPCTL_RESET_HW_ASSERT: return stlink_drive_nrst(p, 0);
    case ESPCTL_RESET_HW_DEASSERT: return stlink_drive_nrst(p, 1);
    case ESPCTL_RESET_HW_PULSE: return stlink_drive_nrst(p, 2);
    case ESPCTL_RESET_SYSTEM: {
        uint8_t word[4];
        stlink_put32(word, AIRCR_SYSRESETREQ);
        return stlink_mem_write(p, 0, AIRCR_ADDR, 32, word, sizeof word);
    }
    default:
        return stlink_fail(&p->env, ESPCTL_E_INVAL, "unknown reset kind %d", kind);
    }
}
