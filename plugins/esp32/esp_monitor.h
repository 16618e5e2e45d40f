/* UART monitor over the session's port (the app's console, 115200 by default). */
#ifndef ESP32_MONITOR_H
#define ESP32_MONITOR_H

#include "esp_session.h"

/** espctl_monitor_params.flags bit: return whole lines only (a partial line waits for its '\n'
 * or for a full buffer). Without it every byte is returned as it arrives. */
#define ESP32_MONITOR_LINES 0x1u

/**
 * Starts monitoring: leaves the loader (hard reset through RTS, unless before=no-reset) when
 * the session had connected to it, switches the port to `baud` (0 = session default).
 */
int esp_monitor_open(struct esp_session *s, uint32_t baud, uint32_t flags);
int esp_monitor_read(struct esp_session *s, uint8_t *buf, uint32_t cap, uint32_t *got, uint32_t timeout_ms);
int esp_monitor_write(struct esp_session *s, const uint8_t *buf, uint32_t len);
void esp_monitor_close(struct esp_session *s);

#endif
