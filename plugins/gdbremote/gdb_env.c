#include "gdb_env.h"

void gdb_env_init(struct gdb_env *env, const struct espctl_host *host)
{
    env->host = host;
    env->timeout_ms = plugin_config_u32(host, "gdbremote.timeout_ms", GDB_DEFAULT_TIMEOUT_MS, 10, 600000);
    env->flash_timeout_ms = plugin_config_u32(host, "gdbremote.flash_timeout_ms",
                                              GDB_DEFAULT_FLASH_TIMEOUT_MS, 10, 600000);
    env->reset_command = host->config_get ? host->config_get(host, "gdbremote.reset_command") : NULL;
}
