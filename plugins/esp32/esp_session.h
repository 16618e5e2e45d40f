/*
 * A connection to one chip's ROM loader: reset into download mode, SYNC, chip detection,
 * SPI attach, baud change; then the flash operations (esp_flasher.h) and the monitor.
 */
#ifndef ESP32_SESSION_H
#define ESP32_SESSION_H

#include "esp_chip.h"
#include "esp_loader.h"
#include "esp_options.h"

#include <stdint.h>

struct esp_session {
    struct esp_env env;
    struct esp_port *port;
    struct esp_loader loader;
    const struct esp_chip_info *expected; /* chip named by the bundle/--chip, or NULL */
    const struct esp_chip_info *chip;     /* detected */
    enum esp_before before;
    enum esp_after after;
    uint32_t baud;          /* rate for flashing (0 or 115200 = stay at the ROM rate) */
    uint32_t monitor_baud;  /* UART rate of the app */
    uint32_t flash_size;    /* bytes; SPI_SET_PARAMS and whole-chip erase */
    int connected;          /* SYNC done, chip known, SPI attached */
    int failed;             /* an operation failed: no "after" action on close */
    int reset_warned;
    int monitoring;
    int monitor_line_mode;
    uint32_t sync_attempts, connect_attempts;
};

/** Opens the port; no bytes are exchanged yet (connecting is lazy). */
int esp_session_open(const struct esp_env *env, const char *port, struct esp_session **out);
/** Runs esp_session_after when connected and nothing failed, closes the port, frees. */
void esp_session_close(struct esp_session *s);
/** Resets into the loader (per s->before), syncs, detects the chip, attaches the SPI flash
 * and changes the baud rate. No-op when already connected. Errors name stage "connect". */
int esp_session_connect(struct esp_session *s);
/** One command, retried (3 attempts) on timeouts and frame/checksum damage; for idempotent commands. */
int esp_session_command(struct esp_session *s, uint8_t op, const uint8_t *data, size_t len,
                        uint32_t timeout_ms, struct esp_reply *r);
/**
 * The configured "after" action (hard: RTS pulse, falling back to a soft reset when the
 * port has no control lines and the loader is connected; soft; watchdog; no-reset).
 * Afterwards the session is no longer connected (the app runs).
 */
int esp_session_after(struct esp_session *s);
/** The "after" actions; hard_reset is ESPCTL_E_NOT_SUPPORTED without an RTS line. */
int esp_session_hard_reset(struct esp_session *s);
int esp_session_soft_reset(struct esp_session *s);
int esp_session_watchdog_reset(struct esp_session *s);

#endif
