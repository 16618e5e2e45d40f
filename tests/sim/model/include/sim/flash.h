/* Flash memory and its controller: common state plus a per-family controller interface. */
#ifndef SIM_FLASH_H
#define SIM_FLASH_H

#include <stdint.h>

#include "sim/fault.h"

struct sim_target;
struct sim_flash;

/** Per-family controller behaviour (STM32G4 first; L4, F7, H7 later). */
struct sim_flash_ops {
    const char *family;
    uint32_t regs_size;                          /**< size of the register block */
    int (*init)(struct sim_flash *fl);           /**< allocate fl->family_state */
    void (*fini)(struct sim_flash *fl);
    void (*reset)(struct sim_flash *fl);         /**< system reset (re-lock, reload options) */
    /** Register access; off relative to the register block. 0 or -1 (bus error). */
    int (*reg_read)(struct sim_flash *fl, uint32_t off, unsigned size, uint32_t *val);
    int (*reg_write)(struct sim_flash *fl, uint32_t off, unsigned size, uint32_t val);
    /** A bus write into the flash array (programming); off relative to the array base. */
    int (*array_write)(struct sim_flash *fl, uint32_t off, unsigned size, uint32_t val);
    /** Write-protect pages first..last (inclusive). 0 or -1 when out of range. */
    int (*protect)(struct sim_flash *fl, uint32_t first_page, uint32_t last_page);
};

struct sim_flash {
    const struct sim_flash_ops *ops;
    struct sim_target *target;
    uint8_t *array;
    uint32_t base;
    uint32_t size;
    uint32_t page_size;
    uint32_t regs_base;
    uint64_t busy_until_ns;  /**< BSY reads 1 until the virtual clock reaches this */
    uint64_t page_erase_ns;
    uint64_t mass_erase_ns;
    uint64_t program_ns;     /**< one programming unit (double word on G4) */
    void *family_state;
};

/** Datasheet times for STM32G4 (typical): 2 KiB page erase, mass erase, 64-bit program. */
#define SIM_G4_PAGE_ERASE_NS 22000000ull
#define SIM_G4_MASS_ERASE_NS 22000000ull
#define SIM_G4_PROGRAM_DW_NS 82000ull

extern const struct sim_flash_ops sim_flash_stm32g4_ops;

/** Allocate the array (erased, 0xFF) and family state. Returns 0 or -1. */
int sim_flash_init(struct sim_flash *fl, struct sim_target *t, const struct sim_flash_ops *ops,
                   uint32_t base, uint32_t size, uint32_t page_size, uint32_t regs_base);
void sim_flash_fini(struct sim_flash *fl);

/** True while an operation is in progress at the current virtual time. */
int sim_flash_busy(const struct sim_flash *fl);

/** Stall the bus (advance virtual time) until the flash is idle. */
void sim_flash_stall(struct sim_flash *fl);

/** Start a timed operation of @p ns from now (sets the busy window). */
void sim_flash_start_op(struct sim_flash *fl, uint64_t ns);

/** Bus callbacks: the array region (reads stall while busy; writes go to ops->array_write)
 *  and the register region. ctx = struct sim_flash *. */
extern const struct sim_region_ops sim_flash_array_ops;
extern const struct sim_region_ops sim_flash_regs_ops;

#endif
