/* stlink-server TCP protocol: framing, device selection, bounded socket I/O. */
#include "stlink_tcp.h"
#include "stlink_ids.h"

#include "plugin_net.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CMD_REFRESH 0x00
#define CMD_GET_NB_DEV 0x01
#define CMD_GET_DEV_INFO 0x02
#define CMD_OPEN_DEV 0x03
#define CMD_CLOSE_DEV 0x04
#define CMD_SEND_USB_CMD 0x05
#define CMD_GET_SERVER_VERSION 0x06

#define TCP_OK 1u
#define TCP_BUSY 0x2004u
#define TCP_BUSY_RETRIES 8
#define DEV_INFO_SIZE 45u
#define USB_CMD_HEADER 32u

static void put32(uint8_t *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

struct tcp_transport {
    struct stlink_transport base;
    struct stlink_env env;
    int fd;
    int dead;
    uint32_t api;
    uint32_t connect_id;
    char peer[96];
    uint8_t buf[STLINK_TCP_BUFFER];
    /* Replies land apart from the request, so a BUSY retry resends `buf` as is. */
    uint8_t reply[STLINK_TCP_BUFFER];
};

static int lost(struct tcp_transport *t, int code, const char *why)
{
    t->dead = 1;
    return stlink_fail(&t->env, code, "stlink-server %s: %s", t->peer, why);
}

static int send_all(struct tcp_transport *t, const uint8_t *data, size_t len, uint64_t deadline)
{
    switch (plugin_net_send_all(t->env.host, t->fd, data, len, deadline)) {
    case PLUGIN_NET_TIMEOUT:
        return lost(t, ESPCTL_E_TIMEOUT, "send timed out");
    case PLUGIN_NET_CLOSED:
        return lost(t, ESPCTL_E_NO_DEVICE, "connection lost while sending");
    default:
        return 0;
    }
}

static int recv_all(struct tcp_transport *t, uint8_t *data, size_t len, uint64_t deadline)
{
    char why[96];
    switch (plugin_net_recv(t->env.host, t->fd, data, len, 0, NULL, deadline)) {
    case PLUGIN_NET_TIMEOUT:
        snprintf(why, sizeof why, "no reply within %u ms", t->env.timeout_ms);
        return lost(t, ESPCTL_E_TIMEOUT, why);
    case PLUGIN_NET_CLOSED:
        return lost(t, ESPCTL_E_NO_DEVICE, "connection closed by the server");
    default:
        return 0;
    }
}

/* One request and its fixed-size reply, both bounded by the configured timeout. */
static int request(struct tcp_transport *t, const uint8_t *req, size_t req_len, uint8_t *reply,
                   size_t reply_len)
{
    if (t->dead)
        return stlink_fail(&t->env, ESPCTL_E_NO_DEVICE, "stlink-server %s: connection was lost earlier",
                           t->peer);
    uint64_t deadline = stlink_now_ms(&t->env) + t->env.timeout_ms;
    int rc = send_all(t, req, req_len, deadline);
    return rc ? rc : recv_all(t, reply, reply_len, deadline);
}

static int check_status(struct tcp_transport *t, uint32_t status, const char *what)
{
    if (status == TCP_OK)
        return 0;
    return stlink_fail(&t->env, ESPCTL_E_IO, "stlink-server %s: %s failed with status 0x%x", t->peer,
                       what, status);
}

static int tcp_xfer(struct stlink_transport *base, const uint8_t cdb[STLINK_CDB_SIZE], int dir,
                    uint8_t *data, uint32_t len)
{
    struct tcp_transport *t = (struct tcp_transport *)base;
    size_t req_len = USB_CMD_HEADER + (dir == STLINK_DIR_OUT ? len : 0);
    if (req_len > STLINK_TCP_BUFFER || 4u + len > STLINK_TCP_BUFFER)
        return stlink_fail(&t->env, ESPCTL_E_INVAL, "stlink-server: %u-byte transfer exceeds %u bytes",
                           len, STLINK_TCP_BUFFER);
    uint8_t *req = t->buf;
    memset(req, 0, USB_CMD_HEADER);
    req[0] = CMD_SEND_USB_CMD;
    put32(req + 4, t->connect_id);
    memcpy(req + 8, cdb, STLINK_CDB_SIZE);
    req[24] = dir == STLINK_DIR_OUT ? 0 : 1;
    put32(req + 28, len);
    if (dir == STLINK_DIR_OUT)
        memcpy(req + USB_CMD_HEADER, data, len);
    uint32_t in_len = dir == STLINK_DIR_IN ? len : 0;
    for (int attempt = 0;; attempt++) {
        int rc = request(t, req, req_len, t->reply, 4u + in_len);
        if (rc)
            return rc;
        uint32_t status = get32(t->reply);
        if (status == TCP_BUSY && attempt < TCP_BUSY_RETRIES) {
            t->env.host->sleep_us(t->env.host, 1000ull << attempt);
            continue;
        }
        rc = check_status(t, status, "SEND_USB_CMD");
        if (!rc && in_len)
            memcpy(data, t->reply + 4, in_len);
        return rc;
    }
}

static void tcp_destroy(struct stlink_transport *base)
{
    struct tcp_transport *t = (struct tcp_transport *)base;
    if (t->connect_id && !t->dead && t->fd >= 0) {
        uint8_t req[8] = {CMD_CLOSE_DEV};
        uint8_t reply[4];
        put32(req + 4, t->connect_id);
        if (request(t, req, sizeof req, reply, sizeof reply) == 0 && get32(reply) != TCP_OK)
            stlink_log(&t->env, ESPCTL_LOG_WARN, "stlink-server %s: CLOSE_DEV status 0x%x", t->peer,
                       get32(reply));
    }
    if (t->fd >= 0)
        close(t->fd);
    free(t);
}

static const struct stlink_transport_ops tcp_ops = {tcp_xfer, tcp_destroy};

static int connect_socket(struct tcp_transport *t, const char *host, uint16_t port)
{
    char service[8];
    snprintf(service, sizeof service, "%u", port);
    int err = 0;
    int gai = plugin_net_connect(t->env.host, host, service, t->env.timeout_ms, UINT64_MAX, &t->fd, &err);
    if (gai)
        return stlink_fail(&t->env, ESPCTL_E_NOT_FOUND, "stlink-server host '%s': %s", host,
                           gai_strerror(gai));
    if (t->fd < 0)
        return stlink_fail(&t->env, err == ETIMEDOUT ? ESPCTL_E_TIMEOUT : ESPCTL_E_NO_DEVICE,
                           "cannot reach stlink-server at %s: %s", t->peer, strerror(err));
    return 0;
}

/* Pick the device to open: the first ST-Link we drive, or the one with `serial`. */
static int select_device(struct tcp_transport *t, const char *serial, uint32_t *device_id)
{
    uint8_t req[8] = {0};
    uint8_t reply[DEV_INFO_SIZE];
    req[0] = CMD_REFRESH;
    int rc = request(t, req, 2, reply, 4);
    if (!rc)
        rc = check_status(t, get32(reply), "REFRESH_DEVICE_LIST");
    req[0] = CMD_GET_NB_DEV;
    if (!rc)
        rc = request(t, req, 1, reply, 4);
    if (rc)
        return rc;
    uint32_t count = get32(reply);
    if (count > 255)
        count = 255;
    for (uint32_t i = 0; i < count; i++) {
        memset(req, 0, sizeof req);
        req[0] = CMD_GET_DEV_INFO;
        req[1] = (uint8_t)i;
        put32(req + 4, DEV_INFO_SIZE - 4);
        rc = request(t, req, sizeof req, reply, sizeof reply);
        if (!rc)
            rc = check_status(t, get32(reply), "GET_DEV_INFO");
        if (rc)
            return rc;
        uint16_t vid = (uint16_t)(reply[40] | reply[41] << 8);
        uint16_t pid = (uint16_t)(reply[42] | reply[43] << 8);
        const struct stlink_model *model = stlink_model_find(vid, pid);
        char dev_serial[33];
        memcpy(dev_serial, reply + 8, 32);
        dev_serial[32] = '\0';
        if (!model || (serial && strcmp(serial, dev_serial) != 0))
            continue;
        if (reply[44])
            return stlink_fail(&t->env, ESPCTL_E_BUSY, "stlink-server %s: ST-Link %s is already in use",
                               t->peer, dev_serial);
        *device_id = get32(reply + 4);
        t->base.vid = vid;
        t->base.pid = pid;
        t->base.hw = model->hw;
        snprintf(t->base.serial, sizeof t->base.serial, "%s", dev_serial);
        snprintf(t->base.product, sizeof t->base.product, "%s via stlink-server", model->name);
        return 0;
    }
    if (serial)
        return stlink_fail(&t->env, ESPCTL_E_NOT_FOUND, "stlink-server %s: no ST-Link with serial %s",
                           t->peer, serial);
    return stlink_fail(&t->env, ESPCTL_E_NO_DEVICE, "stlink-server %s: no ST-Link attached (%u devices)",
                       t->peer, count);
}

static int handshake(struct tcp_transport *t, const char *serial)
{
    uint8_t req[8] = {CMD_GET_SERVER_VERSION, 0x01};
    uint8_t reply[16];
    int rc = request(t, req, 4, reply, 16);
    if (rc)
        return rc;
    /* Word 0 is the server's API version, not a status. */
    t->api = get32(reply);
    stlink_log(&t->env, ESPCTL_LOG_DEBUG, "stlink-server %s: api %u, version %u.%u.%u", t->peer, t->api,
               get32(reply + 4), get32(reply + 8), get32(reply + 12));
    if (t->api < 2)
        t->base.max_data = 1024; /* api 1 servers crash above 1428-byte transfers */
    uint32_t device_id = 0;
    rc = select_device(t, serial, &device_id);
    if (rc)
        return rc;
    memset(req, 0, sizeof req);
    req[0] = CMD_OPEN_DEV;
    put32(req + 4, device_id);
    rc = request(t, req, sizeof req, reply, 8);
    if (!rc)
        rc = check_status(t, get32(reply), "OPEN_DEV");
    if (rc)
        return rc;
    t->connect_id = get32(reply + 4);
    return 0;
}

int stlink_tcp_open(const struct stlink_env *env, const char *host, uint16_t port,
                    const char *serial, struct stlink_transport **out)
{
    struct tcp_transport *t = calloc(1, sizeof *t);
    if (!t)
        return env->host->set_error(env->host, ESPCTL_E_NOMEM, "out of memory");
    t->base.ops = &tcp_ops;
    t->base.is_tcp = 1;
    t->env = *env;
    t->fd = -1;
    snprintf(t->peer, sizeof t->peer, "%s:%u", host, port);
    int rc = connect_socket(t, host, port);
    if (!rc)
        rc = handshake(t, serial);
    if (rc) {
        tcp_destroy(&t->base);
        return rc;
    }
    *out = &t->base;
    return 0;
}
