/*
 * fake_host.h — a struct espctl_host for tests that drive a probe plugin (stlink,
 * cmsisdap) without libespctl: records the last error and log lines, serves config from a
 * table, counts requested sleep time instead of sleeping.
 */
#ifndef ESPCTL_TEST_FAKE_HOST_H
#define ESPCTL_TEST_FAKE_HOST_H

#include "espctl/plugin.h"

#include <stdint.h>

struct fake_host {
    struct espctl_host host;
    int last_code;
    char last_error[512];
    char last_log[512];
    /** NULL-terminated key/value pairs. */
    const char *const *config;
    uint64_t slept_us;
    /** When non-zero, sleep_us really sleeps (for tests against a live peer). */
    int real_sleep;
};

/** Zero *fh and point its host callbacks at the fake; `config` may be NULL. */
void fake_host_init(struct fake_host *fh, const char *const *config);
/** The fake_host owning `host`. */
struct fake_host *fake_host_of(const struct espctl_host *host);

#endif
