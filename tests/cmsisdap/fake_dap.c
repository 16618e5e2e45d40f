#include "fake_dap.h"

#include <stdio.h>
#include <string.h>

static int fd_send(struct dap_transport *base, const uint8_t *req, size_t len)
{
    struct fake_dap *f = (struct fake_dap *)base;
    if (f->count >= 64)
        return dap_fail(&f->env, ESPCTL_E_IO, "fake probe: more than 64 requests outstanding");
    unsigned slot = (f->head + f->count) % 64;
    uint8_t *resp = f->queue[slot];
    f->packets++;
    if (len > f->max_request_len)
        f->max_request_len = len;
    f->requests_by_cmd[req[0]]++;
    size_t n = dapsim_execute(&f->sim, req, len, resp, f->sim.packet_size);
    int hit = (f->damage_at && f->packets == f->damage_at) || (f->damage_cmd == req[0]);
    if (hit && f->damage != FAKE_INTACT) {
        f->damage_cmd = 0x100;
        switch (f->damage) {
        case FAKE_TRUNCATE: if (n > f->damage_len) n = f->damage_len; break;
        case FAKE_BAD_ECHO: resp[0] ^= 0x40; break;
        case FAKE_UNKNOWN: resp[0] = 0xFF; n = 1; break;
        case FAKE_SILENT: n = (size_t)-1; break;
        case FAKE_BAD_COUNT:
            if (resp[0] == 0x05) resp[1] = 0xFF;
            if (resp[0] == 0x06) resp[1] = 0xFF, resp[2] = 0xFF;
            break;
        default: break;
        }
    }
    f->queue_len[slot] = n;
    f->count++;
    if (f->count > f->max_queued)
        f->max_queued = f->count;
    return 0;
}

static int fd_recv(struct dap_transport *base, uint8_t *resp, size_t cap, size_t *len)
{
    struct fake_dap *f = (struct fake_dap *)base;
    if (!f->count)
        return dap_fail(&f->env, ESPCTL_E_TIMEOUT, "fake probe: nothing to answer");
    unsigned slot = f->head;
    f->head = (f->head + 1) % 64;
    f->count--;
    if (f->queue_len[slot] == (size_t)-1)
        return dap_fail(&f->env, ESPCTL_E_TIMEOUT, "fake probe: no answer (silent)");
    size_t n = f->queue_len[slot] < cap ? f->queue_len[slot] : cap;
    memcpy(resp, f->queue[slot], n);
    *len = n;
    return 0;
}

static void fd_destroy(struct dap_transport *base)
{
    (void)base;
}

static const struct dap_transport_ops fake_ops = {fd_send, fd_recv, fd_destroy};

int fake_dap_init(struct fake_dap *f, const struct dap_env *env, uint16_t packet_size, uint8_t packet_count)
{
    memset(f, 0, sizeof *f);
    f->base.ops = &fake_ops;
    f->base.kind = DAP_TRANSPORT_FAKE;
    snprintf(f->base.name, sizeof f->base.name, "fake");
    snprintf(f->base.product, sizeof f->base.product, "fake USB product");
    f->env = *env;
    f->damage_cmd = 0x100;
    f->target = sim_target_new(sim_chip_find("stm32g431rb"));
    if (!f->target)
        return -1;
    dapsim_probe_init(&f->sim, f->target, packet_size, packet_count, "FAKE0001");
    return 0;
}

void fake_dap_fini(struct fake_dap *f)
{
    sim_target_free(f->target);
    f->target = NULL;
}
