#include "flash_engine.h"

#include "flash_check.h"
#include "target_mem.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Transfer blocks per program run (one status check each): 32 KiB with the ST-Link's 4 KiB
 * block, a few tenths of a second of programming between progress events. */
#define RUN_BLOCKS 8u

/* Compare probes stop after this many probes in a row that prove nothing (an unchanged or
 * blank chip costs that many single-word reads). */
#define PROBE_MISSES 2

struct sector {
    uint64_t start;
    uint64_t size;
    int erase;   /* must be erased before programming */
    int changed; /* erased or programmed: its written bytes are verified */
};

/* Per-byte marks, indexed from the flash base. */
enum {
    MARK_IMAGE = 1u << 0, /* the image sets this byte */
    MARK_READ = 1u << 1,  /* to be read in the current pass */
    MARK_KNOWN = 1u << 2, /* cur holds what the target holds here */
    MARK_CHECK = 1u << 3, /* verify reads this byte back */
};

struct plan {
    const struct fe_target *t;
    uint64_t base;
    struct sector *sectors;
    size_t count;
    uint32_t unit;  /* write unit */
    uint8_t *cur;   /* what the target holds, where MARK_KNOWN; else equal to want */
    uint8_t *want;  /* what it must hold */
    uint8_t *marks;
};

static void stage_begin(const struct fe_target *t, const char *stage, uint64_t total)
{
    t->link->stage = stage;
    t->link->at = UINT64_MAX;
    cm_emit(t->host, ESPCTL_EVENT_STAGE_BEGIN, stage, 0, 0, total, ESPCTL_NO_ADDRESS, NULL);
}

static void progress(const struct fe_target *t, const char *stage, uint64_t done, uint64_t total,
                     uint64_t address)
{
    cm_emit(t->host, ESPCTL_EVENT_PROGRESS, stage, 0, done, total, address, NULL);
}

static int stage_end(const struct fe_target *t, const char *stage, int rc, uint64_t address)
{
    t->link->at = UINT64_MAX;
    cm_emit(t->host, ESPCTL_EVENT_STAGE_END, stage, rc, 0, 0, rc ? address : ESPCTL_NO_ADDRESS,
            NULL);
    return rc;
}

static int check_cancel(const struct fe_target *t, const char *stage, uint64_t address)
{
    if (!cm_cancelled(t->host))
        return 0;
    return cm_error(t->host, ESPCTL_E_CANCELLED, "%s: cancelled at 0x%08llx", stage,
                    (unsigned long long)address);
}

