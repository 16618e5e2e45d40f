/* TCP and serial byte streams with deadlines (poll), for the RSP packet layer. */
#include "gdb_io.h"

#include "plugin_net.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static int lost(const struct gdb_env *env, struct gdb_io *io, int code, const char *why)
{
    io->dead = 1;
    return gdb_fail(env, code, "GDB server %s: %s", io->peer, why);
}

int gdb_io_open_tcp(const struct gdb_env *env, const char *host, const char *port,
                    struct gdb_io *io)
{
    memset(io, 0, sizeof *io);
    io->fd = -1;
    snprintf(io->peer, sizeof io->peer, "%s:%s", host, port);
    int err = 0;
    int gai = plugin_net_connect(env->host, host, port, env->timeout_ms, gdb_now_ms(env) + env->timeout_ms,
                                 &io->fd, &err);
    if (gai)
        return gdb_fail(env, ESPCTL_E_NOT_FOUND, "GDB server %s: %s", io->peer, gai_strerror(gai));
    if (io->fd < 0) {
        io->dead = 1;
        if (err == ETIMEDOUT)
            return gdb_fail(env, ESPCTL_E_TIMEOUT, "GDB server %s: no connection within %u ms",
                            io->peer, env->timeout_ms);
        return gdb_fail(env, ESPCTL_E_NO_DEVICE, "GDB server %s: cannot connect: %s", io->peer,
                        strerror(err));
    }
    return 0;
}

int gdb_io_open_serial(const struct gdb_env *env, const char *path, struct gdb_io *io)
{
    memset(io, 0, sizeof *io);
    snprintf(io->peer, sizeof io->peer, "%s", path);
    io->fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (io->fd < 0) {
        int e = errno;
        io->dead = 1;
        int code = e == EACCES ? ESPCTL_E_ACCESS : e == ENOENT ? ESPCTL_E_NOT_FOUND
                 : e == EBUSY ? ESPCTL_E_BUSY : ESPCTL_E_NO_DEVICE;
        return gdb_fail(env, code, "GDB serial port %s: %s%s", path, strerror(e),
                        e == EACCES ? " (run `espctl provision-host` for udev rules)" : "");
    }
    struct termios tio;
    if (tcgetattr(io->fd, &tio) == 0) {
        cfmakeraw(&tio);
        tio.c_cflag |= CLOCAL | CREAD;
        tio.c_cflag &= ~(tcflag_t)CRTSCTS;
        tio.c_cc[VMIN] = 0;
        tio.c_cc[VTIME] = 0;
        cfsetispeed(&tio, B115200);
        cfsetospeed(&tio, B115200);
        if (tcsetattr(io->fd, TCSANOW, &tio) != 0) {
            int e = errno;
            gdb_io_close(io);
            io->dead = 1;
            return gdb_fail(env, ESPCTL_E_IO, "GDB serial port %s: cannot set raw mode: %s", path,
                            strerror(e));
        }
        (void)tcflush(io->fd, TCIOFLUSH);
    }
    return 0;
}

void gdb_io_close(struct gdb_io *io)
{
    if (io->fd >= 0)
        close(io->fd);
    io->fd = -1;
}

int gdb_io_write(const struct gdb_env *env, struct gdb_io *io, const void *data, size_t len,
                 uint64_t deadline_ms)
{
    const uint8_t *p = data;
    if (io->dead)
        return gdb_fail(env, ESPCTL_E_NO_DEVICE, "GDB server %s: connection was lost earlier",
                        io->peer);
    while (len) {
        int ready = plugin_net_wait(env->host, io->fd, POLLOUT, deadline_ms);
        if (ready == 0)
            return lost(env, io, ESPCTL_E_TIMEOUT, "send timed out");
        ssize_t n = ready < 0 ? -1 : write(io->fd, p, len);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return lost(env, io, ESPCTL_E_NO_DEVICE, "connection lost while sending");
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int gdb_io_read(const struct gdb_env *env, struct gdb_io *io, uint8_t *buf, size_t cap,
                uint64_t deadline_ms, size_t *got)
{
    *got = 0;
    if (io->dead)
        return gdb_fail(env, ESPCTL_E_NO_DEVICE, "GDB server %s: connection was lost earlier",
                        io->peer);
    for (;;) {
        int ready = plugin_net_wait(env->host, io->fd, POLLIN, deadline_ms);
        if (ready == 0)
            return ESPCTL_E_TIMEOUT;
        ssize_t n = ready < 0 ? -1 : read(io->fd, buf, cap);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            return lost(env, io, ESPCTL_E_NO_DEVICE, "connection closed by the server");
        *got = (size_t)n;
        return 0;
    }
}

int gdb_io_readable(struct gdb_io *io)
{
    if (io->dead || io->fd < 0)
        return 0;
    struct pollfd pfd = {.fd = io->fd, .events = POLLIN};
    return poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLIN | POLLHUP));
}
