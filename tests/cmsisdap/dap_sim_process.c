#include "dap_sim_process.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define START_TIMEOUT_MS 10000

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int dap_sim_start(struct dap_sim *sim, const char *const *extra_args)
{
    const char *argv[40] = {ESPCTL_SIM_BIN, "dap", "--chip", "stm32g431rb", "--port", "0"};
    int argc = 6;
    for (; extra_args && *extra_args && argc < 38; extra_args++)
        argv[argc++] = *extra_args;
    argv[argc] = NULL;
    int out[2];
    if (pipe(out))
        return -1;
    memset(sim, 0, sizeof *sim);
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
    size_t len = 0;
    long long deadline = now_ms() + START_TIMEOUT_MS;
    while (len < sizeof line - 1) {
        long long left = deadline - now_ms();
        struct pollfd pfd = {.fd = out[0], .events = POLLIN};
        if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
            break;
        ssize_t n = read(out[0], line + len, 1);
        if (n <= 0 || line[len] == '\n')
            break;
        len++;
    }
    line[len] = '\0';
    sim->out_fd = out[0];
    if (sscanf(line, "listening on 127.0.0.1:%u", &sim->port) != 1) {
        fprintf(stderr, "espctl-sim dap did not start (first line: '%s')\n", line);
        dap_sim_stop(sim);
        return -1;
    }
    snprintf(sim->selector, sizeof sim->selector, "dap-tcp:127.0.0.1:%u", sim->port);
    return 0;
}

int dap_sim_stop(struct dap_sim *sim)
{
    if (sim->out_fd > 0)
        close(sim->out_fd);
    sim->out_fd = -1;
    if (sim->pid <= 0)
        return -1;
    int status = 0;
    kill(sim->pid, SIGTERM);
    for (int i = 0; i < 300; i++) {
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
