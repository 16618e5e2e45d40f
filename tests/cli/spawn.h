/*
 * spawn.h — run a program the way a user would, with a bounded wait.
 */
#ifndef ESPCTL_TEST_SPAWN_H
#define ESPCTL_TEST_SPAWN_H

#include <stddef.h>

/** What a finished (or killed) child left behind. */
struct spawn_result {
    int exit_code; /**< exit status, or 128 + signal number */
    int timed_out; /**< the child was killed after the timeout */
    char *out;     /**< everything written to stdout, NUL-terminated (malloc'd) */
    char *err;     /**< everything written to stderr, NUL-terminated (malloc'd) */
};

/**
 * Run argv[0] (a path) with argv, stdin from /dev/null, and the current environment
 * changed by `env`: NULL-terminated "NAME=value" entries set a variable, "NAME"
 * alone removes it. After `timeout_ms` the child is killed. Returns 0, or -1 when
 * the child could not be started (errno set).
 */
int spawn_run(const char *const *argv, const char *const *env, int timeout_ms,
              struct spawn_result *result);
void spawn_result_free(struct spawn_result *result);

#endif /* ESPCTL_TEST_SPAWN_H */
