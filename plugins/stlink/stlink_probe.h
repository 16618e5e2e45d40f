/*
 * stlink_probe.h — an open ST-Link: transport, firmware identity, feature gates, and
 * the command layer on top (status handling, DAP registers, memory, session control).
 */
#ifndef STLINK_PROBE_H
#define STLINK_PROBE_H

#include "stlink_env.h"
#include "stlink_transport.h"

#include <stdint.h>

/* Feature gates derived from the firmware's J number (see docs/decisions). */
#define STLINK_F_VOLTAGE 0x001u    /**< GET_TARGET_VOLTAGE (J13) */
#define STLINK_F_RW_STATUS2 0x002u /**< GETLASTRWSTATUS2 (J15) */
#define STLINK_F_SWD_FREQ 0x004u   /**< SWD_SET_FREQ (J22) */
#define STLINK_F_DAP_REG 0x008u    /**< READ/WRITE_DAP_REG (J24), required */
#define STLINK_F_MEM16 0x010u      /**< 16-bit memory commands (J26) */
#define STLINK_F_INIT_AP 0x020u    /**< INIT_AP / CLOSE_AP_DBG (J28) */
#define STLINK_F_DPBANK 0x040u     /**< DP bank select in DAP_REG addr (J32, V3 J2) */
#define STLINK_F_CSW 0x080u        /**< AP number + CSW in memory commands (J32, V3 J2) */
#define STLINK_F_MEM8_512 0x100u   /**< 512-byte 8-bit transfers (V3 J6) */
#define STLINK_F_COM_FREQ 0x200u   /**< APIv3 GET/SET_COM_FREQ speed commands */

/** Modes reported by GET_CURRENT_MODE. */
enum stlink_mode {
    STLINK_MODE_DFU = 0,
    STLINK_MODE_MASS = 1,
    STLINK_MODE_DEBUG = 2,
    STLINK_MODE_SWIM = 3,
    STLINK_MODE_BOOTLOADER = 4
};

/** Bounded WAIT handling: retries with 1, 2, 4 ... ms back-off. */
#define STLINK_WAIT_RETRIES 8

/** ST-Link internal data buffer: the most any 16/32-bit memory command moves. */
#define STLINK_DATA_BUFFER 6144u

struct stlink_probe {
    struct stlink_env env;
    struct stlink_transport *t;
    /** Firmware version fields from GET_VERSION(_EX). */
    uint8_t stlink_ver;
    uint8_t jtag_ver;
    uint8_t swim_ver;
    uint8_t msd_ver;
    uint32_t features;
    uint32_t speed_khz;
    int connected;
    /** One bit per AP that received INIT_AP. */
    uint8_t ap_open[32];
    /** "V2J37S7" style firmware name. */
    char firmware[32];
};

/** Take ownership of `t`, read the firmware version and derive the feature gates.
 * On failure `t` is destroyed. */
int stlink_probe_new(struct stlink_probe **out, const struct stlink_env *env,
                     struct stlink_transport *t);
void stlink_probe_free(struct stlink_probe *p);

/* ---- command exchange (stlink_cmd.c) ---- */

/** One command whose reply starts with an ST-Link status byte; WAIT is retried,
 * faults clear the sticky errors and give ESPCTL_E_TARGET naming `what` and `addr`. */
int stlink_cmd_status(struct stlink_probe *p, const uint8_t cdb[STLINK_CDB_SIZE], uint8_t *reply,
                      uint32_t reply_len, const char *what, uint32_t addr);
/** One command with a plain data phase (no status byte interpreted). */
int stlink_cmd_raw(struct stlink_probe *p, const uint8_t cdb[STLINK_CDB_SIZE], int dir,
                   uint8_t *data, uint32_t len);
/** Classify an ST-Link status: 0 OK, 1 WAIT, or a negative espctl_error. */
int stlink_status_class(uint8_t status);
/** Human name of an ST-Link status code. */
const char *stlink_status_name(uint8_t status);
/** Write DP ABORT to clear sticky errors after a fault (best effort). */
void stlink_clear_sticky(struct stlink_probe *p);

/* ---- DAP registers (stlink_dap.c) ---- */
int stlink_dp_read(struct stlink_probe *p, uint32_t addr, uint32_t *value);
int stlink_dp_write(struct stlink_probe *p, uint32_t addr, uint32_t value);
int stlink_ap_read(struct stlink_probe *p, uint32_t ap, uint32_t addr, uint32_t *value);
int stlink_ap_write(struct stlink_probe *p, uint32_t ap, uint32_t addr, uint32_t value);
/** INIT_AP once per AP before its first non-IDR access (no-op without the feature). */
int stlink_ap_prepare(struct stlink_probe *p, uint32_t ap);

/* ---- memory (stlink_mem.c) ---- */
/** 1 when memory commands may span TAR auto-increment blocks: firmware that takes AP
 * and CSW in memory commands (J32+, V3 J2+) sets TAR itself in SWD mode, as OpenOCD 0.12's
 * dap-direct driver relies on (decision 0803). A configured stlink.tar_block turns the
 * host-side split back on. */
int stlink_firmware_sets_tar(const struct stlink_probe *p);
/** Largest single memory command for `width` on this probe and transport. */
uint32_t stlink_mem_chunk_limit(const struct stlink_probe *p, uint32_t width);
int stlink_mem_read(struct stlink_probe *p, uint32_t ap, uint64_t addr, uint32_t width,
                    uint8_t *buf, uint32_t len);
int stlink_mem_write(struct stlink_probe *p, uint32_t ap, uint64_t addr, uint32_t width,
                     const uint8_t *buf, uint32_t len);
/** Pick the TAR auto-increment block for AP 0 from the core's CPUID: 4 KiB on
 * Cortex-M3/M4 (their AHB-AP increments across 1 KiB lines), 1 KiB otherwise or when
 * CPUID cannot be read. A configured stlink.tar_block is kept as is; firmware that
 * rewrites TAR itself needs no block, so CPUID is not read for it. */
void stlink_choose_tar_block(struct stlink_probe *p);

/* ---- session control (stlink_session.c) ---- */
int stlink_read_version(struct stlink_probe *p);
int stlink_get_mode(struct stlink_probe *p, uint8_t *mode);
int stlink_enter_swd(struct stlink_probe *p);
int stlink_set_speed(struct stlink_probe *p, uint32_t khz, uint32_t *actual_khz);
int stlink_target_voltage(struct stlink_probe *p, uint32_t *millivolts);
/** Drive NRST: 0 low, 1 high, 2 pulse. */
int stlink_drive_nrst(struct stlink_probe *p, uint8_t state);
int stlink_read_idcode(struct stlink_probe *p, uint32_t *dpidr);
int stlink_connect(struct stlink_probe *p, uint32_t flags);
int stlink_disconnect(struct stlink_probe *p);
int stlink_reset(struct stlink_probe *p, int32_t kind);

/* Little-endian helpers for command blocks. */
static inline void stlink_put16(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
}
static inline void stlink_put32(uint8_t *b, uint32_t v)
{
    stlink_put16(b, v);
    stlink_put16(b + 2, v >> 16);
}
static inline uint32_t stlink_get32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}
static inline uint16_t stlink_get16(const uint8_t *b)
{
    return (uint16_t)(b[0] | b[1] << 8);
}

#endif /* STLINK_PROBE_H */
