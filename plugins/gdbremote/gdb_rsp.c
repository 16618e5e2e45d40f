/* RSP framing, checksums, escapes, run-length decoding and acks, all bounded in time. */
#include "gdb_rsp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESEND_LIMIT 3
/* Raw bytes tolerated before a '$' or inside one frame: escapes can double a payload. */
#define RAW_LIMIT (2u * GDB_MAX_REPLY + 16u)

/* Unsolicited packets taken while waiting for one acknowledgement before giving up. */
#define UNSOLICITED_LIMIT 4

static int needs_escape(uint8_t b) { return b == '#' || b == '$' || b == '}' || b == '*'; }

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int gdb_rsp_init(struct gdb_rsp *rsp, const struct gdb_env *env, const struct gdb_io *io)
{
    memset(rsp, 0, sizeof *rsp);
    rsp->env = *env;
    rsp->io = *io;
    rsp->ack_mode = 1;
    rsp->reply = malloc(GDB_MAX_REPLY + 1);
    if (!rsp->reply)
        return gdb_fail(env, ESPCTL_E_NOMEM, "out of memory");
    rsp->reply[0] = '\0';
    rsp->raw = malloc(RAW_LIMIT);
    if (!rsp->raw)
        return gdb_fail(env, ESPCTL_E_NOMEM, "out of memory");
    return 0;
}

void gdb_rsp_free(struct gdb_rsp *rsp)
{
    gdb_io_close(&rsp->io);
    free(rsp->reply);
    free(rsp->tx);
    free(rsp->raw);
    rsp->raw = NULL;
    rsp->reply = NULL;
    rsp->tx = NULL;
}

static int out_of_step(struct gdb_rsp *rsp, int code, const char *fmt, const char *detail)
{
    char why[256];
    snprintf(why, sizeof why, fmt, detail);
    rsp->io.dead = 1;
    return gdb_fail(&rsp->env, code, "GDB server %s: %s", rsp->io.peer, why);
}

/* Next byte of the stream; ESPCTL_E_TIMEOUT (no text set) when the deadline passes. */
static int next_byte(struct gdb_rsp *rsp, uint64_t deadline, uint8_t *b)
{
    if (rsp->in_pos == rsp->in_len) {
        size_t got = 0;
        int rc = gdb_io_read(&rsp->env, &rsp->io, rsp->in, sizeof rsp->in, deadline, &got);
        if (rc)
            return rc;
        rsp->in_len = got;
        rsp->in_pos = 0;
    }
    *b = rsp->in[rsp->in_pos++];
    return 0;
}

static int timed_out(struct gdb_rsp *rsp, uint32_t timeout_ms, const char *what)
{
    rsp->io.dead = 1;
    return gdb_fail(&rsp->env, ESPCTL_E_TIMEOUT,
                    "GDB server %s stopped answering: no %s within %u ms", rsp->io.peer, what,
                    timeout_ms);
}

static int write_raw(struct gdb_rsp *rsp, const void *data, size_t len, uint32_t timeout_ms)
{
    return gdb_io_write(&rsp->env, &rsp->io, data, len, gdb_now_ms(&rsp->env) + timeout_ms);
}

size_t gdb_rsp_fit(const uint8_t *bin, size_t len, size_t budget)
{
    size_t used = 0, n = 0;
    while (n < len) {
        size_t cost = needs_escape(bin[n]) ? 2u : 1u;
        if (used + cost > budget)
            break;
        used += cost;
        n++;
    }
    return n;
}

static int build_frame(struct gdb_rsp *rsp, const char *text, const uint8_t *bin, size_t bin_len)
{
    size_t text_len = strlen(text);
    size_t need = text_len + 2 * bin_len + 4;
    if (need > rsp->tx_cap) {
        uint8_t *grown = realloc(rsp->tx, need);
        if (!grown)
            return gdb_fail(&rsp->env, ESPCTL_E_NOMEM, "out of memory");
        rsp->tx = grown;
        rsp->tx_cap = need;
    }
    uint8_t *p = rsp->tx;
    uint8_t sum = 0;
    *p++ = '$';
    for (size_t i = 0; i < text_len; i++) {
        sum = (uint8_t)(sum + (uint8_t)text[i]);
        *p++ = (uint8_t)text[i];
    }
    for (size_t i = 0; i < bin_len; i++) {
        uint8_t b = bin[i];
        if (needs_escape(b)) {
            *p++ = '}';
            sum = (uint8_t)(sum + '}');
            b ^= 0x20;
        }
        sum = (uint8_t)(sum + b);
        *p++ = b;
    }
    static const char digits[] = "0123456789abcdef";
    *p++ = '#';
    *p++ = (uint8_t)digits[sum >> 4];
    *p++ = (uint8_t)digits[sum & 15];
    rsp->tx_len = (size_t)(p - rsp->tx);
    return 0;
}

