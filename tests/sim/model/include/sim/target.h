/* A simulated microcontroller: chip personality, bus, DAP, core, flash, clock, stats, faults. */
#ifndef SIM_TARGET_H
#define SIM_TARGET_H

#include <stdint.h>

#include <jansson.h>

#include "sim/bus.h"
#include "sim/clock.h"
#include "sim/cortexm.h"
#include "sim/dap.h"
#include "sim/fault.h"
#include "sim/flash.h"
#include "sim/rtt_producer.h"

/** Chip personality: everything that differs between parts. */
struct sim_chip {
    const char *name;           /**< e.g. "stm32g431rb" */
    const char *family;         /**< e.g. "stm32g4" */
    uint32_t dpidr;
    uint32_t cpuid;
    uint32_t dbgmcu_idcode;     /**< REV_ID << 16 | DEV_ID */
    uint32_t flash_base, flash_size, page_size;
    uint32_t flash_regs_base;
    uint32_t sram_base, sram_size;
    uint32_t info_base;         /**< engineering bytes block (UID, package, flash size) */
    uint32_t flash_size_reg;    /**< address of the u16 flash size in KiB */
    uint32_t otp_base, otp_size;
    const struct sim_flash_ops *flash_ops;
};

/** The chip table entry named @p name (case-insensitive), or NULL. */
const struct sim_chip *sim_chip_find(const char *name);
/** The i-th chip of the table, or NULL past the end. */
const struct sim_chip *sim_chip_at(unsigned i);

#define SIM_RCC_SIZE    0x400u
#define SIM_DBGMCU_BASE 0xE0042000u
#define SIM_DBGMCU_SIZE 0x1000u
#define SIM_INFO_SIZE   0x100u

struct sim_target {
    const struct sim_chip *chip;
    struct sim_clock clock;
    struct sim_stats stats;
    struct sim_faults faults;
    struct sim_bus bus;
    struct sim_dap dap;
    struct sim_cortexm core;
    struct sim_flash flash;
    uint8_t *sram;
    uint8_t *otp;
    uint8_t info[SIM_INFO_SIZE];
    uint32_t rcc[SIM_RCC_SIZE / 4];
    uint32_t dbgmcu_cr, dbgmcu_fz[3];
    /** System resets so far (firmware models restart on each). */
    uint64_t resets;
    /** The RTT producer playing the firmware, or NULL (owned: freed with the target). */
    struct sim_rtt_producer *rtt;
};

/** Create a powered-on target for @p chip. Returns NULL on out of memory. */
struct sim_target *sim_target_new(const struct sim_chip *chip);
void sim_target_free(struct sim_target *t);

/** System reset (SYSRESETREQ, NRST release): core, flash controller, RCC. */
void sim_target_system_reset(struct sim_target *t);

/** Account one probe command round trip moving @p to_probe and @p from_probe bytes. */
void sim_target_round_trip(struct sim_target *t, uint64_t to_probe, uint64_t from_probe);

/** Load a raw image into flash at offset 0 (the rest stays erased). 0, or -1 with @p err set. */
int sim_target_load_flash(struct sim_target *t, const char *path, char *err, size_t errlen);
/** Write the whole flash array to @p path via temp file + rename. 0, or -1 with @p err set. */
int sim_target_save_flash(const struct sim_target *t, const char *path, char *err, size_t errlen);

/** Statistics as a new JSON object (caller owns the reference). */
json_t *sim_target_stats_json(const struct sim_target *t);
/** Write the stats JSON to @p path via temp file + rename. 0, or -1 with @p err set. */
int sim_target_save_stats(const struct sim_target *t, const char *path, char *err, size_t errlen);

/** Apply armed write-protection faults to the flash controller. 0, or -1 when out of range. */
int sim_target_apply_faults(struct sim_target *t);

#endif
