/* Command exchange (in-flight window, echo checks) and the simple DAP commands. */
#include "dap_probe.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int dap_proto_fail(struct dap_probe *p, int code, const char *why)
{
    return dap_fail(&p->env, code, "CMSIS-DAP %s: %s", p->t->name, why);
}

int dap_pipe_send(struct dap_probe *p, const uint8_t *req, size_t len)
{
    if (len > p->packet_size)
        return dap_fail(&p->env, ESPCTL_E_INVAL, "CMSIS-DAP %s: request 0x%02X of %zu bytes exceeds the packet size %u",
                        p->t->name, req[0], len, p->packet_size);
    int rc = p->t->ops->send(p->t, req, len);
    if (rc)
        return rc;
    p->inflight++;
    p->packets_sent++;
    return 0;
}

int dap_pipe_recv(struct dap_probe *p, uint8_t *resp, size_t cap, size_t *len)
{
    if (!p->inflight)
        return dap_fail(&p->env, ESPCTL_E_INVAL, "CMSIS-DAP %s: no request outstanding", p->t->name);
    p->inflight--;
    return p->t->ops->recv(p->t, resp, cap, len);
}

void dap_pipe_drain(struct dap_probe *p)
{
    uint8_t resp[DAP_MAX_PACKET];
    size_t len;
    while (p->inflight)
        if (dap_pipe_recv(p, resp, sizeof resp, &len)) {
            p->inflight = 0; /* the transport is dead or out of step; it fails later calls itself */
            break;
        }
}

int dap_exchange(struct dap_probe *p, const uint8_t *req, size_t len, uint8_t *resp, size_t cap, size_t *rlen)
{
    dap_pipe_drain(p);
    int rc = dap_pipe_send(p, req, len);
    if (rc)
        return rc;
    return dap_pipe_recv(p, resp, cap, rlen);
}

int dap_info(struct dap_probe *p, uint8_t id, struct dap_info_value *v)
{
    uint8_t req[2] = {DAP_CMD_INFO, id}, resp[DAP_MAX_PACKET];
    size_t len = 0;
    char why[256];
    int rc = dap_exchange(p, req, sizeof req, resp, sizeof resp, &len);
    if (rc)
        return rc;
    rc = dap_parse_info(resp, len, id, v, why, sizeof why);
    return rc ? dap_proto_fail(p, rc, why) : 0;
}

/* A command whose answer is one status byte. */
static int status_cmd(struct dap_probe *p, const uint8_t *req, size_t len)
{
    uint8_t resp[DAP_MAX_PACKET];
    size_t rlen = 0;
    char why[256];
    int rc = dap_exchange(p, req, len, resp, sizeof resp, &rlen);
    if (rc)
        return rc;
    rc = dap_parse_status(resp, rlen, req[0], why, sizeof why);
    return rc ? dap_proto_fail(p, rc, why) : 0;
}

int dap_host_status(struct dap_probe *p, uint8_t type, uint8_t on)
{
    uint8_t req[3] = {DAP_CMD_HOST_STATUS, type, on};
    return status_cmd(p, req, sizeof req);
}

int dap_cmd_connect_swd(struct dap_probe *p)
{
    uint8_t req[2] = {DAP_CMD_CONNECT, 1}, resp[DAP_MAX_PACKET];
    size_t len = 0;
    char why[256];
    int rc = dap_exchange(p, req, sizeof req, resp, sizeof resp, &len);
    if (rc)
        return rc;
    rc = dap_check_echo(resp, len, DAP_CMD_CONNECT, 2, why, sizeof why);
    if (rc)
        return dap_proto_fail(p, rc, why);
    if (resp[1] != 1)
        return dap_fail(&p->env, ESPCTL_E_NOT_SUPPORTED, "CMSIS-DAP %s: DAP_Connect(SWD) answered port %u: the probe "
                        "cannot do SWD", p->t->name, resp[1]);
    return 0;
}