int gdb_rsp_send(struct gdb_rsp *rsp, const char *text, const uint8_t *bin, size_t bin_len,
                 uint32_t timeout_ms)
{
    int rc = build_frame(rsp, text, bin, bin_len);
    if (rc)
        return rc;
    char what[96];
    snprintf(what, sizeof what, "acknowledgement of '%.40s'", text);
    int unsolicited = 0;
    for (int attempt = 0; attempt <= RESEND_LIMIT; attempt++) {
        rc = write_raw(rsp, rsp->tx, rsp->tx_len, timeout_ms);
        if (rc || !rsp->ack_mode)
            return rc;
        uint64_t deadline = gdb_now_ms(&rsp->env) + timeout_ms;
        for (size_t skipped = 0;; skipped++) {
            uint8_t b;
            rc = next_byte(rsp, deadline, &b);
            if (rc == ESPCTL_E_TIMEOUT)
                return timed_out(rsp, timeout_ms, what);
            if (rc)
                return rc;
            if (b == '+')
                return 0;
            if (b == '-')
                break;
            if (b == '$' && unsolicited == UNSOLICITED_LIMIT)
                return out_of_step(rsp, ESPCTL_E_PROTOCOL, "%s",
                                   "sent packets where an acknowledgement was due");
            if (b == '$') {
                /* A notification sent before our packet was read: QEMU reports the stop
                 * it makes when a client connects to a running machine. Take it (and
                 * acknowledge it) and keep waiting for our acknowledgement. */
                rsp->in_pos--;
                rc = gdb_rsp_recv(rsp, timeout_ms, "an unsolicited packet");
                if (rc)
                    return rc;
                unsolicited++;
                gdb_log(&rsp->env, ESPCTL_LOG_DEBUG, "GDB server %s: skipped unsolicited '%.40s'",
                        rsp->io.peer, rsp->reply);
                continue;
            }
            if (skipped > RAW_LIMIT)
                return out_of_step(rsp, ESPCTL_E_PROTOCOL, "%s", "garbage instead of an acknowledgement");
        }
    }
    return out_of_step(rsp, ESPCTL_E_PROTOCOL, "rejected '%.40s' after repeated resends", text);
}

/* Expand escapes and run-length encoding of a raw payload into rsp->reply. */
static int decode(struct gdb_rsp *rsp, const uint8_t *raw, size_t len)
{
    size_t out = 0;
    for (size_t i = 0; i < len; i++) {
        uint8_t b = raw[i];
        if (b == '}') {
            if (++i == len)
                return gdb_fail(&rsp->env, ESPCTL_E_PROTOCOL,
                                "GDB server %s: reply ends inside an escape (offset %zu)",
                                rsp->io.peer, i);
            b = raw[i] ^ 0x20;
        } else if (b == '*') {
            if (out == 0 || i + 1 == len)
                return gdb_fail(&rsp->env, ESPCTL_E_PROTOCOL,
                                "GDB server %s: run-length marker without %s (offset %zu)",
                                rsp->io.peer, out == 0 ? "a preceding byte" : "a count", i);
            int count = (int)raw[++i] - 29;
            if (count < 3 || count > 97)
                return gdb_fail(&rsp->env, ESPCTL_E_PROTOCOL,
                                "GDB server %s: bad run-length count 0x%02x (offset %zu)",
                                rsp->io.peer, raw[i], i);
            if (out + (size_t)count > GDB_MAX_REPLY)
                return gdb_fail(&rsp->env, ESPCTL_E_PROTOCOL,
                                "GDB server %s: reply longer than %u bytes", rsp->io.peer,
                                GDB_MAX_REPLY);
            memset(rsp->reply + out, rsp->reply[out - 1], (size_t)count);
            out += (size_t)count;
            continue;
        }
        if (out == GDB_MAX_REPLY)
            return gdb_fail(&rsp->env, ESPCTL_E_PROTOCOL, "GDB server %s: reply longer than %u bytes",
                            rsp->io.peer, GDB_MAX_REPLY);
        rsp->reply[out++] = (char)b;
    }
    rsp->reply[out] = '\0';
    rsp->reply_len = out;
    return 0;
}

