/*
 * plugin_net.h — bounded TCP client I/O for the network probe transports: readiness waits,
 * connect with a deadline, whole-buffer send and receive. Deadlines are milliseconds of the
 * host clock (plugin_now_ms); no call blocks past its deadline.
 */
#ifndef ESPCTL_PLUGIN_NET_H
#define ESPCTL_PLUGIN_NET_H

#include "espctl/plugin.h"

#include <stddef.h>
#include <stdint.h>

/** Outcome of a bounded transfer. */
enum plugin_net_status {
    PLUGIN_NET_OK = 0,
    PLUGIN_NET_TIMEOUT, /**< the deadline passed first */
    PLUGIN_NET_CLOSED,  /**< the peer closed the stream or the socket failed */
};

/** Wait until `fd` is ready for `events` (POLLIN/POLLOUT): 1 ready, 0 the deadline passed,
 * -1 poll failed. Signals do not cut the wait short. */
int plugin_net_wait(const struct espctl_host *host, int fd, short events, uint64_t deadline_ms);

/**
 * Resolve `node`:`service` (any address family) and connect a non-blocking, close-on-exec
 * stream socket with TCP_NODELAY to the first address that accepts. Each address may take
 * `attempt_ms`, and no attempt runs past `deadline_ms`. On success returns 0 and sets *fd.
 * When resolving fails returns the getaddrinfo code (*fd = -1; gai_strerror names it).
 * Otherwise returns 0 with *fd = -1 and *sys_error set to the last attempt's errno
 * (ETIMEDOUT when it ran out of time).
 */
int plugin_net_connect(const struct espctl_host *host, const char *node, const char *service,
                       uint32_t attempt_ms, uint64_t deadline_ms, int *fd, int *sys_error);

/** Send all `len` bytes (no SIGPIPE) before `deadline_ms`. */
enum plugin_net_status plugin_net_send_all(const struct espctl_host *host, int fd,
                                           const uint8_t *data, size_t len, uint64_t deadline_ms);

/**
 * Receive into `data` before `deadline_ms`: exactly `len` bytes, or when `partial` is set
 * whatever the first segment brings (at most `len`). *got (when not NULL) is set to the count
 * on success.
 */
enum plugin_net_status plugin_net_recv(const struct espctl_host *host, int fd, uint8_t *data,
                                       size_t len, int partial, size_t *got, uint64_t deadline_ms);

#endif /* ESPCTL_PLUGIN_NET_H */
