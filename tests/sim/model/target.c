/* Target assembly: memory map, system reset and clock accounting. */
#include "sim/target.h"

#include <stdlib.h>
#include <string.h>

#define RCC_CR   0x00u
#define RCC_CFGR 0x08u
#define RCC_CR_HSION  (1u << 8)
#define RCC_CR_HSIRDY (1u << 10)
#define DBGMCU_IDCODE 0x00u

static int flash_alias_read(void *ctx, uint32_t off, unsigned size, uint32_t *val)
{
    return sim_flash_array_ops.read(ctx, off, size, val);
}
static const struct sim_region_ops flash_alias_ops = {flash_alias_read, NULL};

static int rcc_read(void *ctx, uint32_t off, unsigned size, uint32_t *val)
{
    struct sim_target *t = ctx;
    uint32_t w = t->rcc[off / 4];
    *val = size == 4 ? w : (w >> (8 * (off & 3))) & ((1u << (8 * size)) - 1);
    return 0;
}

static int rcc_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
    struct sim_target *t = ctx;
    if (size != 4)
        return -1;
    if (off == RCC_CR) {
        val &= ~RCC_CR_HSIRDY;
        if (val & RCC_CR_HSION)
            val |= RCC_CR_HSIRDY; /* oscillators are ready at once */
    } else if (off == RCC_CFGR) {
        val = (val & ~0xCu) | ((val & 0x3u) << 2); /* SWS follows SW */
    }
    t->rcc[off / 4] = val;
    return 0;
}
static const struct sim_region_ops rcc_ops = {rcc_read, rcc_write};

static uint32_t *dbgmcu_reg(struct sim_target *t, uint32_t off)
{
    switch (off) {
    case 0x04: return &t->dbgmcu_cr;
    case 0x08: return &t->dbgmcu_fz[0];
    case 0x0C: return &t->dbgmcu_fz[1];
    case 0x10: return &t->dbgmcu_fz[2];
    default: return NULL;
    }
}

static int dbgmcu_read(void *ctx, uint32_t off, unsigned size, uint32_t *val)
{
    struct sim_target *t = ctx;
    uint32_t *r = dbgmcu_reg(t, off & ~3u);
    uint32_t w = (off & ~3u) == DBGMCU_IDCODE ? t->chip->dbgmcu_idcode : r ? *r : 0;
    *val = size == 4 ? w : (w >> (8 * (off & 3))) & ((1u << (8 * size)) - 1);
    return 0;
}

static int dbgmcu_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
    struct sim_target *t = ctx;
    uint32_t *r = dbgmcu_reg(t, off);
    if (size == 4 && r)
        *r = val;
    return 0;
}
static const struct sim_region_ops dbgmcu_ops = {dbgmcu_read, dbgmcu_write};

static void fill_info(struct sim_target *t)
{
    const struct sim_chip *c = t->chip;
    memset(t->info, 0xFF, sizeof t->info);
    sim_le_put(t->info + 0x00, 4, 0x00000000u);                      /* package: LQFP64 */
    sim_le_put(t->info + 0x90, 4, 0x00420031u);                      /* UID[31:0] */
    sim_le_put(t->info + 0x94, 4, 0x31305117u);                      /* UID[63:32] */
    sim_le_put(t->info + 0x98, 4, 0x20333637u);                      /* UID[95:64] */
    sim_le_put(t->info + (c->flash_size_reg - c->info_base), 2, c->flash_size / 1024u);
}

static int map_all(struct sim_target *t)
{
    const struct sim_chip *c = t->chip;
    struct sim_bus *b = &t->bus;
    int rc = 0;
    rc |= sim_bus_map(b, "flash-alias", 0x00000000u, c->flash_size, &flash_alias_ops, &t->flash);
    rc |= sim_bus_map(b, "flash", c->flash_base, c->flash_size, &sim_flash_array_ops, &t->flash);
    rc |= sim_bus_map(b, "sram", c->sram_base, c->sram_size, &sim_ram_ops, t->sram);
    rc |= sim_bus_map(b, "flash-regs", c->flash_regs_base, c->flash_ops->regs_size,
                      &sim_flash_regs_ops, &t->flash);
    rc |= sim_bus_map(b, "rcc", 0x40021000u, SIM_RCC_SIZE, &rcc_ops, t);
    rc |= sim_bus_map(b, "otp", c->otp_base, c->otp_size, &sim_rom_ops, t->otp);
    rc |= sim_bus_map(b, "info", c->info_base, SIM_INFO_SIZE, &sim_rom_ops, t->info);
    rc |= sim_bus_map(b, "dbgmcu", SIM_DBGMCU_BASE, SIM_DBGMCU_SIZE, &dbgmcu_ops, t);
    rc |= sim_bus_map(b, "ppb", SIM_PPB_BASE, SIM_PPB_SIZE, &sim_cortexm_ppb_ops, &t->core);
    return rc;
}

