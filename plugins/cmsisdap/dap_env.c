#include "dap_env.h"

void dap_env_init(struct dap_env *env, const struct espctl_host *host)
{
    env->host = host;
    env->timeout_ms = plugin_config_u32(host, "cmsisdap.timeout_ms", DAP_DEFAULT_TIMEOUT_MS, 10, 60000);
    env->speed_khz = plugin_config_u32(host, "cmsisdap.speed_khz", DAP_DEFAULT_SPEED_KHZ, 1, 100000);
    env->wait_retry = plugin_config_u32(host, "cmsisdap.wait_retry", DAP_DEFAULT_WAIT_RETRY, 0, 65535);
    env->host_retries = plugin_config_u32(host, "cmsisdap.host_retries", DAP_DEFAULT_HOST_RETRIES, 0, 32);
    env->max_inflight = plugin_config_u32(host, "cmsisdap.max_inflight", DAP_DEFAULT_MAX_INFLIGHT, 1,
                                          DAP_MAX_INFLIGHT_LIMIT);
}
