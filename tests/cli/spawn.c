/*
 * spawn.c — posix_spawn with stdout/stderr captured through pipes and a deadline.
 */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

struct buffer {
    char *data;
    size_t len;
};

static int append(struct buffer *b, const char *bytes, size_t n)
{
    char *grown = realloc(b->data, b->len + n + 1);
    if (grown == NULL)
        return -1;
    memcpy(grown + b->len, bytes, n);
    b->len += n;
    grown[b->len] = '\0';
    b->data = grown;
    return 0;
}

static size_t name_length(const char *entry)
{
    const char *eq = strchr(entry, '=');
    return eq != NULL ? (size_t)(eq - entry) : strlen(entry);
}

static int overridden(const char *entry, const char *const *env)
{
    size_t len = name_length(entry);
    for (const char *const *e = env; e != NULL && *e != NULL; e++)
        if (name_length(*e) == len && strncmp(*e, entry, len) == 0)
            return 1;
    return 0;
}

/* environ minus the names in `env`, plus the "NAME=value" entries of `env`. */
static char **build_env(const char *const *env)
{
    size_t count = 0, extra = 0;
    while (environ[count] != NULL)
        count++;
    while (env != NULL && env[extra] != NULL)
        extra++;
    char **out = calloc(count + extra + 1, sizeof *out);
    if (out == NULL)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        if (!overridden(environ[i], env))
            out[n++] = environ[i];
    for (size_t i = 0; i < extra; i++)
        if (strchr(env[i], '=') != NULL)
            out[n++] = (char *)env[i];
    return out;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void drain(int fds[2], struct buffer out[2], pid_t pid, int timeout_ms, int *timed_out)
{
    long long deadline = now_ms() + timeout_ms;
    int open_count = 2;
    while (open_count > 0) {
        struct pollfd pfd[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
        long long left = deadline - now_ms();
        if (left <= 0) {
            kill(pid, SIGKILL);
            *timed_out = 1;
            return;
        }
        int ready = poll(pfd, 2, (int)left);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0)
            return;
        for (int i = 0; i < 2; i++) {
            if (fds[i] < 0 || pfd[i].revents == 0)
                continue;
            char chunk[4096];
            ssize_t n = read(fds[i], chunk, sizeof chunk);
            if (n > 0) {
                append(&out[i], chunk, (size_t)n);
            } else if (n == 0 || errno != EINTR) {
                close(fds[i]);
                fds[i] = -1;
                open_count--;
            }
        }
    }
}

int spawn_run(const char *const *argv, const char *const *env, int timeout_ms,
              struct spawn_result *result)
{
    memset(result, 0, sizeof *result);
    int out_pipe[2], err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0)
        return -1;
    if (pipe2(err_pipe, O_CLOEXEC) != 0) {
        close(out_pipe[0]);
        close(out_pipe[1]);
        return -1;
    }
    char **envp = build_env(env);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);

    pid_t pid;
    int rc = envp != NULL ? posix_spawn(&pid, argv[0], &actions, NULL, (char *const *)argv, envp)
                          : ENOMEM;
    posix_spawn_file_actions_destroy(&actions);
    free(envp);
    close(out_pipe[1]);
    close(err_pipe[1]);
    if (rc != 0) {
        close(out_pipe[0]);
        close(err_pipe[0]);
        errno = rc;
        return -1;
    }

    int fds[2] = {out_pipe[0], err_pipe[0]};
    struct buffer captured[2] = {{NULL, 0}, {NULL, 0}};
    drain(fds, captured, pid, timeout_ms, &result->timed_out);
    for (int i = 0; i < 2; i++)
        if (fds[i] >= 0)
            close(fds[i]);

    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    result->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result->out = captured[0].data != NULL ? captured[0].data : strdup("");
    result->err = captured[1].data != NULL ? captured[1].data : strdup("");
    return 0;
}

void spawn_result_free(struct spawn_result *result)
{
    free(result->out);
    free(result->err);
    result->out = NULL;
    result->err = NULL;
}
