/* RTT ring transfers: drain the up channel (the host writes only RdOff) and fill the
 * down channel (the host writes only WrOff). One byte of each ring always stays free,
 * so equal offsets mean empty. */
#include "rtt.h"

#include "rtt_mem.h"
#include "util.h"

#include <string.h>

static int check_offsets(struct cm_rtt *r, const char *dir, const struct cm_rtt_ring *g,
                         uint32_t wr, uint32_t rd)
{
    if (wr < g->size && rd < g->size)
        return 0;
    return cm_error(r->host, ESPCTL_E_TARGET,
                    "monitor: corrupt RTT control block at 0x%08x: %s channel %u %s = %u is not below "
                    "SizeOfBuffer = %u", r->block, dir, r->channel, wr >= g->size ? "WrOff" : "RdOff",
                    wr >= g->size ? wr : rd, g->size);
}

static int write_offset(struct cm_rtt *r, uint32_t field, uint32_t value)
{
    return r->mem->write32(r->mem->ctx, field, value);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Copy [from, from+n) of the ring: from the span read when there is one, else from
 * target memory. */
static int ring_copy(struct cm_rtt *r, const uint8_t *ring, uint32_t from, uint8_t *out, uint32_t n)
{
    if (ring) {
        memcpy(out, ring + from, n);
        return 0;
    }
    return cm_rtt_mem_read(r, (uint64_t)r->up.buffer + from, out, n);
}

int cm_rtt_read(struct cm_rtt *r, uint8_t *buf, uint32_t capacity, uint32_t *got)
{
    struct cm_rtt_ring *g = &r->up;
    *got = 0;
    uint32_t wr, rd;
    const uint8_t *ring = NULL;
    int rc;
    if (r->span && r->busy) {
        rc = cm_rtt_mem_read(r, (uint64_t)g->desc + CM_RTT_DESC_WROFF, r->span, r->span_size);
        if (rc == 0) {
            wr = le32(r->span);
            rd = le32(r->span + 4);
            ring = r->span + (g->buffer - (g->desc + CM_RTT_DESC_WROFF));
            r->span_reads++;
        }
    } else {
        rc = cm_rtt_read_offsets(r, g->desc, &wr, &rd);
    }
    if (rc == 0)
        rc = check_offsets(r, "up", g, wr, rd);
    if (rc)
        return rc;
    if (rd != g->host_off) {
        /* Only the host moves RdOff: the firmware restarted or re-initialised the block. */
        cm_log(r->host, ESPCTL_LOG_WARN,
               "RTT up channel %u: RdOff is %u, the host left it at %u (target reset?); following it",
               r->channel, rd, g->host_off);
        r->resyncs++;
        g->host_off = rd;
    }
    if (wr == rd || capacity == 0) {
        r->busy = 0;
        return 0;
    }
    uint32_t first = wr > rd ? wr - rd : g->size - rd;
    first = first < capacity ? first : capacity;
    rc = ring_copy(r, ring, rd, buf, first);
    uint32_t total = first;
    if (rc == 0 && wr < rd && rd + first == g->size && capacity > first && wr > 0) {
        uint32_t second = wr < capacity - first ? wr : capacity - first;
        rc = ring_copy(r, ring, 0, buf + first, second);
        total += second;
    }
    if (rc)
        return rc;
    uint32_t next = (uint32_t)(((uint64_t)rd + total) % g->size);
    rc = write_offset(r, g->desc + CM_RTT_DESC_RDOFF, next);
    if (rc)
        return rc;
    g->host_off = next;
    r->bytes_up += total;
    /* a quarter of the ring or more: reading it whole next time saves a request */
    r->busy = (uint64_t)total * 4 >= g->size;
    *got = total;
    return 0;
}

int cm_rtt_write(struct cm_rtt *r, const uint8_t *buf, uint32_t length, uint32_t *accepted)
{
    struct cm_rtt_ring *g = &r->down;
    *accepted = 0;
    if (!r->has_down)
        return cm_error(r->host, ESPCTL_E_NOT_SUPPORTED,
                        "monitor: the RTT control block at 0x%08x has no down channel %u to send input to",
                        r->block, r->channel);
    uint32_t wr, rd;
    int rc = cm_rtt_read_offsets(r, g->desc, &wr, &rd);
    if (rc == 0)
        rc = check_offsets(r, "down", g, wr, rd);
    if (rc)
        return rc;
    if (wr != g->host_off) {
        cm_log(r->host, ESPCTL_LOG_WARN,
               "RTT down channel %u: WrOff is %u, the host left it at %u (target reset?); following it",
               r->channel, wr, g->host_off);
        r->resyncs++;
        g->host_off = wr;
    }
    uint32_t done = 0;
    while (done < length) {
        uint32_t space = rd > wr ? rd - wr - 1 : rd == 0 ? g->size - wr - 1 : g->size - wr;
        if (space == 0)
            break;
        uint32_t n = length - done < space ? length - done : space;
        rc = cm_rtt_mem_write(r, (uint64_t)g->buffer + wr, buf + done, n);
        if (rc)
            return rc;
        done += n;
        wr = wr + n == g->size ? 0 : wr + n;
    }
    if (done == 0)
        return 0;
    rc = write_offset(r, g->desc + CM_RTT_DESC_WROFF, wr);
    if (rc)
        return rc;
    g->host_off = wr;
    r->bytes_down += done;
    *accepted = done;
    return 0;
}