static int by_start(const void *a, const void *b)
{
    const struct sector *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Check the segments lie in flash without overlapping, mark their bytes MARK_IMAGE and
 * copy them into want. */
static int place_segments(struct plan *p, const struct espctl_flash_image *img)
{
    const struct fe_target *t = p->t;
    const struct espctl_flash_geometry *g = t->geometry;
    for (uint32_t i = 0; i < img->segment_count; i++) {
        const struct espctl_segment *s = &img->segments[i];
        if (s->size == 0)
            continue;
        if (!s->data || s->address < g->base || s->size > g->size ||
            s->address - g->base > g->size - s->size)
            return cm_error(t->host, ESPCTL_E_INVAL,
                            "layout: segment %u at 0x%08llx (%llu bytes) lies outside flash "
                            "0x%08llx..0x%08llx", i, (unsigned long long)s->address,
                            (unsigned long long)s->size, (unsigned long long)g->base,
                            (unsigned long long)(g->base + g->size));
        uint8_t *m = p->marks + (s->address - g->base);
        for (uint64_t k = 0; k < s->size; k++) {
            if (m[k] & MARK_IMAGE)
                return cm_error(t->host, ESPCTL_E_INVAL,
                                "layout: segment %u overlaps another at 0x%08llx", i,
                                (unsigned long long)(s->address + k));
            m[k] |= MARK_IMAGE;
        }
        memcpy(p->want + (s->address - g->base), s->data, (size_t)s->size);
    }
    return 0;
}

/* Collect the sectors the segments touch, sorted and without duplicates. */
static int collect_sectors(struct plan *p, const struct espctl_flash_image *img)
{
    const struct fe_target *t = p->t;
    size_t cap = 0;
    for (uint32_t i = 0; i < img->segment_count; i++) {
        const struct espctl_segment *s = &img->segments[i];
        uint64_t addr = s->address, end = s->address + s->size;
        while (addr < end) {
            uint64_t start, size;
            int rc = t->family->sector_at(t->flash, addr, &start, &size);
            if (rc)
                return rc;
            if (size == 0 || start > addr)
                return cm_error(t->host, ESPCTL_E_PROTOCOL,
                                "layout: family '%s' reports a bad sector for 0x%08llx",
                                t->family->name, (unsigned long long)addr);
            if (p->count == cap) {
                cap = cap ? cap * 2 : 16;
                struct sector *grown = realloc(p->sectors, cap * sizeof *grown);
                if (!grown)
                    return cm_error(t->host, ESPCTL_E_NOMEM, "layout: out of memory");
                p->sectors = grown;
            }
            p->sectors[p->count++] = (struct sector){.start = start, .size = size};
            addr = start + size;
        }
    }
    qsort(p->sectors, p->count, sizeof *p->sectors, by_start);
    size_t out = 0;
    for (size_t i = 0; i < p->count; i++)
        if (out == 0 || p->sectors[out - 1].start != p->sectors[i].start)
            p->sectors[out++] = p->sectors[i];
    p->count = out;
    return 0;
}

static uint64_t off(const struct plan *p, uint64_t address)
{
    return address - p->base;
}

static int all_erased(const uint8_t *b, uint32_t n, uint8_t erased)
{
    for (uint32_t i = 0; i < n; i++)
        if (b[i] != erased)
            return 0;
    return 1;
}

static int any_marked(const uint8_t *m, uint64_t n, uint8_t mark)
{
    for (uint64_t i = 0; i < n; i++)
        if (m[i] & mark)
            return 1;
    return 0;
}

/* Set `mark` on every byte of each write unit in [start, start+size) for which `pick`
 * holds. */
static void mark_units(struct plan *p, uint64_t start, uint64_t size, uint8_t mark,
                       int (*pick)(const struct plan *, uint64_t, uint32_t))
{
    for (uint64_t u = 0; u < size; u += p->unit) {
        uint64_t o = off(p, start + u);
        uint32_t n = size - u < p->unit ? (uint32_t)(size - u) : p->unit;
        if (pick(p, o, n))
            for (uint32_t k = 0; k < n; k++)
                p->marks[o + k] |= mark;
    }
}

static int unit_in_image(const struct plan *p, uint64_t o, uint32_t n)
{
    return any_marked(p->marks + o, n, MARK_IMAGE);
}

/* A unit holding bytes outside the image that were not read: an erase must write them back. */
static int unit_keeps_unknown(const struct plan *p, uint64_t o, uint32_t n)
{
    for (uint32_t k = 0; k < n; k++)
        if (!(p->marks[o + k] & (MARK_KNOWN | MARK_IMAGE)))
            return 1;
    return 0;
}

static void clear_mark(struct plan *p, uint8_t mark)
{
    for (size_t i = 0; i < p->count; i++) {
        uint8_t *m = p->marks + off(p, p->sectors[i].start);
        for (uint64_t k = 0; k < p->sectors[i].size; k++)
            m[k] &= (uint8_t)~mark;
    }
}

/* Last index of the run of address-contiguous sectors starting at i. */
static size_t span_end(const struct plan *p, size_t i)
{
    while (i + 1 < p->count && p->sectors[i].start + p->sectors[i].size == p->sectors[i + 1].start)
        i++;
    return i;
}

/* The piece [*lo, *hi) of the transfer block at `at` (not past `end`) from its first to its
 * last byte carrying `mark`: one probe transfer reads it. 0 when no byte carries it. */
static int marked_piece(const struct plan *p, uint64_t at, uint64_t end, uint8_t mark, uint64_t *lo,
                        uint64_t *hi)
{
    const uint64_t block = cm_mem_block(p->t->link);
    uint64_t stop = at + (block - at % block);
    if (stop > end)
        stop = end;
    uint64_t a = at, b = stop;
    while (a < b && !(p->marks[off(p, a)] & mark))
        a++;
    while (b > a && !(p->marks[off(p, b - 1)] & mark))
        b--;
    *lo = a;
    *hi = b;
    return a < b;
}

/* Call visit() for each transfer piece covering the bytes carrying `mark`, in address
 * order and within runs of contiguous touched sectors; stops at the first error. */
static int for_marked_pieces(struct plan *p, uint8_t mark,
                             int (*visit)(struct plan *, uint64_t, uint64_t, void *), void *ctx)
{
    const uint64_t block = cm_mem_block(p->t->link);
    for (size_t i = 0; i < p->count;) {
        size_t last = span_end(p, i);
        uint64_t end = p->sectors[last].start + p->sectors[last].size;
        for (uint64_t at = p->sectors[i].start; at < end; at += block - at % block) {
            uint64_t lo, hi;
            if (!marked_piece(p, at, end, mark, &lo, &hi))
                continue;
            int rc = visit(p, lo, hi, ctx);
            if (rc)
                return rc;
        }
        i = last + 1;
    }
    return 0;
}

static int add_length(struct plan *p, uint64_t lo, uint64_t hi, void *ctx)
{
    (void)p;
    *(uint64_t *)ctx += hi - lo;
    return 0;
}

static uint64_t marked_bytes(struct plan *p, uint8_t mark)
{
    uint64_t n = 0;
    (void)for_marked_pieces(p, mark, add_length, &n);
    return n;
}

struct read_pass {
    const char *stage;
    uint64_t done, total, failed;
};

/* Read one piece into cur; bytes the image does not set must keep what the target
 * holds, so want follows cur there. */
static int read_piece(struct plan *p, uint64_t lo, uint64_t hi, void *ctx)
{
    struct read_pass *r = ctx;
    const struct fe_target *t = p->t;
    r->failed = lo;
    int rc = check_cancel(t, r->stage, lo);
    if (rc == 0)
        rc = cm_mem_read_bytes(t->link, lo, p->cur + off(p, lo), hi - lo);
    if (rc)
        return rc;
    for (uint64_t o = off(p, lo); o < off(p, hi); o++) {
        p->marks[o] |= MARK_KNOWN;
        if (!(p->marks[o] & MARK_IMAGE))
            p->want[o] = p->cur[o];
    }
    r->done += hi - lo;
    progress(t, r->stage, r->done, r->total, lo);
    return 0;
}

/* Index of the sector holding `address`, or p->count when none does. */
static size_t sector_index(const struct plan *p, uint64_t address)
{
    size_t lo = 0, hi = p->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->sectors[mid].start + p->sectors[mid].size <= address)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < p->count && p->sectors[lo].start <= address ? lo : p->count;
}

