/* RTT control block: find it in RAM, read it, and check every pointer and size against
 * the chip's RAM regions before anything else uses them. */
#include "rtt.h"

#include "rtt_mem.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

void cm_rtt_init(struct cm_rtt *r, const struct espctl_host *host,
                 const struct espctl_target_mem *mem, const struct espctl_mem_region *regions,
                 uint32_t count)
{
    memset(r, 0, sizeof *r);
    r->host = host;
    r->mem = mem;
    for (uint32_t i = 0; regions && i < count && r->ram_count < CM_RTT_MAX_RAM; i++)
        if (regions[i].kind == ESPCTL_MEM_RAM && regions[i].size &&
            regions[i].base + regions[i].size <= 0x100000000ull)
            r->ram[r->ram_count++] = regions[i];
}

static const struct espctl_mem_region *ram_holding(const struct cm_rtt *r, uint64_t address,
                                                   uint64_t length)
{
    for (uint32_t i = 0; i < r->ram_count; i++) {
        const struct espctl_mem_region *g = &r->ram[i];
        if (address >= g->base && length <= g->size && address - g->base <= g->size - length)
            return g;
    }
    return NULL;
}

int cm_rtt_in_ram(const struct cm_rtt *r, uint64_t address, uint64_t length)
{
    return ram_holding(r, address, length) != NULL;
}

static int find_id(const uint8_t *buf, size_t len, size_t *at)
{
    static const uint8_t id[CM_RTT_ID_SIZE] = CM_RTT_ID;
    for (size_t i = 0; i + CM_RTT_ID_SIZE <= len;) {
        const uint8_t *hit = memchr(buf + i, 'S', len - CM_RTT_ID_SIZE + 1 - i);
        if (!hit)
            return 0;
        size_t pos = (size_t)(hit - buf);
        if (memcmp(hit, id, CM_RTT_ID_SIZE) == 0) {
            *at = pos;
            return 1;
        }
        i = pos + 1;
    }
    return 0;
}

/* Scan one region in chunks that overlap by the id size, so an id across a chunk
 * boundary is seen once. Stops after the second hit. */
static int scan_region(struct cm_rtt *r, const struct espctl_mem_region *g, uint8_t *chunk,
                       uint32_t hits[2], uint32_t *nhits)
{
    uint64_t end = g->base + g->size;
    for (uint64_t at = g->base; at < end && *nhits < 2;) {
        uint32_t n = end - at < CM_RTT_SCAN_CHUNK ? (uint32_t)(end - at) : CM_RTT_SCAN_CHUNK;
        int rc = cm_rtt_mem_read(r, at, chunk, n);
        if (rc)
            return rc;
        size_t from = 0, off;
        while (*nhits < 2 && find_id(chunk + from, n - from, &off)) {
            hits[(*nhits)++] = (uint32_t)(at + from + off);
            from += off + 1;
        }
        if (at + n >= end)
            break;
        at += n - (CM_RTT_ID_SIZE - 1);
    }
    return 0;
}

