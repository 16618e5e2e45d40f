/*
 * dap_sim_process.h — start `espctl-sim dap` on a free loopback port for one test and
 * stop it afterwards (SIGTERM, then SIGKILL; always reaped).
 */
#ifndef DAP_SIM_PROCESS_H
#define DAP_SIM_PROCESS_H

#include <sys/types.h>

struct dap_sim {
    pid_t pid;
    unsigned port;
    int out_fd;
    /** "dap-tcp:127.0.0.1:PORT" */
    char selector[64];
};

/** Start the simulator with extra arguments (NULL-terminated, may be NULL); waits at most
 * 10 s for its "listening on 127.0.0.1:PORT" line. 0 on success. */
int dap_sim_start(struct dap_sim *sim, const char *const *extra_args);
/** Stop it (SIGTERM so it writes --stats/--flash-out) and reap it. Returns its exit status
 * (or -1 when it had to be killed). */
int dap_sim_stop(struct dap_sim *sim);

#endif
