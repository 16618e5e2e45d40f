#include "esp_port.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#define CONNECT_TIMEOUT_MS 3000

static const struct {
    uint32_t baud;
    speed_t code;
} speeds[] = {
    {9600, B9600},       {19200, B19200},     {38400, B38400},     {57600, B57600},
    {115200, B115200},   {230400, B230400},   {460800, B460800},
    {500000, B500000},   {576000, B576000},   {921600, B921600},   {1000000, B1000000},
    {1152000, B1152000}, {1500000, B1500000}, {2000000, B2000000}, {2500000, B2500000},
    {3000000, B3000000}, {3500000, B3500000}, {4000000, B4000000},
};

static speed_t speed_code(uint32_t baud)
{
    for (size_t i = 0; i < sizeof speeds / sizeof speeds[0]; i++)
        if (speeds[i].baud == baud)
            return speeds[i].code;
    return 0;
}

int esp_port_baud_supported(uint32_t baud)
{
    return speed_code(baud) != 0;
}

static int open_serial(const struct esp_env *env, const char *path, uint32_t baud, int *out)
{
    speed_t code = speed_code(baud);
    if (!code)
        return esp_fail(env, ESPCTL_E_INVAL, "connect: baud rate %u is not supported by this serial driver (use 115200, 230400, 460800, 921600, 1500000, 2000000...)", baud);
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return esp_fail(env, e == EACCES ? ESPCTL_E_ACCESS : e == ENOENT ? ESPCTL_E_NO_DEVICE : ESPCTL_E_IO,
                        "connect: cannot open %s: %s%s", path, strerror(e),
                        e == EACCES ? " (add yourself to the dialout group)" : "");
    }
    struct termios t;
    if (tcgetattr(fd, &t)) {
        int e = errno;
        close(fd);
        return esp_fail(env, ESPCTL_E_IO, "connect: %s is not a serial port: %s", path, strerror(e));
    }
    cfmakeraw(&t);
    t.c_cflag |= CLOCAL | CREAD;
    t.c_cflag &= ~(tcflag_t)(CSTOPB | CRTSCTS | PARENB);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    cfsetspeed(&t, code);
    if (tcsetattr(fd, TCSANOW, &t)) {
        int e = errno;
        close(fd);
        return esp_fail(env, ESPCTL_E_IO, "connect: cannot configure %s at %u baud: %s", path, baud, strerror(e));
    }
    *out = fd;
    return 0;
}

static int open_socket(const struct esp_env *env, const char *spec, int *out)
{
    char host[256];
    const char *hp = spec + strlen(ESP_SOCKET_PREFIX);
    const char *colon = strrchr(hp, ':');
    if (!colon || colon == hp || (size_t)(colon - hp) >= sizeof host || !colon[1])
        return esp_fail(env, ESPCTL_E_INVAL, "connect: '%s' is not socket://HOST:PORT", spec);
    memcpy(host, hp, (size_t)(colon - hp));
    host[colon - hp] = '\0';
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    int gai = getaddrinfo(host, colon + 1, &hints, &res);
    if (gai)
        return esp_fail(env, ESPCTL_E_INVAL, "connect: cannot resolve '%s': %s", spec, gai_strerror(gai));
    int fd = -1, err = ECONNREFUSED;
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, a->ai_addr, a->ai_addrlen) && errno != EINPROGRESS) {
            err = errno;
            close(fd);
            fd = -1;
            continue;
        }
        struct pollfd p = {fd, POLLOUT, 0};
        int soerr = 0;
        socklen_t sl = sizeof soerr;
        if (poll(&p, 1, CONNECT_TIMEOUT_MS) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) || soerr) {
            err = soerr ? soerr : ETIMEDOUT;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        return esp_fail(env, err == ETIMEDOUT ? ESPCTL_E_TIMEOUT : ESPCTL_E_NO_DEVICE, "connect: %s: %s", spec,
                        strerror(err));
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    *out = fd;
    return 0;
}

int esp_port_open(const struct esp_env *env, const char *path, uint32_t baud, struct esp_port **port)
{
    if (!path || !*path)
        return esp_fail(env, ESPCTL_E_INVAL, "connect: no serial port given (--port /dev/ttyUSB0 or socket://HOST:PORT)");
    struct esp_port *p = calloc(1, sizeof *p);
    if (!p)
        return esp_fail(env, ESPCTL_E_NOMEM, "connect: out of memory");
    p->is_socket = !strncmp(path, ESP_SOCKET_PREFIX, strlen(ESP_SOCKET_PREFIX));
    p->baud = baud;
    snprintf(p->name, sizeof p->name, "%s", path);
    int rc = p->is_socket ? open_socket(env, path, &p->fd) : open_serial(env, path, baud, &p->fd);
    if (rc) {
        free(p);
        return rc;
    }
    *port = p;
    return 0;
}

