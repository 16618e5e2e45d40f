/* RTT producer: the firmware side of SEGGER RTT on the CPU-less model (see the header). */
#include "sim/rtt_producer.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim/target.h"

#define ID "SEGGER RTT"
#define HEADER 24u
#define DESC 24u
#define NAME_SIZE 16u
#define SCAN_EVERY_NS 1000000ull
#define LATENCY_CHUNKS 4096u
#define LINE_SIZE 13u
#define NS_PER_S 1000000000ull

/* Bytes written to the up buffer at one virtual instant: their sequence end and time. */
struct chunk {
    uint64_t end;
    uint64_t at_ns;
};

struct sim_rtt_producer {
    struct sim_target *t;
    struct sim_rtt_config c;
    /* the block in use (valid once booted) */
    int booted;
    int corrupt_only;      /* booted with a corrupt block on purpose: produce nothing */
    int dead;              /* unusable until the next reset (block does not fit / is broken) */
    uint64_t boot_resets;  /* t->resets when last booted: another reset reboots */
    uint32_t block, up_desc, down_desc, up_buf, up_size, down_buf, down_size;
    int has_down;
    uint64_t last_ns, last_scan_ns;
    /* production */
    uint64_t credit;       /* rate x ns not yet turned into bytes */
    uint64_t owed;         /* stream bytes due but not yet written */
    uint64_t stream_pos;   /* next stream byte index */
    uint8_t *echo;         /* down bytes waiting to go up */
    uint32_t echo_len;
    /* accounting */
    uint64_t produced, dropped, echoed, consumed, written;
    uint32_t last_rd;
    struct chunk chunks[LATENCY_CHUNKS];
    uint32_t chunk_head, chunk_count;
    uint64_t accounted;    /* consumed bytes already counted into the latency */
    double latency_sum;    /* sum of latency_ns x bytes */
    uint64_t latency_max_ns;
    uint64_t first_write_ns, last_consume_ns;
    uint64_t boots;
};

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 0);
    if (errno || end == s || *s == '-')
        return -1;
    uint64_t mul = 1;
    if (*end == 'k' || *end == 'K')
        mul = 1000u, end++;
    else if (*end == 'M')
        mul = 1000000u, end++;
    if (*end || x > UINT64_MAX / mul)
        return -1;
    *v = x * mul;
    return 0;
}

int sim_rtt_parse(struct sim_rtt_config *c, const char *spec, char *err, size_t errlen)
{
    *c = (struct sim_rtt_config){.rate = 0, .blocking = 1, .up_size = 1024, .down_size = 16};
    char buf[512];
    if (strlen(spec) >= sizeof buf) {
        snprintf(err, errlen, "spec too long");
        return -1;
    }
    strcpy(buf, spec);
    int have_mode = 0, have_rate = 0;
    char *save = NULL;
    for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        const char *val = eq ? eq + 1 : "";
        if (eq)
            *eq = '\0';
        uint64_t v = 0;
        if (!strcmp(item, "rate") && !parse_u64(val, &v)) {
            c->rate = v;
            have_rate = 1;
        } else if (!strcmp(item, "mode") && (!strcmp(val, "blocking") || !strcmp(val, "nonblocking"))) {
            c->blocking = !strcmp(val, "blocking");
            have_mode = 1;
        } else if (!strcmp(item, "bytes") && !parse_u64(val, &v) && v) {
            c->total = v;
        } else if (!strcmp(item, "pattern") && (!strcmp(val, "counter") || !strcmp(val, "lines"))) {
            c->pattern = !strcmp(val, "lines") ? SIM_RTT_LINES : SIM_RTT_COUNTER;
        } else if (!strcmp(item, "echo") && !eq) {
            c->echo = 1;
        } else if (!strcmp(item, "size") && !parse_u64(val, &v) && v >= 16 && v <= 65536) {
            c->up_size = (uint32_t)v;
        } else if (!strcmp(item, "down") && !parse_u64(val, &v) && v >= 2 && v <= 65536) {
            c->down_size = (uint32_t)v;
        } else if (!strcmp(item, "corrupt") && (!strcmp(val, "pointer") || !strcmp(val, "size") ||
                                                 !strcmp(val, "count") || !strcmp(val, "offset"))) {
            c->corrupt = !strcmp(val, "pointer") ? SIM_RTT_BAD_POINTER
                         : !strcmp(val, "size")  ? SIM_RTT_BAD_SIZE
                         : !strcmp(val, "count") ? SIM_RTT_BAD_COUNT
                                                 : SIM_RTT_BAD_OFFSET;
        } else {
            snprintf(err, errlen, "bad item '%s%s%s' (rate=N, mode=blocking|nonblocking, bytes=N, "
                     "pattern=counter|lines, echo, size=16..65536, down=2..65536, "
                     "corrupt=pointer|size|count|offset)", item, eq ? "=" : "", val);
            return -1;
        }
    }
    if (!have_rate || !have_mode) {
        snprintf(err, errlen, "rate= and mode= are required");
        return -1;
    }
    return 0;
}

