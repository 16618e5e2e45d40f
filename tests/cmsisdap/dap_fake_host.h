/*
 * dap_fake_host.h — a struct espctl_host for tests that drive the cmsisdap layers or the
 * built plugin without libespctl: records the last error and log line, serves config
 * from a key/value table, and sleeps for real only when asked (sleep time is summed).
 */
#ifndef DAP_FAKE_HOST_H
#define DAP_FAKE_HOST_H

#include "espctl/plugin.h"

#include <stdint.h>

struct dap_fake_host {
    struct espctl_host host;
    int last_code;
    char last_error[512];
    char last_log[512];
    const char *const *config; /**< NULL-terminated key/value pairs */
    uint64_t slept_us;
    int real_sleep;
};

void dap_fake_host_init(struct dap_fake_host *fh, const char *const *config);

#endif
