/* System bus of a simulated target: an address decoder over memory-mapped regions. */
#ifndef SIM_BUS_H
#define SIM_BUS_H

#include <stdint.h>

#define SIM_BUS_MAX_REGIONS 32

/** Region callbacks. @p off is relative to the region base; size is 1, 2 or 4 and
 *  the access is naturally aligned. Values are right-aligned (no byte lanes).
 *  Return 0, or -1 for a bus error. */
struct sim_region_ops {
    int (*read)(void *ctx, uint32_t off, unsigned size, uint32_t *val);
    int (*write)(void *ctx, uint32_t off, unsigned size, uint32_t val);
};

struct sim_region {
    const char *name;
    uint32_t base;
    uint32_t size;
    const struct sim_region_ops *ops;
    void *ctx;
};

/** Regions are matched in the order they were mapped: map specific ones before catch-alls. */
struct sim_bus {
    struct sim_region regions[SIM_BUS_MAX_REGIONS];
    unsigned count;
    /** Called before every access, e.g. by the RTT producer to catch up with the
     *  virtual clock; NULL = none. */
    void (*before_access)(void *ctx);
    void *before_access_ctx;
};

/** Add a region. Returns 0, or -1 when the table is full. */
int sim_bus_map(struct sim_bus *bus, const char *name, uint32_t base, uint32_t size,
                const struct sim_region_ops *ops, void *ctx);

/** The region holding @p addr, or NULL. */
const struct sim_region *sim_bus_find(const struct sim_bus *bus, uint32_t addr);

/** Access @p size bytes at @p addr. Misaligned, unmapped or refused accesses return -1. */
int sim_bus_read(struct sim_bus *bus, uint32_t addr, unsigned size, uint32_t *val);
int sim_bus_write(struct sim_bus *bus, uint32_t addr, unsigned size, uint32_t val);

/** Little-endian byte-array regions: RAM (read/write) and ROM (read-only). ctx is the array
 *  (it must hold the region's size). */
extern const struct sim_region_ops sim_ram_ops;
extern const struct sim_region_ops sim_rom_ops;

/** Helpers on little-endian byte arrays. */
uint32_t sim_le_get(const uint8_t *p, unsigned size);
void sim_le_put(uint8_t *p, unsigned size, uint32_t v);

#endif