uint8_t sim_rtt_pattern_byte(enum sim_rtt_pattern pattern, uint64_t index)
{
    if (pattern == SIM_RTT_COUNTER)
        return (uint8_t)(index % 251u);
    char line[32];
    snprintf(line, sizeof line, "rtt %08llu\n", (unsigned long long)((index / LINE_SIZE) % 100000000ull));
    return (uint8_t)line[index % LINE_SIZE];
}

/* ---- SRAM access (direct: the producer is the CPU, not a bus master) ---- */

static int in_sram(const struct sim_target *t, uint64_t addr, uint64_t len)
{
    uint64_t base = t->chip->sram_base, size = t->chip->sram_size;
    return addr >= base && len <= size && addr - base <= size - len;
}

static uint32_t get32(const struct sim_target *t, uint32_t addr)
{
    return sim_le_get(t->sram + (addr - t->chip->sram_base), 4);
}

static void put32(struct sim_target *t, uint32_t addr, uint32_t v)
{
    sim_le_put(t->sram + (addr - t->chip->sram_base), 4, v);
}

static uint8_t *at(struct sim_target *t, uint32_t addr)
{
    return t->sram + (addr - t->chip->sram_base);
}

static void warn(struct sim_rtt_producer *p, const char *what)
{
    fprintf(stderr, "espctl-sim: rtt producer: %s\n", what);
    p->dead = 1;
}

/* Write a block like SEGGER's init: everything, then the id last. */
static void write_block(struct sim_rtt_producer *p)
{
    struct sim_target *t = p->t;
    uint32_t a = p->c.address;
    uint32_t name = a + HEADER + 2 * DESC, up = name + NAME_SIZE, down = up + p->c.up_size;
    if (!in_sram(t, a, (uint64_t)down + p->c.down_size - a)) {
        warn(p, "the control block and its buffers do not fit in SRAM at --rtt-addr");
        return;
    }
    memset(at(t, a), 0, HEADER + 2 * DESC + NAME_SIZE);
    memcpy(at(t, name), "Terminal", 9);
    put32(t, a + 16, 1);
    put32(t, a + 20, 1);
    uint32_t d = a + HEADER;
    put32(t, d + 0, name);
    put32(t, d + 4, up);
    put32(t, d + 8, p->c.up_size);
    put32(t, d + 20, p->c.blocking ? 2u : 1u);
    d += DESC;
    put32(t, d + 0, name);
    put32(t, d + 4, down);
    put32(t, d + 8, p->c.down_size);
    switch (p->c.corrupt) {
    case SIM_RTT_BAD_POINTER: put32(t, a + HEADER + 4, 0x30000000u); break;
    case SIM_RTT_BAD_SIZE: put32(t, a + HEADER + 8, t->chip->sram_size); break;
    case SIM_RTT_BAD_COUNT: put32(t, a + 16, 100000u); break;
    case SIM_RTT_BAD_OFFSET: put32(t, a + HEADER + 12, p->c.up_size + 5u); break;
    case SIM_RTT_SOUND: break;
    }
    memcpy(at(t, a), ID "\0\0\0\0\0\0", 16);
}

/* A block in SRAM: exactly one id, scanned at most once per virtual millisecond. */
static int find_block(struct sim_rtt_producer *p, uint32_t *addr)
{
    struct sim_target *t = p->t;
    if (p->last_scan_ns && t->clock.now_ns - p->last_scan_ns < SCAN_EVERY_NS)
        return 0;
    p->last_scan_ns = t->clock.now_ns ? t->clock.now_ns : 1;
    for (uint32_t i = 0; i + 16 <= t->chip->sram_size; i++)
        if (t->sram[i] == 'S' && memcmp(t->sram + i, ID "\0\0\0\0\0\0", 16) == 0) {
            *addr = t->chip->sram_base + i;
            return 1;
        }
    return 0;
}

