/* A target for the RTT unit tests: RAM as a byte array behind struct espctl_target_mem,
 * a host with a virtual clock (sleeping advances it), and an optional all-stop
 * run-control probe that refuses memory accesses while the core runs. */
#ifndef TEST_RTT_FAKE_MEM_H
#define TEST_RTT_FAKE_MEM_H

#include "espctl/plugin.h"
#include "espctl/plugin/ext/run_control.h"

#define FM_RAM_BASE 0x20000000u
#define FM_RAM_SIZE 0x4000u

struct fake_mem;
/** Called before every read (e.g. to make a block appear after some polls). */
typedef void (*fm_read_hook)(struct fake_mem *fm);

struct fake_mem {
    struct espctl_host host;
    struct espctl_target_mem mem;
    struct espctl_mem_region regions[2];
    struct espctl_chip_desc chip;
    struct espctl_probe_driver drv;
    struct espctl_run_control rc;
    uint8_t ram[FM_RAM_SIZE];
    uint64_t now_us;
    char last_error[1024];
    int last_code;
    unsigned reads, writes;
    /* all-stop probe state */
    int all_stop;
    int halted;
    unsigned halts, resumes, running_accesses;
    fm_read_hook hook;
    int hook_arg;
};

void fm_init(struct fake_mem *fm);
uint32_t fm_get32(const struct fake_mem *fm, uint32_t address);
void fm_put32(struct fake_mem *fm, uint32_t address, uint32_t value);

/** Lay out a block at `block` with one up and one down channel whose buffers follow it. */
void fm_make_block(struct fake_mem *fm, uint32_t block, uint32_t up_size, uint32_t down_size);
/** Descriptor address of up (dir 0) / down (dir 1) channel 0 of the block at `block`. */
uint32_t fm_desc(uint32_t block, int dir);
/** Append bytes to the up ring as firmware would (WrOff only). Returns bytes stored. */
uint32_t fm_produce(struct fake_mem *fm, uint32_t block, const uint8_t *data, uint32_t len);

#endif
