/* elaphureLink client: handshake, framed or bare packets, bounded socket I/O. */
#include "dap_tcp.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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

static int wait_fd(struct tcp_transport *t, short events, uint64_t deadline_ms)
{
    for (;;) {
        uint64_t now = dap_now_ms(&t->env);
        if (now >= deadline_ms)
            return 0;
        struct pollfd pfd = {.fd = t->fd, .events = events};
        int n = poll(&pfd, 1, (int)(deadline_ms - now));
        if (n < 0 && errno == EINTR)
            continue;
        return n < 0 ? -1 : n;
    }
}

static int send_all(struct tcp_transport *t, const uint8_t *data, size_t len)
{
    uint64_t deadline = dap_now_ms(&t->env) + t->env.timeout_ms;
    while (len) {
        int ready = wait_fd(t, POLLOUT, deadline);
        if (ready == 0)
            return lost(t, ESPCTL_E_TIMEOUT, "send timed out");
        ssize_t n = ready < 0 ? -1 : send(t->fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            return lost(t, ESPCTL_E_NO_DEVICE, "connection lost while sending");
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Read exactly `len` bytes, or (when `partial`) whatever one segment brings. */
static int recv_bytes(struct tcp_transport *t, uint8_t *data, size_t len, int partial, size_t *got)
{
    uint64_t deadline = dap_now_ms(&t->env) + t->env.timeout_ms;
    size_t have = 0;
    while (have < len) {
        int ready = wait_fd(t, POLLIN, deadline);
        if (ready == 0) {
            char why[96];
            snprintf(why, sizeof why, "no answer within %u ms", t->env.timeout_ms);
            return lost(t, ESPCTL_E_TIMEOUT, why);
        }
        ssize_t n = ready < 0 ? -1 : recv(t->fd, data + have, len - have, 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            return lost(t, ESPCTL_E_NO_DEVICE, "connection closed by the probe");
        have += (size_t)n;
        if (partial)
            break;
    }
    if (got)
        *got = have;
    return 0;
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
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    int gai = getaddrinfo(host, service, &hints, &res);
    if (gai)
        return dap_fail(&t->env, ESPCTL_E_NOT_FOUND, "CMSIS-DAP %s: cannot resolve '%s': %s", t->base.name, host,
                        gai_strerror(gai));
    int err = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) && errno != EINPROGRESS) {
            err = errno;
            close(fd);
            continue;
        }
        t->fd = fd;
        int ready = wait_fd(t, POLLOUT, dap_now_ms(&t->env) + t->env.timeout_ms);
        socklen_t elen = sizeof err;
        err = 0;
        if (ready <= 0)
            err = ETIMEDOUT;
        else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen))
            err = errno;
        if (!err)
            break;
        close(fd);
        t->fd = -1;
    }
    freeaddrinfo(res);
    if (t->fd < 0)
        return dap_fail(&t->env, err == ECONNREFUSED ? ESPCTL_E_NOT_FOUND : ESPCTL_E_IO,
                        "CMSIS-DAP %s: cannot connect: %s", t->base.name, strerror(err ? err : EIO));
    int one = 1;
    setsockopt(t->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
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