int dap_cmd_disconnect(struct dap_probe *p)
{
    uint8_t req[1] = {DAP_CMD_DISCONNECT};
    return status_cmd(p, req, sizeof req);
}

int dap_swj_clock(struct dap_probe *p, uint32_t hz)
{
    uint8_t req[5] = {DAP_CMD_SWJ_CLOCK};
    dap_put32(req + 1, hz);
    return status_cmd(p, req, sizeof req);
}

int dap_swj_sequence(struct dap_probe *p, uint32_t bits, const uint8_t *data)
{
    if (bits == 0 || bits > 256)
        return dap_fail(&p->env, ESPCTL_E_INVAL, "DAP_SWJ_Sequence: %u bits is not 1..256", bits);
    uint8_t req[2 + 32];
    req[0] = DAP_CMD_SWJ_SEQUENCE;
    req[1] = (uint8_t)(bits == 256 ? 0 : bits);
    memcpy(req + 2, data, (bits + 7) / 8);
    return status_cmd(p, req, 2 + (bits + 7) / 8);
}

int dap_swd_configure(struct dap_probe *p, uint8_t cfg)
{
    uint8_t req[2] = {DAP_CMD_SWD_CONFIGURE, cfg};
    return status_cmd(p, req, sizeof req);
}

int dap_transfer_configure(struct dap_probe *p, uint8_t idle, uint16_t wait_retry, uint16_t match_retry)
{
    uint8_t req[6] = {DAP_CMD_TRANSFER_CONFIGURE, idle};
    dap_put16(req + 2, wait_retry);
    dap_put16(req + 4, match_retry);
    return status_cmd(p, req, sizeof req);
}

int dap_write_abort(struct dap_probe *p, uint32_t value)
{
    uint8_t req[6] = {DAP_CMD_WRITE_ABORT, 0};
    dap_put32(req + 2, value);
    return status_cmd(p, req, sizeof req);
}

int dap_swj_pins(struct dap_probe *p, uint8_t out, uint8_t select, uint32_t wait_us, uint8_t *pins_in)
{
    uint8_t req[7] = {DAP_CMD_SWJ_PINS, out, select}, resp[DAP_MAX_PACKET];
    dap_put32(req + 3, wait_us);
    size_t len = 0;
    char why[256];
    int rc = dap_exchange(p, req, sizeof req, resp, sizeof resp, &len);
    if (rc)
        return rc;
    rc = dap_check_echo(resp, len, DAP_CMD_SWJ_PINS, 2, why, sizeof why);
    if (rc)
        return dap_proto_fail(p, rc, why);
    if (pins_in)
        *pins_in = resp[1];
    return 0;
}

int dap_reset_target(struct dap_probe *p, int *executed)
{
    uint8_t req[1] = {DAP_CMD_RESET_TARGET}, resp[DAP_MAX_PACKET];
    size_t len = 0;
    char why[256];
    int rc = dap_exchange(p, req, sizeof req, resp, sizeof resp, &len);
    if (rc)
        return rc;
    rc = dap_parse_status(resp, len, DAP_CMD_RESET_TARGET, why, sizeof why);
    if (!rc && len < 3) {
        snprintf(why, sizeof why, "DAP_ResetTarget answer is %zu bytes, expected 3", len);
        rc = ESPCTL_E_PROTOCOL;
    }
    if (rc)
        return dap_proto_fail(p, rc, why);
    *executed = resp[2] == 1;
    return 0;
}

static void fill_if_empty(char *dst, size_t size, const char *fallback)
{
    if (!dst[0] && fallback)
        snprintf(dst, size, "%.*s", (int)size - 1, fallback);
}

