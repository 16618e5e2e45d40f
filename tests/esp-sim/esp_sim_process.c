#include "esp_sim_process.h"

#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

void sim_start(struct sim *s, const char *chip, int pty, const char *const *extra)
{
    snprintf(s->dir, sizeof s->dir, "/tmp/esp-sim-test.XXXXXX");
    assert_non_null(mkdtemp(s->dir));
    snprintf(s->flash_out, sizeof s->flash_out, "%s/flash.bin", s->dir);
    snprintf(s->stats, sizeof s->stats, "%s/stats.json", s->dir);
    int out[2];
    assert_int_equal(pipe(out), 0);
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        dup2(out[1], 1);
        close(out[0]);
        close(out[1]);
        const char *argv[24] = {ESPCTL_SIM_PATH, "esp", "--chip", chip, "--flash-out", s->flash_out,
                                "--stats", s->stats};
        int n = 8;
        argv[n++] = pty ? "--pty" : "--tcp";
        if (!pty)
            argv[n++] = "0";
        for (int i = 0; extra && extra[i] && n < 23; i++)
            argv[n++] = extra[i];
        argv[n] = NULL;
        execv(ESPCTL_SIM_PATH, (char *const *)argv);
        _exit(127);
    }
    close(out[1]);
    char line[256];
    size_t len = 0;
    for (;;) {
        struct pollfd p = {out[0], POLLIN, 0};
        assert_int_equal(poll(&p, 1, 10000), 1);
        assert_int_equal(read(out[0], line + len, 1), 1);
        if (line[len] == '\n')
            break;
        assert_true(++len < sizeof line - 1);
    }
    line[len] = 0;
    close(out[0]);
    const char *value;
    if (pty) {
        assert_int_equal(strncmp(line, "pty ", 4), 0);
        value = line + 4;
    } else {
        assert_int_equal(strncmp(line, "listening on 127.0.0.1:", 23), 0);
        value = strrchr(line, ':') + 1;
    }
    assert_true(strlen(value) < sizeof s->endpoint);
    memcpy(s->endpoint, value, strlen(value) + 1);
}

int sim_wait_exit(struct sim *s, int timeout_ms)
{
    int status = 0;
    for (int waited = 0; waited <= timeout_ms; waited += 10) {
        if (waitpid(s->pid, &status, WNOHANG) == s->pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
        usleep(10000);
    }
    return -1;
}

void sim_stop(struct sim *s)
{
    kill(s->pid, SIGTERM);
    int rc = sim_wait_exit(s, 5000);
    if (rc < 0) {
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
        fail_msg("espctl-sim did not stop on SIGTERM");
    }
    assert_int_equal(rc, 0);
}

void sim_cleanup(struct sim *s)
{
    unlink(s->flash_out);
    unlink(s->stats);
    rmdir(s->dir);
}
