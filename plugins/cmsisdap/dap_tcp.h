/*
 * dap_tcp.h — elaphureLink over TCP (wireless CMSIS-DAP on ESP8266/ESP32 firmware):
 * 12-byte big-endian handshake; servers at version >= 1.0 get framed packets
 * (0x88 0x01 len:u16 BE) that may be pipelined, older ones bare packets one at a time.
 */
#ifndef DAP_TCP_H
#define DAP_TCP_H

#include "dap_env.h"
#include "dap_transport.h"

#define DAP_TCP_PREFIX "dap-tcp:"
#define DAP_TCP_DEFAULT_PORT 3240u
#define DAP_TCP_MAX_PACKET 1496u

/** Connect to host:port and perform the handshake (and scope-enter when framed). */
int dap_tcp_open(const struct dap_env *env, const char *host, uint16_t port, struct dap_transport **out);

#endif /* DAP_TCP_H */
