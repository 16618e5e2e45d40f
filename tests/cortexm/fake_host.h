/* A host for driving cortexm without libespctl: records events and the last error,
 * lists the probe drivers a test installs, and finds chips in the cortexm plugin's
 * own families (loaded through its real entry point). */
#ifndef TEST_CORTEXM_FAKE_HOST_H
#define TEST_CORTEXM_FAKE_HOST_H

#include "espctl/plugin.h"

#define FAKE_MAX_EVENTS 4096

struct fake_event {
    int32_t kind;
    int32_t status;
    char stage[16];
    uint64_t done, total, address;
};

struct fake_host {
    struct espctl_host host;
    const struct espctl_probe_driver *drivers[4];
    uint32_t driver_count;
    const struct espctl_chip_family *families[4];
    uint32_t family_count;
    struct fake_event events[FAKE_MAX_EVENTS];
    int event_count;
    char last_error[1024];
    char last_warning[1024]; /* the last message logged at ESPCTL_LOG_WARN */
    int last_code;
    int cancel;
    /* the plugin under test */
    void *plugin_data;
    const struct espctl_flash_target *target;
};

/** Set up the host, init the cortexm plugin through its entry, register its family. */
void fake_host_init(struct fake_host *fh);
void fake_host_fini(struct fake_host *fh);
/** Events of `kind` for `stage`. */
int fake_host_count(const struct fake_host *fh, int32_t kind, const char *stage);

#endif
