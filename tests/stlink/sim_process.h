/*
 * sim_process.h — start `espctl-sim stlink` on a free loopback port for one test and
 * stop it afterwards (SIGTERM, then SIGKILL; always reaped).
 */
#ifndef STLINK_TEST_SIM_PROCESS_H
#define STLINK_TEST_SIM_PROCESS_H

#include <sys/types.h>

struct sim_process {
    pid_t pid;
    unsigned port;
    int out_fd;
    /** "stlink-tcp:127.0.0.1:PORT" */
    char selector[64];
};

/** Start the simulator with optional extra arguments (NULL-terminated, may be NULL);
 * waits at most 10 s for its "listening on 127.0.0.1:PORT" line. 0 on success. */
int sim_start(struct sim_process *sim, const char *const *extra_args);
void sim_stop(struct sim_process *sim);

#endif
