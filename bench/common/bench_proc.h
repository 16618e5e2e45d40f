/* bench/common: process helpers shared by the flash benches -- run a tool with its output in a
 * log, start `espctl-sim` and read the port it listens on, wait (bounded) for it to exit. */
#ifndef BENCH_PROC_H
#define BENCH_PROC_H

#include <sys/types.h>

/** Upper bound, in seconds, passed to timeout(1) in front of every tool a bench runs. */
#define BENCH_TOOL_TIMEOUT "300"

/**
 * Run @p argv (NULL-terminated, looked up in PATH) with stdout and stderr written to @p log.
 * @return the command's exit status, or -1 if it could not be run or did not exit normally.
 */
int bench_run_logged(const char *const *argv, const char *log);

/**
 * Start the simulator as @p argv (argv[0] is its path) and read the port from its first line,
 * "listening on 127.0.0.1:PORT", waiting at most 10 s. On failure the child is terminated and
 * "@p who: simulator did not report its port" is printed.
 * @return 0 with *pid and *port set, or -1.
 */
int bench_sim_spawn(const char *const *argv, const char *who, pid_t *pid, unsigned *port);

/** Wait up to 10 s for the simulator @p pid to exit on its own, then terminate it. */
void bench_sim_reap(pid_t pid);

#endif