static int adopt(struct sim_rtt_producer *p, uint32_t a)
{
    struct sim_target *t = p->t;
    if (!in_sram(t, a, HEADER))
        return -1;
    uint32_t up = get32(t, a + 16), down = get32(t, a + 20);
    if (up < 1 || up > 255 || down > 255 || !in_sram(t, a, HEADER + (uint64_t)(up + down) * DESC))
        return -1;
    p->block = a;
    p->up_desc = a + HEADER;
    p->up_buf = get32(t, p->up_desc + 4);
    p->up_size = get32(t, p->up_desc + 8);
    if (p->up_size < 2 || !in_sram(t, p->up_buf, p->up_size) ||
        get32(t, p->up_desc + 12) >= p->up_size || get32(t, p->up_desc + 16) >= p->up_size)
        return -1;
    p->has_down = 0;
    if (down >= 1) {
        p->down_desc = a + HEADER + up * DESC;
        p->down_buf = get32(t, p->down_desc + 4);
        p->down_size = get32(t, p->down_desc + 8);
        p->has_down = p->down_buf && p->down_size >= 2 && in_sram(t, p->down_buf, p->down_size);
    }
    return 0;
}

static void boot(struct sim_rtt_producer *p)
{
    struct sim_target *t = p->t;
    uint32_t a = 0;
    p->boot_resets = t->resets;
    if (p->c.have_address) {
        write_block(p);
        if (p->dead)
            return;
        a = p->c.address;
        if (p->c.corrupt != SIM_RTT_SOUND) { /* the host is to reject it: produce nothing */
            p->booted = 1;
            p->corrupt_only = 1;
            p->block = a;
            p->boots++;
            return;
        }
    } else if (!find_block(p, &a)) {
        return;
    }
    if (adopt(p, a)) {
        warn(p, "the control block in SRAM is not usable; producing nothing");
        return;
    }
    p->booted = 1;
    p->boots++;
    p->last_ns = t->clock.now_ns;
    p->credit = p->owed = p->stream_pos = 0;
    p->echo_len = 0;
    p->produced = p->dropped = p->echoed = p->consumed = p->written = p->accounted = 0;
    p->latency_sum = 0;
    p->latency_max_ns = p->first_write_ns = p->last_consume_ns = 0;
    p->last_rd = get32(t, p->up_desc + 16);
    p->chunk_count = 0;
}

static uint32_t ring_used(uint32_t wr, uint32_t rd, uint32_t size)
{
    return wr >= rd ? wr - rd : size - rd + wr;
}

/* Bytes the host consumed since the last look: their time in the buffer goes into
 * the latency figures. */
static void account_consumed(struct sim_rtt_producer *p)
{
    struct sim_target *t = p->t;
    uint32_t rd = get32(t, p->up_desc + 16);
    if (rd >= p->up_size || rd == p->last_rd)
        return;
    uint32_t n = rd > p->last_rd ? rd - p->last_rd : p->up_size - p->last_rd + rd;
    p->last_rd = rd;
    p->consumed += n;
    p->last_consume_ns = t->clock.now_ns;
    while (p->chunk_count) {
        struct chunk *c = &p->chunks[p->chunk_head];
        uint64_t upto = c->end < p->consumed ? c->end : p->consumed;
        if (upto > p->accounted) {
            uint64_t lat = t->clock.now_ns - c->at_ns;
            p->latency_sum += (double)lat * (double)(upto - p->accounted);
            p->latency_max_ns = lat > p->latency_max_ns ? lat : p->latency_max_ns;
            p->accounted = upto;
        }
        if (c->end > p->consumed)
            break;
        p->chunk_head = (p->chunk_head + 1) % LATENCY_CHUNKS;
        p->chunk_count--;
    }
}

static void take_echo(struct sim_rtt_producer *p)
{
    struct sim_target *t = p->t;
    uint32_t wr = get32(t, p->down_desc + 12), rd = get32(t, p->down_desc + 16);
    if (wr >= p->down_size || rd >= p->down_size)
        return;
    while (rd != wr && p->echo_len < p->up_size) {
        p->echo[p->echo_len++] = *at(t, p->down_buf + rd);
        rd = rd + 1 == p->down_size ? 0 : rd + 1;
    }
    put32(t, p->down_desc + 16, rd);
}

static void put_byte(struct sim_rtt_producer *p, uint32_t *wr, uint8_t b)
{
    *at(p->t, p->up_buf + *wr) = b;
    *wr = *wr + 1 == p->up_size ? 0 : *wr + 1;
}

