/* Fault spec parser. */
#include "sim/fault.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const flash_err_names[] = {
    [SIM_FLASH_ERR_NONE] = "none",       [SIM_FLASH_ERR_PGAERR] = "pgaerr",
    [SIM_FLASH_ERR_WRPERR] = "wrperr",   [SIM_FLASH_ERR_PROGERR] = "progerr",
    [SIM_FLASH_ERR_SIZERR] = "sizerr",   [SIM_FLASH_ERR_PGSERR] = "pgserr",
};

const char *sim_flash_err_name(enum sim_flash_err e)
{
    if ((unsigned)e < sizeof flash_err_names / sizeof flash_err_names[0])
        return flash_err_names[e];
    return "?";
}

/* Parse an unsigned number filling the whole [s, end) range. */
static int parse_u64(const char *s, const char *end, uint64_t max, uint64_t *out)
{
    char buf[32];
    size_t n = (size_t)(end - s);
    if (n == 0 || n >= sizeof buf || *s == '-' || *s == '+')
        return -1;
    memcpy(buf, s, n);
    buf[n] = 0;
    errno = 0;
    char *e;
    unsigned long long v = strtoull(buf, &e, 0);
    if (errno || *e || v > max)
        return -1;
    *out = v;
    return 0;
}

static int parse_item(struct sim_faults *f, const char *item, const char *end)
{
    const char *eq = memchr(item, '=', (size_t)(end - item));
    if (!eq)
        return -1;
    size_t klen = (size_t)(eq - item);
    const char *v = eq + 1;
    const char *at = memchr(v, '@', (size_t)(end - v));
    uint64_t a, b;
#define KEY(k) (klen == strlen(k) && !memcmp(item, k, klen))
    if (KEY("drop-after")) {
        if (parse_u64(v, end, UINT64_MAX, &a) || a == 0)
            return -1;
        f->drop_after = a;
    } else if (KEY("wait")) {
        if (parse_u64(v, at ? at : end, UINT64_MAX, &a))
            return -1;
        b = 0;
        if (at && parse_u64(at + 1, end, UINT64_MAX, &b))
            return -1;
        f->wait_count = a;
        f->wait_after = b;
    } else if (KEY("fault-at")) {
        if (parse_u64(v, end, UINT32_MAX, &a))
            return -1;
        f->fault_at_armed = true;
        f->fault_at = (uint32_t)a;
    } else if (KEY("flash-err")) {
        const char *kend = at ? at : end;
        size_t n = (size_t)(kend - v);
        enum sim_flash_err kind = SIM_FLASH_ERR_NONE;
        for (unsigned i = 1; i < sizeof flash_err_names / sizeof flash_err_names[0]; i++)
            if (strlen(flash_err_names[i]) == n && !memcmp(v, flash_err_names[i], n))
                kind = (enum sim_flash_err)i;
        if (kind == SIM_FLASH_ERR_NONE)
            return -1;
        f->flash_err = kind;
        f->flash_err_at_armed = false;
        if (at) {
            if (parse_u64(at + 1, end, UINT32_MAX, &a))
                return -1;
            f->flash_err_at_armed = true;
            f->flash_err_at = (uint32_t)a;
        }
    } else if (KEY("wrp")) {
        const char *dash = memchr(v, '-', (size_t)(end - v));
        if (!dash || parse_u64(v, dash, UINT32_MAX, &a) || parse_u64(dash + 1, end, UINT32_MAX, &b) ||
            a > b)
            return -1;
        f->wrp_armed = true;
        f->wrp_first = (uint32_t)a;
        f->wrp_last = (uint32_t)b;
    } else {
        return -1;
    }
#undef KEY
    return 0;
}

int sim_faults_parse(struct sim_faults *f, const char *spec, char *err, size_t errlen)
{
    const char *p = spec;
    while (*p) {
        const char *end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        if (parse_item(f, p, end)) {
            snprintf(err, errlen, "bad fault item '%.*s' (expected drop-after=N, wait=N[@K], "
                     "fault-at=ADDR, flash-err=KIND[@ADDR], wrp=FIRST-LAST)", (int)(end - p), p);
            return -1;
        }
        p = *end ? end + 1 : end;
    }
    return 0;
}
