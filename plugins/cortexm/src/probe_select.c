#include "probe_select.h"

#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CANDIDATES 32

struct candidate {
    const struct espctl_probe_driver *driver;
    char selector[ESPCTL_PATH_SIZE];
    char serial[ESPCTL_NAME_SIZE];
    char product[ESPCTL_NAME_SIZE];
    uint32_t flags;
};

struct scan {
    const struct espctl_probe_driver *driver;
    struct candidate *list;
    size_t count;
};

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

static int found(void *user, const struct espctl_probe_info *info)
{
    struct scan *s = user;
    if (s->count >= MAX_CANDIDATES || !info || !info->selector)
        return 0;
    struct candidate *c = &s->list[s->count++];
    c->driver = s->driver;
    copy(c->selector, sizeof c->selector, info->selector);
    copy(c->serial, sizeof c->serial, info->serial);
    copy(c->product, sizeof c->product, info->product);
    c->flags = info->flags;
    return 0;
}

static uint32_t driver_count(const struct espctl_host *h)
{
    return ESPCTL_HAS_FN(h, struct espctl_host, probe_driver_count) ? h->probe_driver_count(h) : 0;
}

static const struct espctl_probe_driver *driver_at(const struct espctl_host *h, uint32_t i)
{
    const struct espctl_probe_driver *d = h->probe_driver_at(h, i);
    return ESPCTL_HAS_FN(d, struct espctl_probe_driver, open) ? d : NULL;
}

/* Every probe every driver sees (a failing driver is logged and skipped). */
static size_t enumerate_all(const struct espctl_host *h, struct candidate *list)
{
    struct scan s = {.list = list};
    for (uint32_t i = 0; i < driver_count(h); i++) {
        const struct espctl_probe_driver *d = driver_at(h, i);
        if (!d || !d->enumerate)
            continue;
        s.driver = d;
        int rc = d->enumerate(d->driver_data, found, &s);
        if (rc)
            cm_log(h, ESPCTL_LOG_WARN, "probe driver '%s' failed to enumerate (%d)", d->name, rc);
    }
    return s.count;
}

static void describe(const struct candidate *list, size_t n, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && used < cap; i++) {
        int w = snprintf(out + used, cap - used, "%s%s (%s%s%s)", i ? ", " : "", list[i].selector,
                         list[i].driver->name, list[i].product[0] ? ", " : "", list[i].product);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

static int parse_usb_id(const char *s, uint16_t *vid, uint16_t *pid)
{
    unsigned v, p;
    int consumed = 0;
    if (sscanf(s, "%4x:%4x%n", &v, &p, &consumed) != 2 || consumed != 9 || s[4] != ':' ||
        (s[9] != '\0' && s[9] != ':'))
        return -1;
    *vid = (uint16_t)v;
    *pid = (uint16_t)p;
    return 0;
}

static const struct espctl_probe_driver *by_prefix(const struct espctl_host *h, const char *sel)
{
    for (uint32_t i = 0; i < driver_count(h); i++) {
        const struct espctl_probe_driver *d = driver_at(h, i);
        for (const char *const *p = d ? d->selector_prefixes : NULL; p && *p; p++)
            if (**p && strncmp(sel, *p, strlen(*p)) == 0)
                return d;
    }
    return NULL;
}

static const struct espctl_probe_driver *by_usb_id(const struct espctl_host *h, uint16_t vid,
                                                   uint16_t pid)
{
    for (uint32_t i = 0; i < driver_count(h); i++) {
        const struct espctl_probe_driver *d = driver_at(h, i);
        for (uint32_t k = 0; d && d->usb_ids && k < d->usb_id_count; k++)
            if (d->usb_ids[k].vid == vid && d->usb_ids[k].pid == pid &&
                !(d->usb_ids[k].flags & ESPCTL_USB_ID_SERIAL))
                return d;
    }
    return NULL;
}

static int choose(const struct espctl_host *h, const struct candidate *c,
                  const struct espctl_probe_driver **driver, char *chosen, size_t cap)
{
    if (c->flags & ESPCTL_PROBE_INACCESSIBLE)
        return cm_error(h, ESPCTL_E_ACCESS,
                        "connect: probe %s (%s) is not accessible; run `espctl provision-host` "
                        "to install udev rules", c->selector, c->driver->name);
    *driver = c->driver;
    copy(chosen, cap, c->selector);
    return 0;
}

int cm_probe_select(const struct espctl_host *h, const char *sel,
                    const struct espctl_probe_driver **driver, char *chosen, size_t cap)
{
    if (sel && *sel && strcmp(sel, "auto") != 0) {
        uint16_t vid, pid;
        const struct espctl_probe_driver *d = by_prefix(h, sel);
        if (!d && parse_usb_id(sel, &vid, &pid) == 0) {
            d = by_usb_id(h, vid, pid);
            if (!d)
                return cm_error(h, ESPCTL_E_NOT_FOUND,
                                "connect: no loaded probe driver handles USB id %04x:%04x", vid, pid);
        }
        if (d) {
            *driver = d;
            copy(chosen, cap, sel);
            return 0;
        }
    }
    struct candidate *list = calloc(MAX_CANDIDATES, sizeof *list);
    if (!list)
        return cm_error(h, ESPCTL_E_NOMEM, "connect: out of memory");
    size_t n = enumerate_all(h, list);
    int rc;
    char names[1024];
    describe(list, n, names, sizeof names);
    if (sel && *sel && strcmp(sel, "auto") != 0) {
        rc = cm_error(h, ESPCTL_E_NOT_FOUND, "connect: no probe matches '%s' (attached: %s)", sel,
                      n ? names : "none");
        for (size_t i = 0; i < n; i++)
            if (!strcmp(list[i].selector, sel) || (list[i].serial[0] && !strcmp(list[i].serial, sel))) {
                rc = choose(h, &list[i], driver, chosen, cap);
                break;
            }
    } else if (n == 0) {
        rc = cm_error(h, ESPCTL_E_NOT_FOUND,
                      "connect: no debug probe found; plug one in (see `espctl probes list`) or "
                      "name one with --probe, e.g. stlink-tcp:127.0.0.1:7184");
    } else if (n > 1) {
        rc = cm_error(h, ESPCTL_E_INVAL, "connect: %zu probes attached, pick one with --probe: %s", n,
                      names);
    } else {
        rc = choose(h, &list[0], driver, chosen, cap);
    }
    free(list);
    return rc;
}