/* One frame: 0 with the raw payload in *raw, 1 when the checksum is wrong, or an error. */
static int read_frame(struct gdb_rsp *rsp, uint64_t deadline, uint8_t *raw, size_t *raw_len,
                      uint32_t timeout_ms, const char *what)
{
    uint8_t b = 0;
    int rc;
    size_t skipped = 0;
    do {
        rc = next_byte(rsp, deadline, &b);
        if (rc == ESPCTL_E_TIMEOUT)
            return timed_out(rsp, timeout_ms, what);
        if (rc)
            return rc;
        if (++skipped > RAW_LIMIT)
            return out_of_step(rsp, ESPCTL_E_PROTOCOL, "%s", "sent bytes that are no packet");
    } while (b != '$');
restart:;
    size_t n = 0;
    uint8_t sum = 0;
    for (;;) {
        rc = next_byte(rsp, deadline, &b);
        if (rc == ESPCTL_E_TIMEOUT)
            return timed_out(rsp, timeout_ms, what);
        if (rc)
            return rc;
        if (b == '#')
            break;
        if (b == '$')
            goto restart; /* a truncated frame followed by a fresh one */
        if (n == RAW_LIMIT)
            return out_of_step(rsp, ESPCTL_E_PROTOCOL, "%s",
                               "sent a packet longer than the 128 KiB bound");
        raw[n++] = b;
        sum = (uint8_t)(sum + b);
    }
    int digits[2];
    for (int i = 0; i < 2; i++) {
        rc = next_byte(rsp, deadline, &b);
        if (rc == ESPCTL_E_TIMEOUT)
            return timed_out(rsp, timeout_ms, what);
        if (rc)
            return rc;
        digits[i] = hexval(b);
    }
    *raw_len = n;
    if (digits[0] < 0 || digits[1] < 0)
        return 1;
    return (uint8_t)(digits[0] << 4 | digits[1]) == sum ? 0 : 1;
}

int gdb_rsp_recv(struct gdb_rsp *rsp, uint32_t timeout_ms, const char *what)
{
    uint8_t *raw = rsp->raw;
    uint64_t deadline = gdb_now_ms(&rsp->env) + timeout_ms;
    int rc = 0;
    for (int attempt = 0;; attempt++) {
        size_t raw_len = 0;
        rc = read_frame(rsp, deadline, raw, &raw_len, timeout_ms, what);
        if (rc < 0)
            break;
        if (rc == 0) {
            if (rsp->ack_mode)
                rc = write_raw(rsp, "+", 1, timeout_ms);
            if (rc == 0)
                rc = decode(rsp, raw, raw_len);
            break;
        }
        if (!rsp->ack_mode || attempt == RESEND_LIMIT) {
            char head[33];
            size_t k = 0;
            for (; k < raw_len && k < 32; k++)
                head[k] = raw[k] >= 0x20 && raw[k] < 0x7f ? (char)raw[k] : '.';
            head[k] = '\0';
            rc = gdb_fail(&rsp->env, ESPCTL_E_PROTOCOL,
                          "GDB server %s: %s has a bad checksum (payload '%s')", rsp->io.peer,
                          what, head);
            break;
        }
        rc = write_raw(rsp, "-", 1, timeout_ms);
        if (rc)
            break;
    }
    return rc;
}

int gdb_rsp_transact(struct gdb_rsp *rsp, const char *text, const uint8_t *bin, size_t bin_len,
                     uint32_t timeout_ms)
{
    int rc = gdb_rsp_send(rsp, text, bin, bin_len, timeout_ms);
    if (rc)
        return rc;
    char what[96];
    snprintf(what, sizeof what, "reply to '%.40s'", text);
    return gdb_rsp_recv(rsp, timeout_ms, what);
}

int gdb_rsp_interrupt(struct gdb_rsp *rsp)
{
    static const uint8_t ctrl_c = 0x03;
    return write_raw(rsp, &ctrl_c, 1, rsp->env.timeout_ms);
}

int gdb_rsp_pending(struct gdb_rsp *rsp)
{
    return rsp->in_pos < rsp->in_len || gdb_io_readable(&rsp->io);
}

int gdb_rsp_is_error(const char *reply, unsigned *code)
{
    if (reply[0] != 'E' || hexval(reply[1]) < 0 || hexval(reply[2]) < 0 || reply[3] != '\0')
        return 0;
    *code = (unsigned)(hexval(reply[1]) << 4 | hexval(reply[2]));
    return 1;
}
