/*
 * sim_child.h — run `espctl-sim FRONT` (stlink, dap) on a free loopback port for one test
 * and stop it afterwards (SIGTERM so it writes --stats/--flash-out, then SIGKILL; always
 * reaped).
 */
#ifndef ESPCTL_TEST_SIM_CHILD_H
#define ESPCTL_TEST_SIM_CHILD_H

#include <sys/types.h>

struct sim_child {
    pid_t pid;
    unsigned port;
    int out_fd;
    /** The probe selector reaching it: "<prefix>127.0.0.1:PORT". */
    char selector[64];
};

/**
 * Start `espctl-sim FRONT --chip stm32g431rb --port 0` with extra arguments (NULL-terminated,
 * may be NULL; at most 34); wait at most 10 s for its "listening on 127.0.0.1:PORT" line and
 * fill the selector as `selector_prefix` + "127.0.0.1:PORT". 0 on success; -1 with the
 * child stopped and the first line reported on stderr.
 */
int sim_child_start(struct sim_child *sim, const char *front, const char *selector_prefix,
                    const char *const *extra_args);

/** SIGTERM, wait up to `grace_ms` for it to exit, else SIGKILL; reap. Returns its exit
 * status, or -1 when it had to be killed (or was not running). */
int sim_child_stop(struct sim_child *sim, int grace_ms);

#endif
