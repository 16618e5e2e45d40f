/* Starts and stops an `espctl-sim esp` process for the integration tests (bounded waits). */
#ifndef ESP_SIM_PROCESS_H
#define ESP_SIM_PROCESS_H

#include <sys/types.h>

struct sim {
    pid_t pid;
    char endpoint[128]; /* pty path, or TCP port as text */
    char dir[64], flash_out[128], stats[128];
};

/**
 * Runs `espctl-sim esp --chip CHIP (--pty | --tcp 0) --flash-out .. --stats ..` plus the
 * NULL-terminated extra arguments, and waits (10 s at most) for its first stdout line.
 * Fails the current cmocka test on error.
 */
void sim_start(struct sim *s, const char *chip, int pty, const char *const *extra);
/** SIGTERM, then waits up to 5 s for exit status 0 (fails the test otherwise). */
void sim_stop(struct sim *s);
/** Waits up to timeout_ms for the process to exit by itself (e.g. --once); returns its exit status or -1. */
int sim_wait_exit(struct sim *s, int timeout_ms);
void sim_cleanup(struct sim *s);

#endif
