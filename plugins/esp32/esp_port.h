/*
 * Byte transport to the chip: a serial port (termios, raw mode) or "socket://HOST:PORT"
 * (raw TCP, e.g. esp_rfc2217-less serial servers and the simulator). All reads are bounded.
 */
#ifndef ESP32_PORT_H
#define ESP32_PORT_H

#include "esp_env.h"

#include <stddef.h>
#include <stdint.h>

#define ESP_SOCKET_PREFIX "socket://"

struct esp_port {
    int fd;
    int is_socket;
    uint32_t baud;
    char name[256];
};

/** 1 when `baud` is a rate this build can set on a serial port. */
int esp_port_baud_supported(uint32_t baud);
/** Opens `path` at `baud` (serial) or connects (socket://, timeout 3 s). */
int esp_port_open(const struct esp_env *env, const char *path, uint32_t baud, struct esp_port **port);
void esp_port_close(struct esp_port *port);
/** Waits up to timeout_ms for bytes; *got = 0 on timeout (not an error). */
int esp_port_read(const struct esp_env *env, struct esp_port *port, uint8_t *buf, size_t cap,
                  size_t *got, uint32_t timeout_ms);
/** Writes everything within timeout_ms. */
int esp_port_write(const struct esp_env *env, struct esp_port *port, const uint8_t *data, size_t len,
                   uint32_t timeout_ms);
/** Changes the local line rate (serial); records it (socket). */
int esp_port_set_baud(const struct esp_env *env, struct esp_port *port, uint32_t baud);
/**
 * Sets DTR and RTS (1 = asserted) in one ioctl. ESPCTL_E_NOT_SUPPORTED when the port has
 * no modem-control lines (socket, pty).
 */
int esp_port_set_lines(struct esp_port *port, int dtr, int rts);
/** Sets one line (classic reset toggles them one at a time). */
int esp_port_set_dtr(struct esp_port *port, int on);
int esp_port_set_rts(struct esp_port *port, int on);
/** Discards unread input (tcflush on serial; drains what is buffered on sockets). */
void esp_port_flush_input(struct esp_port *port);

#endif
