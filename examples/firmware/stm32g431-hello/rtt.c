/* RTT up buffer 0 in RAM: the host finds the control block by its "SEGGER RTT" id. */
#include "rtt.h"

#include <stdint.h>

#define UP_BUFFER_SIZE 512
#define DOWN_BUFFER_SIZE 16
#define MODE_NO_BLOCK_TRIM 1u /* a write that does not fit is truncated, never waits */

struct rtt_buffer {
    const char *name;
    char *buffer;
    uint32_t size;
    volatile uint32_t wr_off;
    volatile uint32_t rd_off;
    uint32_t flags;
};

struct rtt_control_block {
    char id[16];
    int32_t max_up_buffers;
    int32_t max_down_buffers;
    struct rtt_buffer up[1];
    struct rtt_buffer down[1];
};

static char up_storage[UP_BUFFER_SIZE];
static char down_storage[DOWN_BUFFER_SIZE];

/* Initialised data: the .data copy at reset places the block, id included, in RAM where a
 * host scans for "SEGGER RTT". */
struct rtt_control_block _SEGGER_RTT = {
    .id = "SEGGER RTT",
    .max_up_buffers = 1,
    .max_down_buffers = 1,
    .up = {{"Terminal", up_storage, UP_BUFFER_SIZE, 0, 0, MODE_NO_BLOCK_TRIM}},
    .down = {{"Terminal", down_storage, DOWN_BUFFER_SIZE, 0, 0, MODE_NO_BLOCK_TRIM}},
};

void rtt_write(const char *data, size_t len)
{
    struct rtt_buffer *b = &_SEGGER_RTT.up[0];
    uint32_t wr = b->wr_off;
    for (size_t i = 0; i < len; i++) {
        uint32_t next = wr + 1 == b->size ? 0 : wr + 1;
        if (next == b->rd_off)
            break; /* full: drop the rest */
        b->buffer[wr] = data[i];
        wr = next;
    }
    __asm volatile("dmb" ::: "memory");
    b->wr_off = wr;
}