/* Mark the sectors that bytes just read in [lo, hi) prove must be erased: a byte that
 * differs from the image and is not erased lies in a unit that differs and is not blank. */
static void note_erases(struct plan *p, uint64_t lo, uint64_t hi)
{
    const uint8_t erased = (uint8_t)p->t->geometry->erased_value;
    for (size_t i = sector_index(p, lo); i < p->count && p->sectors[i].start < hi; i++) {
        struct sector *s = &p->sectors[i];
        uint64_t a = lo > s->start ? lo : s->start;
        uint64_t end = s->start + s->size < hi ? s->start + s->size : hi;
        for (; a < end && !s->erase; a++) {
            uint64_t o = off(p, a);
            if (p->cur[o] != p->want[o] && p->cur[o] != erased)
                s->erase = 1;
        }
    }
}

/* Compare one piece, leaving out the head that lies in sectors already known to need an
 * erase: their image bytes will be erased and programmed whatever they hold now. */
static int compare_piece(struct plan *p, uint64_t lo, uint64_t hi, void *ctx)
{
    struct read_pass *r = ctx;
    uint64_t start = lo;
    for (size_t i = sector_index(p, lo); i < p->count && p->sectors[i].erase && lo < hi; i++)
        lo = p->sectors[i].start + p->sectors[i].size;
    while (lo < hi && !(p->marks[off(p, lo)] & MARK_READ))
        lo++;
    r->total -= (lo < hi ? lo : hi) - start;
    if (lo >= hi)
        return 0;
    int rc = read_piece(p, lo, hi, ctx);
    if (rc == 0)
        note_erases(p, lo, hi);
    return rc;
}

/* The image word the compare probes in sector s: the middle one of the sector's image
 * bytes, or the first whole word there; 0 when the sector holds no whole image word. */
static int probe_word(const struct plan *p, const struct sector *s, uint64_t *word)
{
    uint64_t first = UINT64_MAX, last = 0;
    for (uint64_t a = s->start; a < s->start + s->size; a++)
        if (p->marks[off(p, a)] & MARK_IMAGE) {
            if (first == UINT64_MAX)
                first = a;
            last = a;
        }
    if (first == UINT64_MAX)
        return 0;
    uint64_t candidates[2] = {(first + (last - first) / 2) & ~(uint64_t)3, (first + 3) & ~(uint64_t)3};
    for (int c = 0; c < 2; c++) {
        uint64_t w = candidates[c];
        if (w < first || w + 4 > last + 1)
            continue;
        int whole = 1;
        for (uint64_t a = w; a < w + 4; a++)
            whole &= (p->marks[off(p, a)] & MARK_IMAGE) != 0;
        if (whole) {
            *word = w;
            return 1;
        }
    }
    return 0;
}

/* Before the block reads, read one image word per sector (one probe round trip): a word
 * that differs from the image and is not erased proves the sector must be erased, so the
 * block reads skip it. Over other contents that replaces a read of every sector. */
static int probe_sectors(struct plan *p, struct read_pass *r)
{
    const struct fe_target *t = p->t;
    int misses = 0;
    for (size_t i = 0; i < p->count && misses < PROBE_MISSES; i++) {
        struct sector *s = &p->sectors[i];
        uint64_t w;
        if (s->erase || !probe_word(p, s, &w))
            continue;
        r->failed = w;
        int rc = check_cancel(t, r->stage, w);
        if (rc == 0)
            rc = cm_mem_read_bytes(t->link, w, p->cur + off(p, w), 4);
        if (rc)
            return rc;
        for (uint64_t o = off(p, w); o < off(p, w) + 4; o++)
            p->marks[o] |= MARK_KNOWN;
        note_erases(p, w, w + 4);
        misses = s->erase ? 0 : misses + 1;
    }
    return 0;
}

