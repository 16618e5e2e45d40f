#include "rtt_session.h"

#include "espctl/plugin/ext/run_control.h"
#include "util.h"

#include <pthread.h>
#include <stdlib.h>

struct cm_rtt_monitor {
    struct cm_rtt rtt;
    const struct espctl_host *host;
    /** Set for an all-stop probe: every poll halts and resumes the core. */
    const struct espctl_run_control *all_stop;
    void *probe;
    /** Serialises target accesses of monitor_read and monitor_write. */
    pthread_mutex_t lock;
    uint32_t backoff_min_ms;
    uint32_t backoff_ms;
};

static const struct espctl_run_control *run_control(const struct cm_rtt_env *env)
{
    if (!ESPCTL_HAS_FN(env->drv, struct espctl_probe_driver, get_extension))
        return NULL;
    const struct espctl_run_control *rc = env->drv->get_extension(env->probe, ESPCTL_EXT_RUN_CONTROL);
    if (!rc || rc->hdr.struct_size < sizeof *rc || !rc->halt || !rc->resume || !rc->is_halted)
        return NULL;
    return rc;
}

/* Sleep `ms`, or less when cancelled (then ESPCTL_E_CANCELLED). */
static int nap(const struct espctl_host *h, uint32_t ms)
{
    if (cm_cancelled(h))
        return ESPCTL_E_CANCELLED;
    if (ESPCTL_HAS_FN(h, struct espctl_host, sleep_us))
        return h->sleep_us(h, (uint64_t)ms * 1000u) ? ESPCTL_E_CANCELLED : 0;
    return 0;
}

/* Start of an access burst: halt an all-stop core that runs. *resume tells end(). */
static int burst_begin(struct cm_rtt_monitor *m, int *resume)
{
    *resume = 0;
    pthread_mutex_lock(&m->lock);
    if (!m->all_stop)
        return 0;
    int32_t halted = 1;
    int rc = m->all_stop->is_halted(m->probe, &halted);
    if (rc == 0 && !halted) {
        rc = m->all_stop->halt(m->probe);
        *resume = rc == 0;
    }
    if (rc)
        pthread_mutex_unlock(&m->lock);
    return rc;
}

static int burst_end(struct cm_rtt_monitor *m, int resume, int rc)
{
    if (resume) {
        int rrc = m->all_stop->resume(m->probe);
        if (rc == 0)
            rc = rrc;
    }
    pthread_mutex_unlock(&m->lock);
    return rc;
}

/* The session attached with the core halted: let the firmware run. */
static int let_core_run(const struct cm_rtt_env *env, const struct espctl_run_control *rc)
{
    if (rc) {
        int32_t halted = 0;
        int err = rc->is_halted(env->probe, &halted);
        if (err == 0 && halted)
            err = rc->resume(env->probe);
        if (err == 0 && env->core)
            env->core->halted_by_us = 0;
        return err;
    }
    if (!env->core || !env->core->halted_by_us)
        return 0;
    int err = env->mem->write32(env->mem->ctx, CM_DHCSR, CM_DHCSR_DBGKEY | CM_DHCSR_C_DEBUGEN);
    if (err == 0)
        cm_core_released(env->core);
    return err;
}

static int try_attach(struct cm_rtt_monitor *m, const struct espctl_monitor_params *p)
{
    int resume;
    int rc = burst_begin(m, &resume);
    if (rc)
        return rc;
    uint32_t address = (uint32_t)p->rtt_address;
    if (p->rtt_address > UINT32_MAX)
        rc = cm_error(m->host, ESPCTL_E_INVAL, "monitor: RTT address 0x%llx is not a 32-bit address",
                      (unsigned long long)p->rtt_address);
    else if (p->rtt_address == 0)
        rc = cm_rtt_scan(&m->rtt, &address);
    if (rc == 0)
        rc = cm_rtt_attach(&m->rtt, address, p->channel);
    return burst_end(m, resume, rc);
}

/* Attach, retrying while the block is absent (the firmware may not have run its
 * startup code yet) until the budget runs out. */
static int attach_with_retry(struct cm_rtt_monitor *m, const struct espctl_monitor_params *p)
{
    uint32_t budget = p->rtt_timeout_ms ? p->rtt_timeout_ms : CM_RTT_DEFAULT_TIMEOUT_MS;
    uint64_t start = cm_now_us(m->host);
    uint32_t attempts = 0;
    for (;;) {
        int rc = try_attach(m, p);
        attempts++;
        if (rc != ESPCTL_E_NOT_FOUND)
            return rc;
        uint64_t spent_ms = (cm_now_us(m->host) - start) / 1000u;
        /* Without a host clock, count naps instead. */
        if (spent_ms == 0 && !ESPCTL_HAS_FN(m->host, struct espctl_host, now_us))
            spent_ms = (uint64_t)attempts * 50u;
        if (spent_ms >= budget) {
            if (p->rtt_address)
                return cm_error(m->host, ESPCTL_E_TIMEOUT,
                                "monitor: no RTT control block appeared at 0x%08llx within %u ms (is "
                                "the firmware running, and is this its ELF?)",
                                (unsigned long long)p->rtt_address, budget);
            return cm_error(m->host, ESPCTL_E_TIMEOUT,
                            "monitor: no \"SEGGER RTT\" control block appeared in RAM within %u ms "
                            "(is the firmware running and built with RTT?)", budget);
        }
        uint32_t left = (uint32_t)(budget - spent_ms);
        rc = nap(m->host, left < 50u ? left : 50u);
        if (rc)
            return cm_error(m->host, rc, "monitor: cancelled while waiting for the RTT control block");
    }
}

