/*
 * dap_env.h — what every layer of the cmsisdap plugin needs from the core: the host
 * services plus the bounded-wait and queuing settings read from the configuration.
 */
#ifndef DAP_ENV_H
#define DAP_ENV_H

#include "espctl/plugin.h"
#include "plugin_env.h"

#include <stdint.h>

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
#define dap_fail(env, code, ...) plugin_fail((env)->host, (code), __VA_ARGS__)

/** Log one formatted line through the host. */
#define dap_log(env, level, ...) plugin_log((env)->host, (level), __VA_ARGS__)

/** Monotonic milliseconds from the host clock. */
#define dap_now_ms(env) plugin_now_ms((env)->host)

#endif /* DAP_ENV_H */