static void rcc_reset(struct sim_target *t)
{
    memset(t->rcc, 0, sizeof t->rcc);
    t->rcc[RCC_CR / 4] = RCC_CR_HSION | RCC_CR_HSIRDY;
    t->rcc[RCC_CFGR / 4] = 0x00000005u;
}

struct sim_target *sim_target_new(const struct sim_chip *chip)
{
    struct sim_target *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->chip = chip;
    t->sram = calloc(1, chip->sram_size);
    t->otp = malloc(chip->otp_size);
    if (!t->sram || !t->otp || sim_cortexm_init(&t->core, t, chip->cpuid) ||
        sim_flash_init(&t->flash, t, chip->flash_ops, chip->flash_base, chip->flash_size,
                       chip->page_size, chip->flash_regs_base) ||
        map_all(t)) {
        sim_target_free(t);
        return NULL;
    }
    memset(t->otp, 0xFF, chip->otp_size);
    fill_info(t);
    sim_dap_reset(&t->dap, t, chip->dpidr);
    sim_target_system_reset(t);
    t->core.reset_st = false;
    t->stats.flash_stall_ns = 0;
    return t;
}

void sim_target_free(struct sim_target *t)
{
    if (!t)
        return;
    sim_rtt_producer_free(t->rtt);
    sim_flash_fini(&t->flash);
    sim_cortexm_fini(&t->core);
    free(t->sram);
    free(t->otp);
    free(t);
}

void sim_target_system_reset(struct sim_target *t)
{
    t->flash.ops->reset(&t->flash);
    rcc_reset(t);
    sim_cortexm_reset(&t->core);
    t->resets++;
}

void sim_target_round_trip(struct sim_target *t, uint64_t to_probe, uint64_t from_probe)
{
    t->stats.round_trips++;
    t->stats.bytes_to_probe += to_probe;
    t->stats.bytes_from_probe += from_probe;
    sim_clock_advance(&t->clock, t->clock.round_trip_ns + (to_probe + from_probe) * t->clock.byte_ns);
}

int sim_target_apply_faults(struct sim_target *t)
{
    if (!t->faults.wrp_armed)
        return 0;
    return t->flash.ops->protect(&t->flash, t->faults.wrp_first, t->faults.wrp_last);
}

json_t *sim_target_stats_json(const struct sim_target *t)
{
    const struct sim_stats *s = &t->stats;
    json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:f, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
                     "chip", t->chip->name,
                     "round_trips", (json_int_t)s->round_trips,
                     "bytes_to_probe", (json_int_t)s->bytes_to_probe,
                     "bytes_from_probe", (json_int_t)s->bytes_from_probe,
                     "modelled_seconds", (double)t->clock.now_ns / 1e9,
                     "modelled_ns", (json_int_t)t->clock.now_ns,
                     "flash_stall_ns", (json_int_t)s->flash_stall_ns,
                     "dap_transactions", (json_int_t)s->dap_transactions,
                     "wait_acks", (json_int_t)s->wait_acks,
                     "fault_acks", (json_int_t)s->fault_acks,
                     "page_erases", (json_int_t)s->page_erases,
                     "mass_erases", (json_int_t)s->mass_erases,
                     "double_words_programmed", (json_int_t)s->double_words_programmed,
                     "words_read", (json_int_t)s->words_read,
                     "words_written", (json_int_t)s->words_written);
    if (o && t->rtt)
        json_object_set_new(o, "rtt", sim_rtt_producer_stats_json(t->rtt));
    return o;
}