void esp_port_close(struct esp_port *port)
{
    if (!port)
        return;
    close(port->fd);
    free(port);
}

int esp_port_read(const struct esp_env *env, struct esp_port *port, uint8_t *buf, size_t cap,
                  size_t *got, uint32_t timeout_ms)
{
    *got = 0;
    struct pollfd p = {port->fd, POLLIN, 0};
    int n = poll(&p, 1, (int)timeout_ms);
    if (n < 0)
        return errno == EINTR ? 0 : esp_fail(env, ESPCTL_E_IO, "read %s: %s", port->name, strerror(errno));
    if (n == 0)
        return 0;
    ssize_t r = read(port->fd, buf, cap);
    if (r < 0) {
        if (errno == EAGAIN || errno == EINTR)
            return 0;
        return esp_fail(env, errno == EIO ? ESPCTL_E_NO_DEVICE : ESPCTL_E_IO, "read %s: %s", port->name,
                        strerror(errno));
    }
    if (r == 0) {
        if (port->is_socket)
            return esp_fail(env, ESPCTL_E_NO_DEVICE, "read %s: connection closed by peer", port->name);
        return 0;
    }
    *got = (size_t)r;
    return 0;
}

int esp_port_write(const struct esp_env *env, struct esp_port *port, const uint8_t *data, size_t len,
                   uint32_t timeout_ms)
{
    uint64_t deadline = esp_now_ms(env) + timeout_ms;
    while (len) {
        ssize_t w = port->is_socket ? send(port->fd, data, len, MSG_NOSIGNAL) : write(port->fd, data, len);
        if (w > 0) {
            data += w;
            len -= (size_t)w;
            continue;
        }
        if (w < 0 && errno != EAGAIN && errno != EINTR)
            return esp_fail(env, ESPCTL_E_IO, "write %s: %s", port->name, strerror(errno));
        uint64_t now = esp_now_ms(env);
        if (now >= deadline)
            return esp_fail(env, ESPCTL_E_TIMEOUT, "write %s: no room to send for %u ms", port->name, timeout_ms);
        struct pollfd p = {port->fd, POLLOUT, 0};
        poll(&p, 1, (int)(deadline - now));
    }
    return 0;
}

int esp_port_set_baud(const struct esp_env *env, struct esp_port *port, uint32_t baud)
{
    if (!port->is_socket) {
        speed_t code = speed_code(baud);
        struct termios t;
        if (!code)
            return esp_fail(env, ESPCTL_E_INVAL, "baud rate %u is not supported by this serial driver", baud);
        if (tcgetattr(port->fd, &t) || cfsetspeed(&t, code) || tcsetattr(port->fd, TCSADRAIN, &t))
            return esp_fail(env, ESPCTL_E_IO, "cannot set %s to %u baud: %s", port->name, baud, strerror(errno));
    }
    port->baud = baud;
    return 0;
}

int esp_port_set_lines(struct esp_port *port, int dtr, int rts)
{
    if (port->is_socket)
        return ESPCTL_E_NOT_SUPPORTED;
    int bits;
    if (ioctl(port->fd, TIOCMGET, &bits))
        return ESPCTL_E_NOT_SUPPORTED;
    bits = (bits & ~(TIOCM_DTR | TIOCM_RTS)) | (dtr ? TIOCM_DTR : 0) | (rts ? TIOCM_RTS : 0);
    return ioctl(port->fd, TIOCMSET, &bits) ? ESPCTL_E_NOT_SUPPORTED : 0;
}

static int set_line(struct esp_port *port, int bit, int on)
{
    if (port->is_socket)
        return ESPCTL_E_NOT_SUPPORTED;
    return ioctl(port->fd, on ? TIOCMBIS : TIOCMBIC, &bit) ? ESPCTL_E_NOT_SUPPORTED : 0;
}

int esp_port_set_dtr(struct esp_port *port, int on)
{
    return set_line(port, TIOCM_DTR, on);
}

int esp_port_set_rts(struct esp_port *port, int on)
{
    return set_line(port, TIOCM_RTS, on);
}

void esp_port_flush_input(struct esp_port *port)
{
    if (!port->is_socket) {
        tcflush(port->fd, TCIFLUSH);
        return;
    }
    uint8_t buf[4096];
    while (recv(port->fd, buf, sizeof buf, MSG_DONTWAIT) > 0)
        ;
}
