/* elaphureLink client: handshake, framed or bare packets, bounded socket I/O. */
#include "dap_tcp.h"

#include "plugin_net.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EL_IDENTIFIER 0x8A656C70u
#define EL_PROXY_VERSION 0x00010000u
#define EL_VENDOR 0x88u
#define EL_PASSTHROUGH 0x01u
#define EL_SCOPE_ENTER 0x02u
#define EL_HEADER 4u
#define OUT_CAP (64u * (DAP_TCP_MAX_PACKET + EL_HEADER))

struct tcp_transport {
    struct dap_transport base;
    struct dap_env env;
    int fd;
    int dead;
    int framed;
    size_t out_len;
    uint8_t out[OUT_CAP];
};

static int lost(struct tcp_transport *t, int code, const char *why)
{
    t->dead = 1;
    return dap_fail(&t->env, code, "CMSIS-DAP %s (elaphureLink): %s", t->base.name, why);
}

static int send_all(struct tcp_transport *t, const uint8_t *data, size_t len)
{
    uint64_t deadline = dap_now_ms(&t->env) + t->env.timeout_ms;
    switch (plugin_net_send_all(t->env.host, t->fd, data, len, deadline)) {
    case PLUGIN_NET_TIMEOUT:
        return lost(t, ESPCTL_E_TIMEOUT, "send timed out");
    case PLUGIN_NET_CLOSED:
        return lost(t, ESPCTL_E_NO_DEVICE, "connection lost while sending");
    default:
        return 0;
    }
}

/* Read exactly `len` bytes, or (when `partial`) whatever one segment brings. */
static int recv_bytes(struct tcp_transport *t, uint8_t *data, size_t len, int partial, size_t *got)
{
    uint64_t deadline = dap_now_ms(&t->env) + t->env.timeout_ms;
    char why[96];
    switch (plugin_net_recv(t->env.host, t->fd, data, len, partial, got, deadline)) {
    case PLUGIN_NET_TIMEOUT:
        snprintf(why, sizeof why, "no answer within %u ms", t->env.timeout_ms);
        return lost(t, ESPCTL_E_TIMEOUT, why);
    case PLUGIN_NET_CLOSED:
        return lost(t, ESPCTL_E_NO_DEVICE, "connection closed by the probe");
    default:
        return 0;
    }
}

static int flush_out(struct tcp_transport *t)
{
    if (!t->out_len)
        return 0;
    size_t n = t->out_len;
    t->out_len = 0;
    return send_all(t, t->out, n);
}

static int tcp_send(struct dap_transport *base, const uint8_t *req, size_t len)
{
    struct tcp_transport *t = (struct tcp_transport *)base;
    if (t->dead)
        return dap_fail(&t->env, ESPCTL_E_NO_DEVICE, "CMSIS-DAP %s: connection was lost earlier", base->name);
    if (len == 0 || len > DAP_TCP_MAX_PACKET)
        return dap_fail(&t->env, ESPCTL_E_INVAL, "CMSIS-DAP %s: packet of %zu bytes", base->name, len);
    if (!t->framed)
        return send_all(t, req, len);
    /* Framed requests are gathered and leave in one write when the first answer is
     * awaited, so a pipelined window travels as one segment. */
    if (t->out_len + EL_HEADER + len > sizeof t->out) {
        int rc = flush_out(t);
        if (rc)
            return rc;
    }
    uint8_t *h = t->out + t->out_len;
    h[0] = EL_VENDOR;
    h[1] = EL_PASSTHROUGH;
    h[2] = (uint8_t)(len >> 8);
    h[3] = (uint8_t)len;
    memcpy(h + EL_HEADER, req, len);
    t->out_len += EL_HEADER + len;
    return 0;
}

static int tcp_recv(struct dap_transport *base, uint8_t *resp, size_t cap, size_t *len)
{
    struct tcp_transport *t = (struct tcp_transport *)base;
    if (t->dead)
        return ESPCTL_E_NO_DEVICE; /* already reported when the stream broke; keep that detail */
    int rc = flush_out(t);
    if (rc)
        return rc;
    if (!t->framed)
        return recv_bytes(t, resp, cap, 1, len);
    uint8_t h[EL_HEADER];
    rc = recv_bytes(t, h, sizeof h, 0, NULL);
    if (rc)
        return rc;
    size_t n = (size_t)(h[2] << 8 | h[3]);
    char why[128];
    if (h[0] != EL_VENDOR || n > DAP_TCP_MAX_PACKET || n == 0) {
        snprintf(why, sizeof why, "malformed frame header %02X %02X %02X %02X (offset 0: want 0x88, length 1..%u)",
                 h[0], h[1], h[2], h[3], DAP_TCP_MAX_PACKET);
        return lost(t, ESPCTL_E_PROTOCOL, why);
    }
    uint8_t payload[DAP_TCP_MAX_PACKET];
    rc = recv_bytes(t, payload, n, 0, NULL);
    if (rc)
        return rc;
    if (h[1] != 0) {
        snprintf(why, sizeof why, "the probe reports status %u for a DAP packet (1 failed, 2 pending)", h[1]);
        return dap_fail(&t->env, ESPCTL_E_IO, "CMSIS-DAP %s (elaphureLink): %s", base->name, why);
    }
    if (n > cap)
        n = cap;
    memcpy(resp, payload, n);
    *len = n;
    return 0;
}

