#include "plugin_net.h"
#include "plugin_env.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

/* Longest single poll; a longer wait loops so that host-clock deadlines stay exact. */
#define POLL_SLICE_MS 60000u

int plugin_net_wait(const struct espctl_host *host, int fd, short events, uint64_t deadline_ms)
{
    for (;;) {
        uint64_t now = plugin_now_ms(host);
        if (now >= deadline_ms)
            return 0;
        uint64_t left = deadline_ms - now;
        struct pollfd pfd = {.fd = fd, .events = events};
        int n = poll(&pfd, 1, left > POLL_SLICE_MS ? (int)POLL_SLICE_MS : (int)left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            continue;
        return n < 0 ? -1 : 1;
    }
}

/* One address: the connected fd, or -1 with errno set. */
static int connect_one(const struct espctl_host *host, const struct addrinfo *ai, uint64_t deadline_ms)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0)
        return -1;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    if (plugin_net_wait(host, fd, POLLOUT, deadline_ms) != 1) {
        close(fd);
        errno = ETIMEDOUT;
        return -1;
    }
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr) {
        int e = soerr ? soerr : errno;
        close(fd);
        errno = e;
        return -1;
    }
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

int plugin_net_connect(const struct espctl_host *host, const char *node, const char *service,
                       uint32_t attempt_ms, uint64_t deadline_ms, int *fd, int *sys_error)
{
    *fd = -1;
    *sys_error = 0;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *list = NULL;
    int gai = getaddrinfo(node, service, &hints, &list);
    if (gai)
        return gai;
    *sys_error = ECONNREFUSED;
    for (const struct addrinfo *ai = list; ai && *fd < 0; ai = ai->ai_next) {
        uint64_t attempt_end = plugin_now_ms(host) + attempt_ms;
        *fd = connect_one(host, ai, attempt_end < deadline_ms ? attempt_end : deadline_ms);
        if (*fd < 0)
            *sys_error = errno;
    }
    freeaddrinfo(list);
    if (*fd >= 0)
        *sys_error = 0;
    return 0;
}

enum plugin_net_status plugin_net_send_all(const struct espctl_host *host, int fd,
                                           const uint8_t *data, size_t len, uint64_t deadline_ms)
{
    while (len) {
        int ready = plugin_net_wait(host, fd, POLLOUT, deadline_ms);
        if (ready == 0)
            return PLUGIN_NET_TIMEOUT;
        ssize_t n = ready < 0 ? -1 : send(fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            return PLUGIN_NET_CLOSED;
        data += n;
        len -= (size_t)n;
    }
    return PLUGIN_NET_OK;
}

enum plugin_net_status plugin_net_recv(const struct espctl_host *host, int fd, uint8_t *data,
                                       size_t len, int partial, size_t *got, uint64_t deadline_ms)
{
    size_t have = 0;
    while (have < len) {
        int ready = plugin_net_wait(host, fd, POLLIN, deadline_ms);
        if (ready == 0)
            return PLUGIN_NET_TIMEOUT;
        ssize_t n = ready < 0 ? -1 : recv(fd, data + have, len - have, 0);
        if (n < 0 && (errno == EINTR || errno == EAGAIN))
            continue;
        if (n <= 0)
            return PLUGIN_NET_CLOSED;
        have += (size_t)n;
        if (partial)
            break;
    }
    if (got)
        *got = have;
    return PLUGIN_NET_OK;
}
