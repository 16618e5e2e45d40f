#include "sim_child.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define START_TIMEOUT_MS 10000
#define START_FAILED_GRACE_MS 2000
#define ARGV_MAX 40

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The first stdout line of the child, read within START_TIMEOUT_MS. */
static void read_first_line(int fd, char *line, size_t cap)
{
    size_t len = 0;
    long long deadline = now_ms() + START_TIMEOUT_MS;
    while (len < cap - 1) {
        long long left = deadline - now_ms();
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
            break;
        ssize_t n = read(fd, line + len, 1);
        if (n <= 0 || line[len] == '\n')
            break;
        len++;
    }
    line[len] = '\0';
}

int sim_child_start(struct sim_child *sim, const char *front, const char *selector_prefix,
                    const char *const *extra_args)
{
    const char *argv[ARGV_MAX] = {ESPCTL_SIM_BIN, front, "--chip", "stm32g431rb", "--port", "0"};
    int argc = 6;
    for (; extra_args && *extra_args && argc < ARGV_MAX - 2; extra_args++)
        argv[argc++] = *extra_args;
    argv[argc] = NULL;
    memset(sim, 0, sizeof *sim);
    int out[2];
    if (pipe(out))
        return -1;
    sim->pid = fork();
    if (sim->pid < 0)
        return -1;
    if (sim->pid == 0) {
        dup2(out[1], 1);
        close(out[0]);
        close(out[1]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(out[1]);
    char line[256];
    read_first_line(out[0], line, sizeof line);
    sim->out_fd = out[0]; /* kept open so later stdout lines never raise SIGPIPE */
    if (sscanf(line, "listening on 127.0.0.1:%u", &sim->port) != 1) {
        fprintf(stderr, "espctl-sim %s did not start (first line: '%s')\n", front, line);
        sim_child_stop(sim, START_FAILED_GRACE_MS);
        return -1;
    }
    snprintf(sim->selector, sizeof sim->selector, "%s127.0.0.1:%u", selector_prefix, sim->port);
    return 0;
}

int sim_child_stop(struct sim_child *sim, int grace_ms)
{
    if (sim->out_fd > 0)
        close(sim->out_fd);
    sim->out_fd = -1;
    if (sim->pid <= 0)
        return -1;
    int status = 0;
    kill(sim->pid, SIGTERM);
    for (int waited = 0; waited < grace_ms; waited += 10) {
        if (waitpid(sim->pid, &status, WNOHANG) == sim->pid) {
            sim->pid = 0;
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        usleep(10000);
    }
    kill(sim->pid, SIGKILL);
    waitpid(sim->pid, NULL, 0);
    sim->pid = 0;
    return -1;
}
