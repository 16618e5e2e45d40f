#include "rtt.h"

#define UP_SIZE 256u
#define DOWN_SIZE 16u

struct rtt_control_block _SEGGER_RTT;
static char up_buffer[UP_SIZE];
static char down_buffer[DOWN_SIZE];

static void barrier(void) { __asm__ volatile("dmb" ::: "memory"); }

void rtt_init(void)
{
    static const char id[] = "SEGGER RTT";
    _SEGGER_RTT.max_up = 1;
    _SEGGER_RTT.max_down = 1;
    _SEGGER_RTT.up[0] = (struct rtt_channel){"Terminal", up_buffer, UP_SIZE, 0, 0,
                                             RTT_MODE_BLOCK_IF_FULL};
    _SEGGER_RTT.down[0] = (struct rtt_channel){"Terminal", down_buffer, DOWN_SIZE, 0, 0, 0};
    barrier();
    /* The id goes last and backwards, so a host that sees it sees a finished block. */
    for (int i = (int)sizeof id - 1; i >= 0; i--) {
        ((volatile char *)_SEGGER_RTT.id)[i] = id[i];
        barrier();
    }
}

void rtt_write(const char *data, size_t len)
{
    struct rtt_channel *ch = &_SEGGER_RTT.up[0];
    while (len) {
        uint32_t wr = ch->wr_off;
        uint32_t next = wr + 1 == ch->size ? 0 : wr + 1;
        if (next == ch->rd_off)
            continue; /* full: block until the host advances RdOff */
        ch->buffer[wr] = *data++;
        len--;
        barrier();
        ch->wr_off = next;
    }
}

size_t rtt_read(char *buf, size_t cap)
{
    struct rtt_channel *ch = &_SEGGER_RTT.down[0];
    size_t n = 0;
    uint32_t rd = ch->rd_off;
    while (n < cap && rd != ch->wr_off) {
        buf[n++] = ch->buffer[rd];
        rd = rd + 1 == ch->size ? 0 : rd + 1;
    }
    barrier();
    ch->rd_off = rd;
    return n;
}
