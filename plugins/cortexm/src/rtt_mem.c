#include "rtt_mem.h"

#include "util.h"

#include <stdlib.h>
#include <string.h>

int cm_rtt_mem_read(struct cm_rtt *r, uint64_t address, uint8_t *buf, uint32_t length)
{
    if (length == 0)
        return 0;
    uint64_t start = address & ~(uint64_t)3;
    uint64_t end = (address + length + 3) & ~(uint64_t)3;
    if (start == address && end == address + length)
        return r->mem->read(r->mem->ctx, address, buf, length);
    if (!cm_rtt_in_ram(r, start, end - start))
        return r->mem->read(r->mem->ctx, address, buf, length);
    uint8_t *span = malloc((size_t)(end - start));
    if (!span)
        return cm_error(r->host, ESPCTL_E_NOMEM, "monitor: out of memory");
    int rc = r->mem->read(r->mem->ctx, start, span, (uint32_t)(end - start));
    if (rc == 0)
        memcpy(buf, span + (address - start), length);
    free(span);
    return rc;
}

int cm_rtt_mem_write(struct cm_rtt *r, uint64_t address, const uint8_t *buf, uint32_t length)
{
    while (length) {
        uint32_t n, width;
        if ((address & 3u) == 0 && length >= 4) {
            n = length & ~3u;
            width = 32;
        } else if ((address & 3u) == 0) {
            n = length;
            width = 8;
        } else {
            n = 4u - (uint32_t)(address & 3u);
            n = n < length ? n : length;
            width = 8;
        }
        int rc = r->mem->write(r->mem->ctx, address, buf, n, width);
        if (rc)
            return rc;
        address += n;
        buf += n;
        length -= n;
    }
    return 0;
}

int cm_rtt_read_offsets(struct cm_rtt *r, uint32_t desc, uint32_t *wr, uint32_t *rd)
{
    uint8_t b[8];
    int rc = cm_rtt_mem_read(r, (uint64_t)desc + CM_RTT_DESC_WROFF, b, sizeof b);
    if (rc)
        return rc;
    *wr = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    *rd = (uint32_t)b[4] | (uint32_t)b[5] << 8 | (uint32_t)b[6] << 16 | (uint32_t)b[7] << 24;
    return 0;
}
