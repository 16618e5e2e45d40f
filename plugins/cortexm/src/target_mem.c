#include "target_mem.h"

#include "adiv5.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

uint32_t cm_mem_block(const struct cm_link *link)
{
    uint32_t max = link->max_block & ~3u;
    return max ? max : 1024u;
}

/* Bytes of the next probe call at `address`: up to the next multiple of the block, so
 * aligned calls never straddle the probe's TAR auto-increment blocks. */
static uint32_t next_piece(const struct cm_link *link, uint64_t address, uint32_t length)
{
    uint32_t limit = cm_mem_block(link);
    uint32_t n = limit - (uint32_t)(address % limit);
    return n < length ? n : length;
}

/* A failed transfer: clear sticky errors, then say which stage and address failed. */
static int transfer_failed(struct cm_link *link, int rc, const char *op, uint64_t address)
{
    if (link->quiet)
        return rc;
    adiv5_recover(link);
    const char *stage = link->stage ? link->stage : "access";
    if (link->at != UINT64_MAX && link->at != address)
        return cm_error(link->host, rc, "%s at 0x%08llx: %s of 0x%08llx failed: %s", stage,
                        (unsigned long long)link->at, op, (unsigned long long)address,
                        cm_code_text(rc));
    return cm_error(link->host, rc, "%s: %s at 0x%08llx failed: %s", stage, op,
                    (unsigned long long)address, cm_code_text(rc));
}

static uint32_t width_for(uint64_t address, uint32_t length)
{
    if ((address & 3u) == 0 && (length & 3u) == 0)
        return 32;
    if ((address & 1u) == 0 && (length & 1u) == 0)
        return 16;
    return 8;
}

static int tm_read(void *ctx, uint64_t address, uint8_t *buf, uint32_t length)
{
    struct cm_link *link = ctx;
    uint32_t width = width_for(address, length);
    while (length) {
        uint32_t n = next_piece(link, address, length);
        int rc = link->drv->mem_read(link->probe, link->ap, address, width, buf, n);
        if (rc)
            return transfer_failed(link, rc, "read", address);
        address += n;
        buf += n;
        length -= n;
    }
    return 0;
}

static int tm_write(void *ctx, uint64_t address, const uint8_t *buf, uint32_t length,
                    uint32_t width)
{
    struct cm_link *link = ctx;
    if ((width != 8 && width != 16 && width != 32) || (address | length) & (width / 8 - 1))
        return cm_error(link->host, ESPCTL_E_INVAL, "%s: %u-bit write of %u bytes at 0x%08llx is misaligned",
                        link->stage ? link->stage : "access", width, length,
                        (unsigned long long)address);
    while (length) {
        uint32_t n = next_piece(link, address, length);
        int rc = link->drv->mem_write(link->probe, link->ap, address, width, buf, n);
        if (rc)
            return transfer_failed(link, rc, "write", address);
        address += n;
        buf += n;
        length -= n;
    }
    return 0;
}

static int tm_read32(void *ctx, uint64_t address, uint32_t *value)
{
    uint8_t b[4];
    int rc = tm_read(ctx, address, b, 4);
    if (rc == 0)
        *value = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return rc;
}

static int tm_write32(void *ctx, uint64_t address, uint32_t value)
{
    uint8_t b[4] = {(uint8_t)value, (uint8_t)(value >> 8), (uint8_t)(value >> 16),
                    (uint8_t)(value >> 24)};
    return tm_write(ctx, address, b, 4, 32);
}

void cm_target_mem_init(struct espctl_target_mem *mem, struct cm_link *link)
{
    *mem = (struct espctl_target_mem){
        .hdr = ESPCTL_ABI_HDR(struct espctl_target_mem),
        .ctx = link,
        .read32 = tm_read32,
        .write32 = tm_write32,
        .read = tm_read,
        .write = tm_write,
    };
}

int cm_mem_read_bytes(struct cm_link *link, uint64_t address, uint8_t *buf, uint64_t length)
{
    if (length == 0)
        return 0;
    uint64_t start = address & ~(uint64_t)3;
    uint64_t end = (address + length + 3) & ~(uint64_t)3;
    if (start == address && end == address + length && length <= UINT32_MAX)
        return tm_read(link, address, buf, (uint32_t)length);
    uint32_t limit = cm_mem_block(link);
    uint8_t *tmp = malloc(limit);
    if (!tmp)
        return cm_error(link->host, ESPCTL_E_NOMEM, "read: out of memory");
    int rc = 0;
    for (uint64_t at = start, n = 0; at < end && rc == 0; at += n) {
        n = next_piece(link, at, end - at < limit ? (uint32_t)(end - at) : limit);
        rc = tm_read(link, at, tmp, (uint32_t)n);
        if (rc)
            break;
        uint64_t lo = at > address ? at : address;
        uint64_t hi = at + n < address + length ? at + n : address + length;
        memcpy(buf + (lo - address), tmp + (lo - at), (size_t)(hi - lo));
    }
    free(tmp);
    return rc;
}
