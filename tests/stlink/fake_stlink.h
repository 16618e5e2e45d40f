/*
 * fake_stlink.h — an in-test ST-Link behind the stlink transport interface, used to
 * unit-test the command layer: answers version/mode/speed/voltage/DAP/memory
 * commands from a small RAM model and records every command it sees.
 */
#ifndef STLINK_TEST_FAKE_STLINK_H
#define STLINK_TEST_FAKE_STLINK_H

#include "stlink_transport.h"

#include <stdint.h>

#define FAKE_RAM_BASE 0x20000000u
#define FAKE_RAM_SIZE 0x4000u
#define FAKE_LOG_MAX 4096

struct fake_cmd {
    uint8_t cdb[STLINK_CDB_SIZE];
    int dir;
    uint32_t len;
};

struct fake_stlink {
    struct stlink_transport base;
    /** GET_VERSION reply word fields and hardware generation. */
    unsigned v, j, s;
    uint8_t mode;
    uint8_t ram[FAKE_RAM_SIZE];
    uint32_t dp[16];
    uint32_t ap_regs[64];
    /** Status of the last memory command (GETLASTRWSTATUS). */
    uint8_t rw_status;
    uint32_t rw_fault_addr;
    /** Answer this many DAP/memory operations with WAIT before succeeding (-1: forever). */
    int wait_left;
    /** Memory accesses touching [fault_lo, fault_hi) fail with status fault_status. */
    uint32_t fault_lo, fault_hi;
    uint8_t fault_status;
    /** What READDEBUGREG of CPUID (0xE000ED00) returns; 0 = that address faults. */
    uint32_t cpuid;
    /** Every command received, in order. */
    struct fake_cmd log[FAKE_LOG_MAX];
    int log_count;
    int destroyed;
};

/** A fake ST-Link V2 (pid 0x3748) with firmware VvJjSs in DFU mode. */
void fake_stlink_init(struct fake_stlink *f, unsigned v, unsigned j, unsigned s);
/** Number of logged commands whose first two CDB bytes are b0, b1 (b1 < 0: any). */
int fake_count(const struct fake_stlink *f, uint8_t b0, int b1);

#endif
