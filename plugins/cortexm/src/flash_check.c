#include "flash_check.h"

#include "target_mem.h"
#include "util.h"

/* A check costs a handful of register round trips (the H7: seven); a read-back of fewer than
 * this many transfer blocks costs no more, so shorter ranges are left to it. */
#define MIN_BLOCKS 4u

uint32_t fc_unit(const struct fe_target *t)
{
    if (!ESPCTL_HAS_FN(t->family, struct espctl_chip_family, check))
        return 0;
    if (!ESPCTL_HAS(t->geometry, struct espctl_flash_geometry, check_unit))
        return 0;
    return t->geometry->check_unit;
}

int fc_check(const struct fe_target *t, uint64_t address, const uint8_t *expected, uint64_t length,
             void (*matched)(void *ctx, uint64_t lo, uint64_t hi), void *ctx, uint32_t *differs)
{
    const uint32_t unit = fc_unit(t);
    if (length < (uint64_t)MIN_BLOCKS * cm_mem_block(t->link))
        return 0;
    while (length > 0) {
        uint64_t checked = 0;
        int same = 0;
        t->link->at = address;
        int rc = t->family->check(t->flash, address, expected, length, &checked, &same);
        if (rc)
            return rc;
        if (checked == 0)
            return 0;
        if (checked > length || checked % unit)
            return cm_error(t->host, ESPCTL_E_PROTOCOL,
                            "check: family '%s' checked %llu bytes at 0x%08llx of a %llu-byte "
                            "range in %u-byte granules", t->family->name,
                            (unsigned long long)checked, (unsigned long long)address,
                            (unsigned long long)length, unit);
        if (same)
            matched(ctx, address, address + checked);
        else if (differs)
            (*differs)++;
        address += checked;
        expected += checked;
        length -= checked;
    }
    return 0;
}