/* What check_sectors asks the target a sector holds. */
enum holds { HOLDS_IMAGE, HOLDS_BLANK };

struct sector_check {
    struct plan *p;
    struct read_pass *r;
    enum holds holds;
};

/* The target confirmed [lo, hi) holds what was asked: that is now known without reading it. */
static void sector_confirmed(void *ctx, uint64_t lo, uint64_t hi)
{
    struct sector_check *c = ctx;
    struct plan *p = c->p;
    const uint8_t erased = (uint8_t)p->t->geometry->erased_value;
    uint64_t cleared = 0;
    for (uint64_t o = off(p, lo); o < off(p, hi); o++) {
        p->cur[o] = c->holds == HOLDS_IMAGE ? p->want[o] : erased;
        if (!(p->marks[o] & MARK_IMAGE))
            p->want[o] = p->cur[o];
        cleared += (p->marks[o] & MARK_READ) != 0;
        p->marks[o] = (uint8_t)((p->marks[o] | MARK_KNOWN) & ~MARK_READ);
    }
    c->r->done += cleared;
    progress(p->t, c->r->stage, c->r->done, c->r->total, lo);
}

/* The whole check granules around the bytes of sector s still to be read: 0 when none. */
static int sector_span(const struct plan *p, const struct sector *s, uint32_t unit, uint64_t *lo,
                       uint64_t *hi)
{
    uint64_t a = s->start, b = s->start + s->size;
    while (a < b && !(p->marks[off(p, a)] & MARK_READ))
        a++;
    while (b > a && !(p->marks[off(p, b - 1)] & MARK_READ))
        b--;
    if (a == b)
        return 0;
    a -= off(p, a) % unit;
    b += (unit - off(p, b) % unit) % unit;
    if (a < s->start || b > s->start + s->size)
        return 0;
    *lo = a;
    *hi = b;
    return 1;
}

/* Where the target can check flash itself, ask it whether each sector the probes did not prove
 * must be erased already holds the image, or is blank: the sector's probe word says which to
 * ask, or else what the sector before held. A confirmed sector needs no block reads; one that
 * differs is read as before. */
static int check_sectors(struct plan *p, struct read_pass *r)
{
    const struct fe_target *t = p->t;
    const uint32_t unit = fc_unit(t);
    if (!unit)
        return 0;
    uint64_t largest = 0;
    for (size_t i = 0; i < p->count; i++)
        largest = p->sectors[i].size > largest ? p->sectors[i].size : largest;
    uint8_t *blank = malloc((size_t)largest);
    if (!blank)
        return cm_error(t->host, ESPCTL_E_NOMEM, "compare: out of memory");
    memset(blank, (int)t->geometry->erased_value, (size_t)largest);
    struct sector_check c = {.p = p, .r = r, .holds = HOLDS_IMAGE};
    int rc = 0;
    for (size_t i = 0; i < p->count && rc == 0; i++) {
        const struct sector *s = &p->sectors[i];
        uint64_t lo, hi, w;
        if (s->erase || !sector_span(p, s, unit, &lo, &hi))
            continue;
        if (probe_word(p, s, &w) && (p->marks[off(p, w)] & MARK_KNOWN))
            c.holds = memcmp(p->cur + off(p, w), p->want + off(p, w), 4) == 0 ? HOLDS_IMAGE
                                                                                : HOLDS_BLANK;
        r->failed = lo;
        rc = fc_check(t, lo, c.holds == HOLDS_IMAGE ? p->want + off(p, lo) : blank, hi - lo,
                      sector_confirmed, &c, NULL);
    }
    free(blank);
    return rc;
}

/* Decide what sector s needs from the units read so far: units the compare left unread
 * lie in sectors it had already found must be erased, and bytes outside the image that
 * were never read hold the same value in cur and want, so they never count as changed. */
static void decide(struct plan *p, struct sector *s, uint32_t flags, struct fe_stats *st)
{
    const uint8_t erased = (uint8_t)p->t->geometry->erased_value;
    const uint8_t *cur = p->cur + off(p, s->start), *want = p->want + off(p, s->start);
    if (!(flags & ESPCTL_FLASH_NO_SKIP) && memcmp(cur, want, s->size) == 0) {
        st->skipped++;
        return;
    }
    s->changed = 1;
    s->erase = (flags & ESPCTL_FLASH_NO_SKIP) != 0;
    for (uint64_t u = 0; u < s->size && !s->erase; u += p->unit)
        if (memcmp(cur + u, want + u, p->unit) != 0 && !all_erased(cur + u, p->unit, erased))
            s->erase = 1;
}

/* Probe each sector, let the target check the rest where it can, then read the image's write
 * units left and decide what each sector needs, reading no further in a sector once one byte
 * shows it must be erased; then read the bytes outside the image in the sectors that must be
 * erased, so they can be written back. */
