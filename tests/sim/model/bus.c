/* Address decoder and byte-array regions. */
#include "sim/bus.h"

#include <stddef.h>

int sim_bus_map(struct sim_bus *bus, const char *name, uint32_t base, uint32_t size,
                const struct sim_region_ops *ops, void *ctx)
{
    if (bus->count >= SIM_BUS_MAX_REGIONS || size == 0)
        return -1;
    bus->regions[bus->count++] = (struct sim_region){name, base, size, ops, ctx};
    return 0;
}

const struct sim_region *sim_bus_find(const struct sim_bus *bus, uint32_t addr)
{
    for (unsigned i = 0; i < bus->count; i++) {
        const struct sim_region *r = &bus->regions[i];
        if (addr >= r->base && addr - r->base < r->size)
            return r;
    }
    return NULL;
}

static const struct sim_region *checked_region(const struct sim_bus *bus, uint32_t addr, unsigned size)
{
    if ((size != 1 && size != 2 && size != 4) || (addr & (size - 1)))
        return NULL;
    const struct sim_region *r = sim_bus_find(bus, addr);
    if (!r || addr - r->base > r->size - size)
        return NULL;
    return r;
}

int sim_bus_read(struct sim_bus *bus, uint32_t addr, unsigned size, uint32_t *val)
{
    if (bus->before_access)
        bus->before_access(bus->before_access_ctx);
    const struct sim_region *r = checked_region(bus, addr, size);
    if (!r || !r->ops->read)
        return -1;
    return r->ops->read(r->ctx, addr - r->base, size, val);
}

int sim_bus_write(struct sim_bus *bus, uint32_t addr, unsigned size, uint32_t val)
{
    if (bus->before_access)
        bus->before_access(bus->before_access_ctx);
    const struct sim_region *r = checked_region(bus, addr, size);
    if (!r || !r->ops->write)
        return -1;
    return r->ops->write(r->ctx, addr - r->base, size, val);
}

uint32_t sim_le_get(const uint8_t *p, unsigned size)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint32_t)p[i] << (8 * i);
    return v;
}

void sim_le_put(uint8_t *p, unsigned size, uint32_t v)
{
    for (unsigned i = 0; i < size; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static int array_read(void *ctx, uint32_t off, unsigned size, uint32_t *val)
{
    *val = sim_le_get((const uint8_t *)ctx + off, size);
    return 0;
}

static int array_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
    sim_le_put((uint8_t *)ctx + off, size, val);
    return 0;
}

const struct sim_region_ops sim_ram_ops = {array_read, array_write};
const struct sim_region_ops sim_rom_ops = {array_read, NULL};
