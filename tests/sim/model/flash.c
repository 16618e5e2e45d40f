/* Flash array and register block shared by all families; timing of busy operations. */
#include "sim/flash.h"

#include <stdlib.h>
#include <string.h>

#include "sim/target.h"

int sim_flash_init(struct sim_flash *fl, struct sim_target *t, const struct sim_flash_ops *ops,
                   uint32_t base, uint32_t size, uint32_t page_size, uint32_t regs_base)
{
    memset(fl, 0, sizeof *fl);
    fl->ops = ops;
    fl->target = t;
    fl->base = base;
    fl->size = size;
    fl->page_size = page_size;
    fl->regs_base = regs_base;
    fl->array = malloc(size);
    if (!fl->array)
        return -1;
    memset(fl->array, 0xFF, size);
    if (ops->init && ops->init(fl)) {
        free(fl->array);
        fl->array = NULL;
        return -1;
    }
    return 0;
}

void sim_flash_fini(struct sim_flash *fl)
{
    if (fl->ops && fl->ops->fini)
        fl->ops->fini(fl);
    free(fl->array);
    fl->array = NULL;
}

int sim_flash_busy(const struct sim_flash *fl)
{
    return fl->target->clock.now_ns < fl->busy_until_ns;
}

void sim_flash_stall(struct sim_flash *fl)
{
    struct sim_target *t = fl->target;
    t->stats.flash_stall_ns += sim_clock_wait_until(&t->clock, fl->busy_until_ns);
}

void sim_flash_start_op(struct sim_flash *fl, uint64_t ns)
{
    fl->busy_until_ns = fl->target->clock.now_ns + ns;
}

static int array_read(void *ctx, uint32_t off, unsigned size, uint32_t *val)
{
    struct sim_flash *fl = ctx;
    sim_flash_stall(fl); /* reads of the array stall while an operation runs */
    *val = sim_le_get(fl->array + off, size);
    return 0;
}

static int array_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
    struct sim_flash *fl = ctx;
    sim_flash_stall(fl);
    return fl->ops->array_write(fl, off, size, val);
}

static int regs_read(void *ctx, uint32_t off, unsigned size, uint32_t *val)
{
    struct sim_flash *fl = ctx;
    return fl->ops->reg_read(fl, off, size, val);
}

static int regs_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
    struct sim_flash *fl = ctx;
    return fl->ops->reg_write(fl, off, size, val);
}

const struct sim_region_ops sim_flash_array_ops = {array_read, array_write};
const struct sim_region_ops sim_flash_regs_ops = {regs_read, regs_write};
