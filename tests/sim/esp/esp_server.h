/* Serves the engine to one client at a time over a pseudo-terminal or loopback TCP. */
#ifndef SIM_ESP_SERVER_H
#define SIM_ESP_SERVER_H

#include "esp_engine.h"
#include "esp_fault.h"

#include <stdint.h>

struct esp_server_config {
    int use_pty;              /* else TCP */
    uint16_t tcp_port;        /* 0 = pick a free one */
    const char *listen_addr;  /* loopback only */
    int once;                 /* exit when the first client goes away */
    int require_reset;        /* sessions start in the app; a reset event enters download mode */
    int baud_model;           /* on a pty: bytes sent at a rate other than the agreed one are lost */
    const char *stats_path, *flash_out_path;
    const struct esp_chip *chip;
    struct esp_flash *flash;
    struct esp_engine *engine;
    struct esp_faults *faults;
};

/** Runs until SIGTERM/SIGINT (or the end of the first session with once). Returns an exit code. */
int esp_server_run(struct esp_server_config *cfg);

#endif