static void record_chunk(struct sim_rtt_producer *p, uint64_t n)
{
    uint64_t now = p->t->clock.now_ns;
    if (!p->written)
        p->first_write_ns = now;
    p->written += n;
    if (p->chunk_count == LATENCY_CHUNKS) { /* merge into the newest: latency errs high */
        p->chunks[(p->chunk_head + p->chunk_count - 1) % LATENCY_CHUNKS].end = p->written;
        return;
    }
    p->chunks[(p->chunk_head + p->chunk_count) % LATENCY_CHUNKS] = (struct chunk){p->written, now};
    p->chunk_count++;
}

void sim_rtt_producer_run(struct sim_rtt_producer *p)
{
    struct sim_target *t = p->t;
    if (p->boot_resets != t->resets) { /* the firmware starts over after a reset */
        p->booted = 0;
        p->corrupt_only = 0;
        p->dead = 0;
        p->boot_resets = t->resets;
    }
    if (t->core.halted || t->core.in_reset || p->dead) {
        p->last_ns = t->clock.now_ns;
        return;
    }
    if (!p->booted) {
        boot(p);
        if (!p->booted)
            return;
    }
    if (p->corrupt_only)
        return;
    uint64_t now = t->clock.now_ns;
    uint64_t dt = now > p->last_ns ? now - p->last_ns : 0;
    p->last_ns = now;
    account_consumed(p);
    if (p->c.echo && p->has_down)
        take_echo(p);
    if (p->c.rate && dt) {
        p->credit += dt * p->c.rate; /* < 2^64 for dt < 18 s at 1 MB/s */
        p->owed += p->credit / NS_PER_S;
        p->credit %= NS_PER_S;
    }
    if (p->c.total) {
        uint64_t left = p->c.total - p->stream_pos;
        p->owed = p->owed < left ? p->owed : left;
    }
    if (p->c.blocking && p->owed > p->up_size) /* blocked in one write call */
        p->owed = p->up_size;
    uint32_t wr = get32(t, p->up_desc + 12), rd = get32(t, p->up_desc + 16);
    if (wr >= p->up_size || rd >= p->up_size)
        return;
    uint32_t space = p->up_size - 1 - ring_used(wr, rd, p->up_size);
    uint64_t n = 0;
    uint32_t e = p->echo_len < space ? p->echo_len : space;
    for (uint32_t i = 0; i < e; i++)
        put_byte(p, &wr, p->echo[i]);
    memmove(p->echo, p->echo + e, p->echo_len - e);
    p->echo_len -= e;
    p->echoed += e;
    space -= e;
    n += e;
    uint64_t s = p->owed < space ? p->owed : space;
    for (uint64_t i = 0; i < s; i++)
        put_byte(p, &wr, sim_rtt_pattern_byte(p->c.pattern, p->stream_pos++));
    p->owed -= s;
    p->produced += s;
    n += s;
    if (!p->c.blocking && p->owed) {
        p->dropped += p->owed;
        p->stream_pos += p->owed;
        p->owed = 0;
    }
    if (n) {
        put32(t, p->up_desc + 12, wr);
        record_chunk(p, n);
    }
}

static void before_access(void *ctx)
{
    sim_rtt_producer_run(ctx);
}

struct sim_rtt_producer *sim_rtt_producer_attach(struct sim_target *t, const struct sim_rtt_config *c)
{
    struct sim_rtt_producer *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->echo = malloc(c->up_size);
    if (!p->echo) {
        free(p);
        return NULL;
    }
    p->t = t;
    p->c = *c;
    p->boot_resets = t->resets;
    t->rtt = p;
    t->bus.before_access = before_access;
    t->bus.before_access_ctx = p;
    return p;
}

void sim_rtt_producer_free(struct sim_rtt_producer *p)
{
    if (!p)
        return;
    free(p->echo);
    free(p);
}

json_t *sim_rtt_producer_stats_json(const struct sim_rtt_producer *p)
{
    const char *state = p->dead ? "unusable" : !p->booted ? "waiting"
                        : p->corrupt_only ? "corrupt" : "running";
    double mean_us = p->accounted ? p->latency_sum / (double)p->accounted / 1000.0 : 0.0;
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:I, s:I, s:I, s:I, s:s}",
                     "address", (json_int_t)p->block,
                     "produced", (json_int_t)p->produced,
                     "dropped", (json_int_t)p->dropped,
                     "echoed", (json_int_t)p->echoed,
                     "consumed", (json_int_t)p->consumed,
                     "written", (json_int_t)p->written,
                     "latency_mean_us", mean_us,
                     "latency_max_us", (json_int_t)(p->latency_max_ns / 1000u),
                     "first_write_ns", (json_int_t)p->first_write_ns,
                     "last_consume_ns", (json_int_t)p->last_consume_ns,
                     "boots", (json_int_t)p->boots,
                     "state", state);
}