static int compare(struct plan *p, uint32_t flags, struct fe_stats *st)
{
    const struct fe_target *t = p->t;
    for (size_t i = 0; i < p->count; i++) {
        mark_units(p, p->sectors[i].start, p->sectors[i].size, MARK_READ, unit_in_image);
        p->sectors[i].erase = (flags & ESPCTL_FLASH_NO_SKIP) != 0;
    }
    struct read_pass r = {.stage = "compare", .total = marked_bytes(p, MARK_READ)};
    stage_begin(t, "compare", r.total);
    int rc = probe_sectors(p, &r);
    if (rc == 0)
        rc = check_sectors(p, &r);
    if (rc == 0)
        rc = for_marked_pieces(p, MARK_READ, compare_piece, &r);
    if (rc)
        return stage_end(t, "compare", rc, r.failed);
    clear_mark(p, MARK_READ);
    for (size_t i = 0; i < p->count; i++) {
        decide(p, &p->sectors[i], flags, st);
        if (p->sectors[i].erase)
            mark_units(p, p->sectors[i].start, p->sectors[i].size, MARK_READ, unit_keeps_unknown);
    }
    r.total += marked_bytes(p, MARK_READ);
    rc = for_marked_pieces(p, MARK_READ, read_piece, &r);
    if (rc)
        return stage_end(t, "compare", rc, r.failed);
    clear_mark(p, MARK_READ);
    /* verify covers the image's units in every sector that changes */
    for (size_t i = 0; i < p->count; i++)
        if (p->sectors[i].changed)
            mark_units(p, p->sectors[i].start, p->sectors[i].size, MARK_CHECK, unit_in_image);
    return stage_end(t, "compare", 0, 0);
}

static int erase_phase(struct plan *p, struct fe_stats *st)
{
    const struct fe_target *t = p->t;
    uint64_t total = 0, done = 0;
    for (size_t i = 0; i < p->count; i++)
        total += p->sectors[i].erase ? p->sectors[i].size : 0;
    stage_begin(t, "erase", total);
    for (size_t i = 0; i < p->count; i++) {
        struct sector *s = &p->sectors[i];
        if (!s->erase)
            continue;
        t->link->at = s->start;
        int rc = check_cancel(t, "erase", s->start);
        if (rc == 0)
            rc = t->family->erase_sector(t->flash, s->start);
        if (rc)
            return stage_end(t, "erase", rc, s->start);
        memset(p->cur + off(p, s->start), (int)t->geometry->erased_value, s->size);
        for (uint64_t k = 0; k < s->size; k++)
            p->marks[off(p, s->start) + k] |= MARK_KNOWN;
        st->erased++;
        done += s->size;
        progress(t, "erase", done, total, s->start);
    }
    return stage_end(t, "erase", 0, 0);
}

/* Bytes still to program in sector s (units where target and image differ). */
static uint64_t pending(const struct plan *p, const struct sector *s)
{
    uint64_t n = 0;
    const uint8_t *cur = p->cur + off(p, s->start), *want = p->want + off(p, s->start);
    for (uint64_t u = 0; u < s->size; u += p->unit)
        if (memcmp(cur + u, want + u, p->unit))
            n += p->unit;
    return n;
}

/* Program one run of differing units; a failure names the run or the address inside it
 * that the family reports. What was written is marked for verification. */
static int program_run(struct plan *p, uint64_t address, uint64_t length, uint64_t *done,
                       uint64_t total, struct fe_stats *st)
{
    const struct fe_target *t = p->t;
    t->link->at = address;
    int rc = check_cancel(t, "program", address);
    if (rc == 0)
        rc = t->family->program(t->flash, address, p->want + off(p, address), length);
    if (rc)
        return stage_end(t, "program", rc, address);
    memcpy(p->cur + off(p, address), p->want + off(p, address), length);
    for (uint64_t k = 0; k < length; k++)
        p->marks[off(p, address) + k] |= MARK_CHECK | MARK_KNOWN;
    *done += length;
    st->programmed += length;
    progress(t, "program", *done, total, address);
    return 0;
}

static int program_phase(struct plan *p, struct fe_stats *st)
{
    const struct fe_target *t = p->t;
    const uint32_t unit = p->unit;
    /* A run is every consecutive differing unit, across adjacent changed sectors: one
     * family call and one status check. Runs end at the end of their RUN_BLOCKS-th
     * transfer block so progress keeps moving and no run ends in a short transfer; the
     * transfers inside are split at the probe's block. */
    const uint64_t block = cm_mem_block(t->link);
    const uint64_t run_max = block * RUN_BLOCKS;
    uint64_t total = 0, done = 0;
    for (size_t i = 0; i < p->count; i++)
        total += p->sectors[i].changed ? pending(p, &p->sectors[i]) : 0;
    stage_begin(t, "program", total);
    uint64_t run = 0, run_len = 0;
    for (size_t i = 0; i < p->count; i++) {
        const struct sector *s = &p->sectors[i];
        if (!s->changed)
            continue;
        for (uint64_t u = 0; u < s->size; u += unit) {
            uint64_t addr = s->start + u;
            int differs = memcmp(p->cur + off(p, addr), p->want + off(p, addr), unit) != 0;
            if (run_len && (!differs || run + run_len != addr ||
                            addr + unit - (run - run % block) > run_max)) {
                int rc = program_run(p, run, run_len, &done, total, st);
                if (rc)
                    return rc;
                run_len = 0;
            }
            if (!differs)
                continue;
            if (run_len == 0)
                run = addr;
            run_len += unit;
        }
    }
    if (run_len) {
        int rc = program_run(p, run, run_len, &done, total, st);
        if (rc)
            return rc;
    }
    return stage_end(t, "program", 0, 0);
}

