/* libFuzzer harness for CMSIS-DAP response handling. The input is a sequence of probe
 * responses, each `len:u8` then up to `len` bytes; the first byte picks a starting point.
 * A fake transport hands the responses to the real command, transfer, memory and session
 * layers in request order, and the raw parsers also see the first response directly.
 * Whatever the bytes, the code must return an error or succeed: no crash, no hang. */
#include "dap_probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct replay_transport {
    struct dap_transport base;
    const uint8_t *data;
    size_t size, pos;
};

static int fh_set_error(const struct espctl_host *host, int code, const char *message)
{
    (void)host;
    (void)message;
    return code;
}
static void fh_log(const struct espctl_host *host, int32_t level, const char *message)
{
    (void)host;
    (void)level;
    (void)message;
}
static uint64_t fake_clock_us;
static uint64_t fh_now_us(const struct espctl_host *host)
{
    (void)host;
    return fake_clock_us += 1000;
}
static int fh_sleep_us(const struct espctl_host *host, uint64_t us)
{
    (void)host;
    fake_clock_us += us;
    return 0;
}

static int rt_send(struct dap_transport *t, const uint8_t *req, size_t len)
{
    (void)t;
    (void)req;
    (void)len;
    return 0;
}

static int rt_recv(struct dap_transport *base, uint8_t *resp, size_t cap, size_t *len)
{
    struct replay_transport *t = (struct replay_transport *)base;
    if (t->pos >= t->size)
        return ESPCTL_E_TIMEOUT;
    size_t n = t->data[t->pos++];
    if (n > t->size - t->pos)
        n = t->size - t->pos;
    if (n > cap)
        n = cap;
    memcpy(resp, t->data + t->pos, n);
    t->pos += n;
    *len = n;
    return 0;
}

static void rt_destroy(struct dap_transport *t)
{
    (void)t;
}

static const struct dap_transport_ops rt_ops = {rt_send, rt_recv, rt_destroy};

static void parsers(const uint8_t *data, size_t size)
{
    char why[256];
    struct dap_info_value v;
    struct dap_xfer_status st;
    uint32_t words[DAP_MAX_PACKET / 4 + 1];
    static const uint8_t reqs[8] = {0x02, 0x0F, 0x0D, 0x06, 0x0B, 0x01, 0x0E, 0x05};
    for (unsigned id = 0; id < 256; id += 0x11)
        dap_parse_info(data, size, (uint8_t)id, &v, why, sizeof why);
    dap_parse_info(data, size, DAP_INFO_PACKET_SIZE, &v, why, sizeof why);
    dap_parse_info(data, size, DAP_INFO_PACKET_COUNT, &v, why, sizeof why);
    dap_parse_status(data, size, size ? data[0] : 0, why, sizeof why);
    dap_parse_transfer(data, size, reqs, 8, &st, words, why, sizeof why);
    uint32_t count = size > 3 ? (uint32_t)(data[1] | data[2] << 8) % (DAP_MAX_PACKET / 4) : 1;
    dap_parse_block(data, size, count, 1, &st, words, why, sizeof why);
    dap_parse_block(data, size, count, 0, &st, words, why, sizeof why);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    parsers(data + 1, size - 1);
    struct espctl_host host = {.hdr = ESPCTL_ABI_HDR(struct espctl_host)};
    host.set_error = fh_set_error;
    host.log = fh_log;
    host.now_us = fh_now_us;
    host.sleep_us = fh_sleep_us;
    struct dap_env env;
    dap_env_init(&env, &host);
    env.host_retries = 2;
    static struct replay_transport t;
    memset(&t, 0, sizeof t);
    t.base.ops = &rt_ops;
    t.base.kind = DAP_TRANSPORT_FAKE;
    t.base.max_packet = (data[0] & 1) ? 64 : 0;
    snprintf(t.base.name, sizeof t.base.name, "fuzz");
    t.data = data + 1;
    t.size = size - 1;
    struct dap_probe *p = NULL;
    if (dap_probe_new(&p, &env, &t.base))
        return 0;
    uint8_t buf[3000];
    memset(buf, 0xA5, sizeof buf);
    switch ((data[0] >> 1) & 3) {
    case 0:
        if (dap_connect(p, 0) == 0)
            dap_mem_read(p, 0, 0x20000000u + 0x3F0u, 32, buf, sizeof buf);
        break;
    case 1:
        p->window = 1 + (data[0] >> 3) % 8;
        dap_mem_write(p, 0, 0x200003FEu, 16, buf, 1200);
        dap_mem_read(p, 0, 0x20000001u, 8, buf, 77);
        break;
    case 2: {
        uint32_t v;
        dap_ap_read(p, 0, 0xFC, &v);
        dap_dp_read(p, 0x14, &v);
        dap_reset(p, ESPCTL_RESET_HW_PULSE);
        break;
    }
    default:
        p->window = 4;
        dap_mem_write(p, 0, 0x08000000u, 32, buf, sizeof buf - 4);
        dap_disconnect(p);
        break;
    }
    dap_probe_free(p);
    return 0;
}
