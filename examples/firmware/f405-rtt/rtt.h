/*
 * rtt.h — a minimal SEGGER-RTT-compatible control block: one up channel ("Terminal",
 * blocking when full) and one down channel. Layout per the RTT convention: 16-byte id,
 * buffer counts, then 24-byte descriptors (name, buffer, size, WrOff, RdOff, flags).
 */
#ifndef F405_RTT_H
#define F405_RTT_H

#include <stddef.h>
#include <stdint.h>

#define RTT_MODE_BLOCK_IF_FULL 2u

struct rtt_channel {
    const char *name;
    char *buffer;
    uint32_t size;
    volatile uint32_t wr_off;
    volatile uint32_t rd_off;
    uint32_t flags;
};

struct rtt_control_block {
    char id[16];
    int32_t max_up;
    int32_t max_down;
    struct rtt_channel up[1];
    struct rtt_channel down[1];
};

/** The block the host finds through the ELF symbol `_SEGGER_RTT`. */
extern struct rtt_control_block _SEGGER_RTT;

void rtt_init(void);
/** Write all of data to up channel 0, waiting while the host has not drained it. */
void rtt_write(const char *data, size_t len);
/** Read up to cap bytes from down channel 0; returns the count (0 when empty). */
size_t rtt_read(char *buf, size_t cap);

#endif
