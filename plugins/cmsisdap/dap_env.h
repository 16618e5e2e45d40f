/*
 * dap_env.h — what every layer of the cmsisdap plugin needs from the core: the host
 * services plus the bounded-wait and queuing settings read from the configuration.
 */
#ifndef DAP_ENV_H
#define DAP_ENV_H

#include "espctl/plugin.h"

#include <stdint.h>

#if defined(__GNUC__)
#define DAP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define DAP_PRINTF(f, a)
#endif

/** Default bound on one probe reply (USB transfer, TCP read). */
#define DAP_DEFAULT_TIMEOUT_MS 1000u
/** Default SWD clock when `cmsisdap.speed_khz` is unset. */
#define DAP_DEFAULT_SPEED_KHZ 1000u
/** WAIT retries the probe performs per transfer (DAP_TransferConfigure). */
#define DAP_DEFAULT_WAIT_RETRY 64u
/** Times the host re-issues a transfer the probe gave up on with WAIT. */
#define DAP_DEFAULT_HOST_RETRIES 8u
/** Most DAP commands kept in flight (further capped by the probe's packet count). */
#define DAP_DEFAULT_MAX_INFLIGHT 8u
#define DAP_MAX_INFLIGHT_LIMIT 32u

struct dap_env {
    const struct espctl_host *host;
    uint32_t timeout_ms;   /**< cmsisdap.timeout_ms */
    uint32_t speed_khz;    /**< cmsisdap.speed_khz */
    uint32_t wait_retry;   /**< cmsisdap.wait_retry */
    uint32_t host_retries; /**< cmsisdap.host_retries */
    uint32_t max_inflight; /**< cmsisdap.max_inflight */
};

/** Fill *env from the host's configuration; bad values are logged and replaced by defaults. */
void dap_env_init(struct dap_env *env, const struct espctl_host *host);

/** Format the detail text, hand it to host->set_error and return `code`. */
int dap_fail(const struct dap_env *env, int code, const char *fmt, ...) DAP_PRINTF(3, 4);

/** Log one formatted line through the host. */
void dap_log(const struct dap_env *env, int32_t level, const char *fmt, ...) DAP_PRINTF(3, 4);

/** Monotonic milliseconds from the host clock. */
uint64_t dap_now_ms(const struct dap_env *env);

#endif /* DAP_ENV_H */
