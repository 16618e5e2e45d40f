#include "stlink_env.h"

void stlink_env_init(struct stlink_env *env, const struct espctl_host *host)
{
    env->host = host;
    env->timeout_ms = plugin_config_u32(host, "stlink.timeout_ms", STLINK_DEFAULT_TIMEOUT_MS, 10, 60000);
    env->speed_khz = plugin_config_u32(host, "stlink.speed_khz", STLINK_DEFAULT_SPEED_KHZ, 1, 100000);
    uint32_t block = plugin_config_u32(host, "stlink.tar_block", 1024, 1024, 4096);
    if (block != 1024 && block != 2048 && block != 4096) {
        stlink_log(env, ESPCTL_LOG_WARN, "config stlink.tar_block = %u is not 1024, 2048 or 4096; using 1024",
                   block);
        block = 1024;
    }
    env->tar_block = block;
    env->tar_block_configured = host->config_get && host->config_get(host, "stlink.tar_block");
}