int dap_probe_new(struct dap_probe **out, const struct dap_env *env, struct dap_transport *t)
{
    struct dap_probe *p = calloc(1, sizeof *p);
    if (!p) {
        t->ops->destroy(t);
        return env->host->set_error(env->host, ESPCTL_E_NOMEM, "out of memory");
    }
    p->env = *env;
    p->t = t;
    p->window = 1;
    p->speed_khz = env->speed_khz;
    /* Until DAP_Info(0xFF) answers, only the smallest packet is safe. */
    p->packet_size = t->max_packet ? t->max_packet : DAP_MIN_PACKET;
    if (p->packet_size > DAP_MAX_PACKET)
        p->packet_size = DAP_MAX_PACKET;
    struct dap_info_value v;
    int rc = dap_info(p, DAP_INFO_PACKET_SIZE, &v);
    if (!rc && (v.number < DAP_MIN_PACKET))
        rc = dap_fail(env, ESPCTL_E_PROTOCOL, "CMSIS-DAP %s: DAP_Info packet size %u is below %u", t->name, v.number,
                      DAP_MIN_PACKET);
    if (rc) {
        dap_probe_free(p);
        return rc;
    }
    uint32_t size = v.number;
    if (size > DAP_MAX_PACKET)
        size = DAP_MAX_PACKET;
    if (t->max_packet && size > t->max_packet)
        size = t->max_packet;
    p->packet_size = size;
    rc = dap_info(p, DAP_INFO_PACKET_COUNT, &v);
    if (!rc && v.number == 0)
        rc = dap_fail(env, ESPCTL_E_PROTOCOL, "CMSIS-DAP %s: DAP_Info packet count is 0", t->name);
    if (!rc) {
        p->packet_count = v.number;
        rc = dap_info(p, DAP_INFO_CAPS, &v);
    }
    if (rc) {
        dap_probe_free(p);
        return rc;
    }
    p->caps = v.number;
    p->window = p->packet_count < env->max_inflight ? p->packet_count : env->max_inflight;
    if (t->max_inflight && p->window > t->max_inflight)
        p->window = t->max_inflight;
    static const struct {
        uint8_t id;
        size_t off, size;
    } strings[] = {
        {DAP_INFO_VENDOR, offsetof(struct dap_probe, vendor), sizeof p->vendor},
        {DAP_INFO_PRODUCT, offsetof(struct dap_probe, product), sizeof p->product},
        {DAP_INFO_SERIAL, offsetof(struct dap_probe, serial), sizeof p->serial},
        {DAP_INFO_FIRMWARE, offsetof(struct dap_probe, firmware), sizeof p->firmware},
        {DAP_INFO_PROTOCOL, offsetof(struct dap_probe, protocol), sizeof p->protocol},
    };
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++) {
        rc = dap_info(p, strings[i].id, &v);
        if (rc) {
            dap_probe_free(p);
            return rc;
        }
        snprintf((char *)p + strings[i].off, strings[i].size, "%s", v.text);
    }
    /* "not available" strings come from USB descriptors instead */
    fill_if_empty(p->vendor, sizeof p->vendor, t->manufacturer);
    fill_if_empty(p->product, sizeof p->product, t->product);
    fill_if_empty(p->serial, sizeof p->serial, t->serial);
    if (!(p->caps & DAP_CAP_SWD)) {
        rc = dap_fail(env, ESPCTL_E_NOT_SUPPORTED, "CMSIS-DAP %s (%s): capabilities 0x%02X lack SWD", t->name,
                      p->product, p->caps);
        dap_probe_free(p);
        return rc;
    }
    dap_log(env, ESPCTL_LOG_DEBUG, "CMSIS-DAP %s: %s %s, firmware %s, protocol %s, packets %u x %u, window %u",
            t->name, p->vendor, p->product, p->firmware, p->protocol, p->packet_count, p->packet_size, p->window);
    *out = p;
    return 0;
}

void dap_probe_free(struct dap_probe *p)
{
    if (!p)
        return;
    if (p->t)
        p->t->ops->destroy(p->t);
    free(p);
}