int cm_rtt_scan(struct cm_rtt *r, uint32_t *address)
{
    if (r->ram_count == 0)
        return cm_error(r->host, ESPCTL_E_NOT_FOUND,
                        "monitor: the chip declares no RAM region to scan for an RTT control block");
    uint8_t *chunk = malloc(CM_RTT_SCAN_CHUNK);
    if (!chunk)
        return cm_error(r->host, ESPCTL_E_NOMEM, "monitor: out of memory");
    uint32_t hits[2] = {0, 0}, nhits = 0;
    int rc = 0;
    for (uint32_t i = 0; i < r->ram_count && rc == 0 && nhits < 2; i++)
        rc = scan_region(r, &r->ram[i], chunk, hits, &nhits);
    free(chunk);
    if (rc)
        return rc;
    if (nhits == 0)
        return cm_error(r->host, ESPCTL_E_NOT_FOUND,
                        "monitor: no \"SEGGER RTT\" control block in RAM 0x%08llx..0x%08llx",
                        (unsigned long long)r->ram[0].base,
                        (unsigned long long)(r->ram[r->ram_count - 1].base +
                                             r->ram[r->ram_count - 1].size));
    if (nhits > 1)
        return cm_error(r->host, ESPCTL_E_TARGET,
                        "monitor: several RTT control blocks in RAM (at 0x%08x and 0x%08x); give the "
                        "firmware ELF (--elf) so its _SEGGER_RTT symbol picks one",
                        hits[0], hits[1]);
    *address = hits[0];
    return 0;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Read descriptor `index` of direction `dir` ("up"/"down") and check it. */
static int read_ring(struct cm_rtt *r, uint32_t desc, const char *dir, uint32_t channel,
                     struct cm_rtt_ring *ring, int *present)
{
    uint8_t d[CM_RTT_DESC_SIZE];
    int rc = cm_rtt_mem_read(r, desc, d, sizeof d);
    if (rc)
        return rc;
    uint32_t buffer = le32(d + 4), size = le32(d + 8), wr = le32(d + 12), rd = le32(d + 16);
    *present = buffer != 0;
    if (!*present)
        return 0;
    if (size == 0)
        return cm_error(r->host, ESPCTL_E_TARGET,
                        "monitor: corrupt RTT control block at 0x%08x: %s channel %u SizeOfBuffer = 0 "
                        "(descriptor at 0x%08x)", r->block, dir, channel, desc);
    if (!ram_holding(r, buffer, size))
        return cm_error(r->host, ESPCTL_E_TARGET,
                        "monitor: corrupt RTT control block at 0x%08x: %s channel %u buffer "
                        "pBuffer = 0x%08x, SizeOfBuffer = %u lies outside RAM (descriptor at 0x%08x)",
                        r->block, dir, channel, buffer, size, desc);
    if (wr >= size || rd >= size)
        return cm_error(r->host, ESPCTL_E_TARGET,
                        "monitor: corrupt RTT control block at 0x%08x: %s channel %u %s = %u is not "
                        "below SizeOfBuffer = %u", r->block, dir, channel, wr >= size ? "WrOff" : "RdOff",
                        wr >= size ? wr : rd, size);
    *ring = (struct cm_rtt_ring){.desc = desc, .buffer = buffer, .size = size,
                                 .host_off = strcmp(dir, "up") == 0 ? rd : wr};
    return 0;
}

void cm_rtt_fini(struct cm_rtt *r)
{
    free(r->span);
    r->span = NULL;
    r->span_size = 0;
    r->busy = 0;
}

/* Room for reading the up channel's offsets and ring in one request, when the ring
 * follows the offsets closely (the firmware writes data before WrOff, and the probe
 * reads ascending addresses, so such a read never sees WrOff ahead of its data). */
static void plan_span(struct cm_rtt *r)
{
    uint64_t from = (uint64_t)r->up.desc + CM_RTT_DESC_WROFF;
    uint64_t to = (uint64_t)r->up.buffer + r->up.size;
    if (r->up.buffer < from + 8 || r->up.buffer - (from + 8) > CM_RTT_SPAN_MAX_GAP ||
        r->up.size > CM_RTT_SPAN_MAX_RING || !ram_holding(r, from, to - from))
        return;
    r->span = malloc((size_t)(to - from));
    r->span_size = r->span ? (uint32_t)(to - from) : 0;
}

int cm_rtt_attach(struct cm_rtt *r, uint32_t address, uint32_t channel)
{
    static const uint8_t id[CM_RTT_ID_SIZE] = CM_RTT_ID;
    cm_rtt_fini(r);
    r->block = 0;
    if (!ram_holding(r, address, CM_RTT_HEADER_SIZE))
        return cm_error(r->host, ESPCTL_E_TARGET,
                        "monitor: RTT control block address 0x%08x is not in the chip's RAM", address);
    uint8_t h[CM_RTT_HEADER_SIZE];
    int rc = cm_rtt_mem_read(r, address, h, sizeof h);
    if (rc)
        return rc;
    if (memcmp(h, id, CM_RTT_ID_SIZE) != 0)
        return cm_error(r->host, ESPCTL_E_NOT_FOUND,
                        "monitor: no RTT control block at 0x%08x (the \"SEGGER RTT\" id is not there)",
                        address);
    r->block = address;
    uint32_t up = le32(h + 16), down = le32(h + 20);
    if (up > CM_RTT_MAX_CHANNELS || down > CM_RTT_MAX_CHANNELS)
        return cm_error(r->host, ESPCTL_E_TARGET,
                        "monitor: corrupt RTT control block at 0x%08x: %s = %u (at most %u)", address,
                        up > CM_RTT_MAX_CHANNELS ? "MaxNumUpBuffers" : "MaxNumDownBuffers",
                        up > CM_RTT_MAX_CHANNELS ? up : down, CM_RTT_MAX_CHANNELS);
    uint64_t total = CM_RTT_HEADER_SIZE + (uint64_t)(up + down) * CM_RTT_DESC_SIZE;
    if (!ram_holding(r, address, total))
        return cm_error(r->host, ESPCTL_E_TARGET,
                        "monitor: corrupt RTT control block at 0x%08x: MaxNumUpBuffers = %u and "
                        "MaxNumDownBuffers = %u make it run past the end of RAM", address, up, down);
    r->max_up = up;
    r->max_down = down;
    if (channel >= up)
        return cm_error(r->host, ESPCTL_E_INVAL,
                        "monitor: RTT channel %u does not exist (the control block at 0x%08x has %u up "
                        "channel%s)", channel, address, up, up == 1 ? "" : "s");
    int present = 0;
    rc = read_ring(r, address + CM_RTT_HEADER_SIZE + channel * CM_RTT_DESC_SIZE, "up", channel, &r->up,
                   &present);
    if (rc)
        return rc;
    if (!present)
        return cm_error(r->host, ESPCTL_E_INVAL,
                        "monitor: RTT up channel %u is not configured by the firmware (pBuffer = 0)",
                        channel);
    r->has_down = 0;
    if (channel < down) {
        uint32_t desc = address + CM_RTT_HEADER_SIZE + (up + channel) * CM_RTT_DESC_SIZE;
        rc = read_ring(r, desc, "down", channel, &r->down, &r->has_down);
        if (rc)
            return rc;
    }
    r->channel = channel;
    plan_span(r);
    cm_log(r->host, ESPCTL_LOG_DEBUG,
           "RTT control block at 0x%08x: %u up, %u down; up %u: %u bytes at 0x%08x%s", address, up,
           down, channel, r->up.size, r->up.buffer, r->has_down ? "; down channel present" : "");
    return 0;
}