static int mismatch(const struct fe_target *t, uint64_t address, uint8_t got, uint8_t expected)
{
    return cm_error(t->host, ESPCTL_E_VERIFY,
                    "verify: mismatch at 0x%08llx: read 0x%02x, expected 0x%02x",
                    (unsigned long long)address, got, expected);
}

struct verify_pass {
    uint8_t *back;
    uint64_t done, total, where;
    uint32_t differs; /* ranges the target's own check found different */
    struct fe_stats *st;
};

/* Read one piece back and compare the bytes marked for checking (others in the piece may
 * be bytes the engine never read, so they have nothing to be compared with). */
static int verify_piece(struct plan *p, uint64_t lo, uint64_t hi, void *ctx)
{
    struct verify_pass *v = ctx;
    const struct fe_target *t = p->t;
    v->where = lo;
    int rc = check_cancel(t, "verify", lo);
    if (rc == 0)
        rc = cm_mem_read_bytes(t->link, lo, v->back, hi - lo);
    if (rc)
        return rc;
    for (uint64_t a = lo; a < hi; a++) {
        uint64_t o = off(p, a);
        if ((p->marks[o] & MARK_CHECK) && v->back[a - lo] != p->want[o]) {
            v->where = a;
            return mismatch(t, a, v->back[a - lo], p->want[o]);
        }
    }
    v->done += hi - lo;
    v->st->verified += hi - lo;
    progress(t, "verify", v->done, v->total, lo);
    return 0;
}

/* After a read-back that matched where the target's own check had found differences. */
static void warn_overruled(const struct fe_target *t, uint32_t differs)
{
    if (differs)
        cm_log(t->host, ESPCTL_LOG_WARN,
               "verify: the target's own check (family '%s') disagreed in %u range%s that read "
               "back correctly", t->family->name, differs, differs == 1 ? "" : "s");
}

static void checked_on_target(void *ctx, uint64_t lo, uint64_t hi)
{
    struct plan *p = ctx;
    for (uint64_t a = lo; a < hi; a++)
        p->marks[off(p, a)] &= (uint8_t)~MARK_CHECK;
}

/* A check granule the target can confirm: it holds bytes to verify, and the engine knows
 * what the target must hold in every byte of it (bytes never read are unknown). */
static int checkable(const struct plan *p, uint64_t g, uint32_t unit)
{
    const uint8_t *m = p->marks + off(p, g);
    int wanted = 0;
    for (uint32_t k = 0; k < unit; k++) {
        if (!(m[k] & MARK_KNOWN))
            return 0;
        wanted |= m[k] & MARK_CHECK;
    }
    return wanted != 0;
}

/* Let the target confirm every run of checkable granules in the touched sectors; what it
 * confirms needs no read-back. Returns 0 or the error of a check that failed to run. */
static int verify_on_target(struct plan *p, struct verify_pass *v)
{
    const struct fe_target *t = p->t;
    const uint32_t unit = fc_unit(t);
    const uint64_t flash_end = p->base + t->geometry->size;
    for (size_t i = 0; unit && i < p->count;) {
        size_t last = span_end(p, i);
        uint64_t end = p->sectors[last].start + p->sectors[last].size;
        uint64_t g = p->sectors[i].start - (p->sectors[i].start - p->base) % unit;
        for (uint64_t run = g; g <= end; g += unit) {
            int ok = g >= p->sectors[i].start && g + unit <= end && g + unit <= flash_end &&
                     checkable(p, g, unit);
            if (ok)
                continue;
            if (g > run) {
                v->where = run;
                int rc = fc_check(t, run, p->want + off(p, run), g - run, checked_on_target, p,
                                  &v->differs);
                if (rc)
                    return rc;
            }
            run = g + unit;
        }
        i = last + 1;
    }
    return 0;
}

/* Verify what this run wrote: the image's units in changed sectors and every unit
 * programmed (which includes bytes written back after an erase). The target checks what it
 * can itself; the rest is read back, and a mismatch names its byte. */