int cm_rtt_monitor_open(struct cm_rtt_monitor **out, const struct cm_rtt_env *env,
                        const struct espctl_monitor_params *p)
{
    *out = NULL;
    if (!p || p->hdr.struct_size < sizeof(struct espctl_monitor_params))
        return cm_error(env->host, ESPCTL_E_ABI, "monitor: parameters of an unknown version");
    if (p->mode != ESPCTL_MONITOR_RTT)
        return cm_error(env->host, ESPCTL_E_NOT_SUPPORTED,
                        "monitor: the cortexm target offers RTT only (mode %d asked)", (int)p->mode);
    struct cm_rtt_monitor *m = calloc(1, sizeof *m);
    if (!m)
        return cm_error(env->host, ESPCTL_E_NOMEM, "monitor: out of memory");
    if (pthread_mutex_init(&m->lock, NULL) != 0) {
        free(m);
        return cm_error(env->host, ESPCTL_E_NOMEM, "monitor: cannot create a lock");
    }
    m->host = env->host;
    m->probe = env->probe;
    const struct espctl_run_control *rc = run_control(env);
    if (rc && (rc->flags & ESPCTL_RUN_CONTROL_ALL_STOP))
        m->all_stop = rc;
    m->backoff_min_ms = m->all_stop ? CM_RTT_ALLSTOP_BACKOFF_MIN_MS : CM_RTT_BACKOFF_MIN_MS;
    m->backoff_ms = m->backoff_min_ms;
    cm_rtt_init(&m->rtt, env->host, env->mem, env->chip ? env->chip->regions : NULL,
                env->chip ? env->chip->region_count : 0);
    int err = let_core_run(env, rc);
    if (err == 0)
        err = attach_with_retry(m, p);
    if (err) {
        cm_rtt_monitor_close(m);
        return err;
    }
    cm_message(env->host, "monitor", "RTT control block at 0x%08x, up channel %u (%u bytes)%s",
               m->rtt.block, m->rtt.channel, m->rtt.up.size,
               m->all_stop ? "; the probe halts the core for each poll" : "");
    *out = m;
    return 0;
}

int cm_rtt_monitor_read(struct cm_rtt_monitor *m, uint8_t *buf, uint32_t capacity, uint32_t *got,
                        uint32_t timeout_ms)
{
    *got = 0;
    uint64_t start = cm_now_us(m->host);
    for (;;) {
        int resume;
        int rc = burst_begin(m, &resume);
        if (rc == 0)
            rc = burst_end(m, resume, cm_rtt_read(&m->rtt, buf, capacity, got));
        if (rc || *got) {
            m->backoff_ms = m->backoff_min_ms;
            return rc;
        }
        uint64_t spent_ms = (cm_now_us(m->host) - start) / 1000u;
        if (spent_ms >= timeout_ms)
            return 0;
        uint32_t left = (uint32_t)(timeout_ms - spent_ms);
        uint32_t wait = m->backoff_ms < left ? m->backoff_ms : left;
        m->backoff_ms = m->backoff_ms * 2 > CM_RTT_BACKOFF_MAX_MS ? CM_RTT_BACKOFF_MAX_MS
                                                                  : m->backoff_ms * 2;
        if (nap(m->host, wait))
            return 0; /* cancelled: the caller sees its own cancellation */
        if (!ESPCTL_HAS_FN(m->host, struct espctl_host, now_us))
            return 0;
    }
}

int cm_rtt_monitor_write(struct cm_rtt_monitor *m, const uint8_t *buf, uint32_t length)
{
    uint32_t done = 0;
    uint64_t stalled_since = cm_now_us(m->host);
    while (done < length) {
        uint32_t n = 0;
        int resume;
        int rc = burst_begin(m, &resume);
        if (rc == 0)
            rc = burst_end(m, resume, cm_rtt_write(&m->rtt, buf + done, length - done, &n));
        if (rc)
            return rc;
        done += n;
        if (n) {
            stalled_since = cm_now_us(m->host);
            continue;
        }
        if ((cm_now_us(m->host) - stalled_since) / 1000u >= CM_RTT_WRITE_STALL_MS ||
            !ESPCTL_HAS_FN(m->host, struct espctl_host, now_us))
            return cm_error(m->host, ESPCTL_E_TIMEOUT,
                            "monitor: RTT down channel %u stayed full for %u ms (%u of %u bytes sent; "
                            "is the firmware reading it?)", m->rtt.channel, CM_RTT_WRITE_STALL_MS, done,
                            length);
        if (nap(m->host, CM_RTT_BACKOFF_MIN_MS))
            return cm_error(m->host, ESPCTL_E_CANCELLED, "monitor: cancelled while sending input");
    }
    return 0;
}

void cm_rtt_monitor_close(struct cm_rtt_monitor *m)
{
    if (!m)
        return;
    cm_log(m->host, ESPCTL_LOG_DEBUG,
           "RTT monitor closed: %llu bytes up (%llu whole-ring reads), %llu down, %llu resyncs",
           (unsigned long long)m->rtt.bytes_up, (unsigned long long)m->rtt.span_reads,
           (unsigned long long)m->rtt.bytes_down, (unsigned long long)m->rtt.resyncs);
    cm_rtt_fini(&m->rtt);
    pthread_mutex_destroy(&m->lock);
    free(m);
}