static void tcp_destroy(struct dap_transport *base)
{
    struct tcp_transport *t = (struct tcp_transport *)base;
    if (t->fd >= 0)
        close(t->fd);
    free(t);
}

static const struct dap_transport_ops tcp_ops = {tcp_send, tcp_recv, tcp_destroy};

static int connect_bounded(struct tcp_transport *t, const char *host, uint16_t port)
{
    char service[8];
    snprintf(service, sizeof service, "%u", port);
    int err = 0;
    int gai = plugin_net_connect(t->env.host, host, service, t->env.timeout_ms, UINT64_MAX, &t->fd, &err);
    if (gai)
        return dap_fail(&t->env, ESPCTL_E_NOT_FOUND, "CMSIS-DAP %s: cannot resolve '%s': %s", t->base.name, host,
                        gai_strerror(gai));
    if (t->fd < 0)
        return dap_fail(&t->env, err == ECONNREFUSED ? ESPCTL_E_NOT_FOUND : ESPCTL_E_IO,
                        "CMSIS-DAP %s: cannot connect: %s", t->base.name, strerror(err ? err : EIO));
    return 0;
}

static void put_be32(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
}

static uint32_t be32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static int handshake(struct tcp_transport *t)
{
    uint8_t req[12], resp[12];
    put_be32(req, EL_IDENTIFIER);
    put_be32(req + 4, 0);
    put_be32(req + 8, EL_PROXY_VERSION);
    int rc = send_all(t, req, sizeof req);
    if (!rc)
        rc = recv_bytes(t, resp, sizeof resp, 0, NULL);
    if (rc)
        return rc;
    if (be32(resp) != EL_IDENTIFIER || be32(resp + 4) != 0) {
        char why[128];
        snprintf(why, sizeof why, "handshake answer %08X %08X at offset 0 is not elaphureLink (want 8A656C70 00000000)",
                 be32(resp), be32(resp + 4));
        return lost(t, ESPCTL_E_PROTOCOL, why);
    }
    uint32_t version = be32(resp + 8);
    if ((version >> 16) < 1) {
        t->framed = 0;
        t->base.max_inflight = 1; /* bare packets: one request per segment, one at a time */
        dap_log(&t->env, ESPCTL_LOG_INFO, "CMSIS-DAP %s: elaphureLink version 0x%08X: bare packets, no pipelining",
                t->base.name, version);
        return 0;
    }
    uint8_t enter[4] = {EL_VENDOR, EL_SCOPE_ENTER, 0, 0}, ack[4];
    rc = send_all(t, enter, sizeof enter);
    if (!rc)
        rc = recv_bytes(t, ack, sizeof ack, 0, NULL);
    if (rc)
        return rc;
    if (ack[0] != EL_VENDOR || ack[1] != 0) {
        char why[128];
        snprintf(why, sizeof why, "scope-enter answered %02X %02X %02X %02X (want 88 00 ...)", ack[0], ack[1], ack[2],
                 ack[3]);
        return lost(t, ESPCTL_E_PROTOCOL, why);
    }
    t->framed = 1;
    return 0;
}

int dap_tcp_open(const struct dap_env *env, const char *host, uint16_t port, struct dap_transport **out)
{
    struct tcp_transport *t = calloc(1, sizeof *t);
    if (!t)
        return env->host->set_error(env->host, ESPCTL_E_NOMEM, "out of memory");
    t->base.ops = &tcp_ops;
    t->base.kind = DAP_TRANSPORT_TCP;
    t->base.max_packet = DAP_TCP_MAX_PACKET;
    t->env = *env;
    t->fd = -1;
    snprintf(t->base.name, sizeof t->base.name, "%s%s:%u", DAP_TCP_PREFIX, host, port);
    snprintf(t->base.product, sizeof t->base.product, "elaphureLink CMSIS-DAP");
    int rc = connect_bounded(t, host, port);
    if (!rc)
        rc = handshake(t);
    if (rc) {
        tcp_destroy(&t->base);
        return rc;
    }
    *out = &t->base;
    return 0;
}