static int verify_phase(struct plan *p, struct fe_stats *st)
{
    const struct fe_target *t = p->t;
    struct verify_pass v = {.total = marked_bytes(p, MARK_CHECK), .st = st};
    stage_begin(t, "verify", v.total);
    int rc = verify_on_target(p, &v);
    if (rc)
        return stage_end(t, "verify", rc, v.where);
    uint64_t left = marked_bytes(p, MARK_CHECK);
    v.done = v.total - left;
    st->on_target = v.done;
    st->verified += v.done;
    if (v.done)
        progress(t, "verify", v.done, v.total, ESPCTL_NO_ADDRESS);
    if (left == 0)
        return stage_end(t, "verify", 0, 0);
    v.back = malloc(cm_mem_block(t->link));
    if (!v.back)
        return stage_end(t, "verify", cm_error(t->host, ESPCTL_E_NOMEM, "verify: out of memory"), 0);
    rc = for_marked_pieces(p, MARK_CHECK, verify_piece, &v);
    free(v.back);
    if (rc == 0)
        warn_overruled(t, v.differs);
    return stage_end(t, "verify", rc, v.where);
}

static int first_difference(const uint8_t *a, const uint8_t *b, uint64_t n, uint64_t *at)
{
    for (uint64_t i = 0; i < n; i++)
        if (a[i] != b[i]) {
            *at = i;
            return 1;
        }
    return 0;
}

static int commit(const struct fe_target *t)
{
    return t->commit ? t->commit(t->flash) : 0;
}

int fe_flash(const struct fe_target *t, const struct espctl_flash_image *img, uint32_t flags,
             struct fe_stats *stats)
{
    struct fe_stats local;
    struct fe_stats *st = stats ? stats : &local;
    memset(st, 0, sizeof *st);
    const struct espctl_flash_geometry *g = t->geometry;
    if (!img || (img->segment_count && !img->segments))
        return cm_error(t->host, ESPCTL_E_INVAL, "layout: no segments to flash");
    if (g->size == 0 || g->size > SIZE_MAX / 2)
        return cm_error(t->host, ESPCTL_E_INVAL, "layout: flash geometry of %llu bytes",
                        (unsigned long long)g->size);
    struct plan p = {.t = t, .base = g->base, .unit = g->write_unit ? g->write_unit : 1};
    /* Bytes never read hold the same value in cur and want, so they never look changed. */
    p.marks = calloc(1, (size_t)g->size);
    p.cur = malloc((size_t)g->size);
    p.want = malloc((size_t)g->size);
    int rc = 0;
    if (!p.marks || !p.cur || !p.want) {
        rc = cm_error(t->host, ESPCTL_E_NOMEM, "layout: out of memory");
    } else {
        memset(p.cur, (int)g->erased_value, (size_t)g->size);
        memset(p.want, (int)g->erased_value, (size_t)g->size);
        rc = place_segments(&p, img);
    }
    if (rc == 0)
        rc = collect_sectors(&p, img);
    if (rc == 0 && (flags & ESPCTL_FLASH_CHIP_ERASE)) {
        t->link->stage = "erase";
        t->link->at = g->base;
        cm_emit(t->host, ESPCTL_EVENT_STAGE_BEGIN, "erase", 0, 0, g->size, ESPCTL_NO_ADDRESS, NULL);
        rc = t->family->mass_erase(t->flash);
        if (rc == 0)
            rc = commit(t);
        rc = stage_end(t, "erase", rc, g->base);
    }
    st->sectors = (uint32_t)p.count;
    if (rc == 0)
        rc = compare(&p, flags, st);
    if (rc == 0)
        rc = erase_phase(&p, st);
    if (rc == 0)
        rc = program_phase(&p, st);
    if (rc == 0 && (st->erased || st->programmed))
        rc = commit(t);
    if (rc == 0 && !(flags & ESPCTL_FLASH_NO_VERIFY))
        rc = verify_phase(&p, st);
    if (rc == 0 && st->skipped)
        cm_message(t->host, "program", "%u of %u sectors already held the image and were skipped",
                   st->skipped, st->sectors);
    free(p.sectors);
    free(p.cur);
    free(p.want);
    free(p.marks);
    return rc;
}

struct segment_check {
    uint64_t address;
    uint8_t *done; /* per byte of the segment: the target confirmed it */
};

static void segment_checked(void *ctx, uint64_t lo, uint64_t hi)
{
    struct segment_check *c = ctx;
    memset(c->done + (lo - c->address), 1, hi - lo);
}

/* Let the target confirm the check granules lying wholly inside segment s; marks them in
 * c->done. */
static int check_segment(const struct fe_target *t, const struct espctl_segment *s,
                         struct segment_check *c, uint32_t *differs)
{
    const uint32_t unit = fc_unit(t);
    const uint64_t base = t->geometry->base;
    if (!unit || s->size < unit)
        return 0;
    uint64_t lo = s->address + (unit - (s->address - base) % unit) % unit;
    uint64_t hi = s->address + s->size - (s->address + s->size - base) % unit;
    if (hi <= lo)
        return 0;
    c->address = s->address;
    return fc_check(t, lo, s->data + (lo - s->address), hi - lo, segment_checked, c, differs);
}

