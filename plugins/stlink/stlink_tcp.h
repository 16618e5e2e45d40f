/*
 * stlink_tcp.h — the stlink-server TCP backend (ST's stlink-server, OpenOCD's
 * "st-link backend tcp"): one request at a time, every reply bounded by a timeout.
 */
#ifndef STLINK_TCP_H
#define STLINK_TCP_H

#include "stlink_env.h"
#include "stlink_transport.h"

#define STLINK_TCP_DEFAULT_PORT 7184u
/** Largest request or reply the server protocol carries. */
#define STLINK_TCP_BUFFER 10240u

/** Connect to the stlink-server at host:port and open its first ST-Link (or the one
 * whose serial is `serial` when non-NULL). */
int stlink_tcp_open(const struct stlink_env *env, const char *host, uint16_t port,
                    const char *serial, struct stlink_transport **out);

#endif /* STLINK_TCP_H */
