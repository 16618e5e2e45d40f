#include "bench_proc.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int bench_run_logged(const char *const *argv, const char *log)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0)
            _exit(127);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) < 0)
        return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int bench_sim_spawn(const char *const *argv, const char *who, pid_t *pid, unsigned *port)
{
    int out[2];
    if (pipe(out))
        return -1;
    *pid = fork();
    if (*pid < 0)
        return -1;
    if (*pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        close(out[1]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(out[1]);
    char line[128] = "";
    size_t have = 0;
    while (!strchr(line, '\n') && have + 1 < sizeof line) {
        struct pollfd pfd = {out[0], POLLIN, 0};
        if (poll(&pfd, 1, 10000) <= 0)
            break;
        ssize_t n = read(out[0], line + have, sizeof line - 1 - have);
        if (n <= 0)
            break;
        have += (size_t)n;
        line[have] = 0;
    }
    close(out[0]);
    if (sscanf(line, "listening on 127.0.0.1:%u", port) != 1) {
        fprintf(stderr, "%s: simulator did not report its port\n", who);
        kill(*pid, SIGTERM);
        waitpid(*pid, NULL, 0);
        return -1;
    }
    return 0;
}

void bench_sim_reap(pid_t pid)
{
    int status = 0;
    for (int i = 0; i < 100 && waitpid(pid, &status, WNOHANG) == 0; i++) {
        struct timespec ts = {0, 100 * 1000000L};
        nanosleep(&ts, NULL);
        if (i == 99) {
            kill(pid, SIGTERM);
            waitpid(pid, &status, 0);
        }
    }
}
