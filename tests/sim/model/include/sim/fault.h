/* Fault injection for the simulated target and its probe fronts. */
#ifndef SIM_FAULT_H
#define SIM_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Flash error a fault spec can force on the next double-word programming. */
enum sim_flash_err {
    SIM_FLASH_ERR_NONE = 0,
    SIM_FLASH_ERR_PGAERR,
    SIM_FLASH_ERR_WRPERR,
    SIM_FLASH_ERR_PROGERR,
    SIM_FLASH_ERR_SIZERR,
    SIM_FLASH_ERR_PGSERR,
};

/**
 * Armed faults. Every fault except write protection fires once and then disarms,
 * so a following session against the same simulator succeeds.
 */
struct sim_faults {
    uint64_t drop_after;      /**< drop the connection after this many probe commands; 0 = off */
    uint64_t wait_count;      /**< answer WAIT to this many DAP transactions ... */
    uint64_t wait_after;      /**< ... starting after this many transactions */
    bool fault_at_armed;      /**< next memory access covering fault_at answers FAULT */
    uint32_t fault_at;
    enum sim_flash_err flash_err; /**< forced on the next double-word programming ... */
    bool flash_err_at_armed;      /**< ... or on the next one of the double word holding flash_err_at */
    uint32_t flash_err_at;
    bool wrp_armed;           /**< pages wrp_first..wrp_last are write-protected (persistent) */
    uint32_t wrp_first, wrp_last;
};

/**
 * Parse a comma-separated fault spec into @p f (added to what is already armed):
 *   drop-after=N | wait=N[@K] | fault-at=ADDR | flash-err=pgaerr|wrperr|progerr|sizerr|pgserr[@ADDR]
 *   | wrp=FIRST-LAST   (pages)
 * Numbers accept C prefixes (0x...). Returns 0, or -1 with a message naming the item in @p err.
 */
int sim_faults_parse(struct sim_faults *f, const char *spec, char *err, size_t errlen);

/** Name of a flash error kind ("pgaerr", ...). */
const char *sim_flash_err_name(enum sim_flash_err e);

#endif