struct read_back {
    uint8_t *buf; /* one transfer block */
    uint64_t done, total, where;
};

/* Read [address, address+length) back in transfer blocks and compare it with `expected`;
 * ESPCTL_E_VERIFY names the first mismatch. */
static int read_back(const struct fe_target *t, uint64_t address, const uint8_t *expected,
                     uint64_t length, struct read_back *r)
{
    const uint64_t chunk = cm_mem_block(t->link);
    for (uint64_t o = 0; o < length; o += chunk) {
        uint64_t n = length - o < chunk ? length - o : chunk, at;
        r->where = address + o;
        int rc = check_cancel(t, "verify", r->where);
        if (rc == 0)
            rc = cm_mem_read_bytes(t->link, r->where, r->buf, n);
        if (rc == 0 && first_difference(r->buf, expected + o, n, &at)) {
            r->where += at;
            rc = mismatch(t, r->where, r->buf[at], expected[o + at]);
        }
        if (rc)
            return rc;
        r->done += n;
        progress(t, "verify", r->done, r->total, address + o);
    }
    return 0;
}

int fe_verify(const struct fe_target *t, const struct espctl_flash_image *img)
{
    uint64_t largest = 0;
    struct read_back r = {.total = 0};
    for (uint32_t i = 0; i < img->segment_count; i++) {
        r.total += img->segments[i].size;
        largest = img->segments[i].size > largest ? img->segments[i].size : largest;
    }
    stage_begin(t, "verify", r.total);
    r.buf = malloc(cm_mem_block(t->link));
    struct segment_check c = {.done = fc_unit(t) ? malloc(largest ? largest : 1) : NULL};
    if (!r.buf || (fc_unit(t) && !c.done)) {
        free(r.buf);
        free(c.done);
        return stage_end(t, "verify", cm_error(t->host, ESPCTL_E_NOMEM, "verify: out of memory"), 0);
    }
    int rc = 0;
    uint32_t differs = 0;
    for (uint32_t i = 0; i < img->segment_count && rc == 0; i++) {
        const struct espctl_segment *s = &img->segments[i];
        if (c.done) {
            memset(c.done, 0, s->size);
            r.where = s->address;
            rc = check_segment(t, s, &c, &differs);
        }
        /* runs the target confirmed count as done; the runs between them are read back */
        for (uint64_t o = 0, n; o < s->size && rc == 0; o += n) {
            int confirmed = c.done && c.done[o];
            for (n = 1; o + n < s->size && (c.done && c.done[o + n]) == confirmed; n++)
                ;
            if (confirmed) {
                r.done += n;
                progress(t, "verify", r.done, r.total, s->address + o);
            } else {
                rc = read_back(t, s->address + o, s->data + o, n, &r);
            }
        }
    }
    free(r.buf);
    free(c.done);
    if (rc == 0)
        warn_overruled(t, differs);
    return stage_end(t, "verify", rc, r.where);
}

int fe_erase(const struct fe_target *t, uint64_t address, uint64_t length, uint32_t flags)
{
    const struct espctl_flash_geometry *g = t->geometry;
    if (flags & ESPCTL_FLASH_CHIP_ERASE) {
        stage_begin(t, "erase", g->size);
        int rc = t->family->mass_erase(t->flash);
        if (rc == 0)
            rc = commit(t);
        if (rc == 0)
            progress(t, "erase", g->size, g->size, g->base);
        return stage_end(t, "erase", rc, g->base);
    }
    if (length == 0 || address < g->base || length > g->size || address - g->base > g->size - length)
        return cm_error(t->host, ESPCTL_E_INVAL,
                        "erase: range 0x%08llx+%llu is not inside flash 0x%08llx..0x%08llx",
                        (unsigned long long)address, (unsigned long long)length,
                        (unsigned long long)g->base, (unsigned long long)(g->base + g->size));
    uint64_t first, size, last_start, last_size;
    int rc = t->family->sector_at(t->flash, address, &first, &size);
    if (rc == 0)
        rc = t->family->sector_at(t->flash, address + length - 1, &last_start, &last_size);
    if (rc)
        return rc;
    uint64_t end = last_start + last_size, done = 0;
    stage_begin(t, "erase", end - first);
    for (uint64_t at = first; at < end;) {
        rc = t->family->sector_at(t->flash, at, &at, &size);
        t->link->at = at;
        if (rc == 0)
            rc = check_cancel(t, "erase", at);
        if (rc == 0)
            rc = t->family->erase_sector(t->flash, at);
        if (rc)
            return stage_end(t, "erase", rc, at);
        at += size;
        done += size;
        progress(t, "erase", done, end - first, at - size);
    }
    return stage_end(t, "erase", commit(t), end);
}
