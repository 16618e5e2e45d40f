/*
 * Fault injection for the simulator (--fault SPEC, comma-separated items):
 *   rx-biterr=RATE | tx-biterr=RATE   flip one random bit per byte with probability RATE
 *   rx-biterr-at=N | tx-biterr-at=N   flip bit 0 of the Nth byte (0-based) of that direction
 *   rx-drop=RATE   | tx-drop=RATE     drop bytes with probability RATE
 *   rx-drop-at=N   | tx-drop-at=N     drop the Nth byte (0-based)
 *   stall-after=N:MS                  after N commands, stop answering for MS ms ("forever" = never again)
 *   nak-data=N                        answer the Nth *_DATA command with a checksum error
 *   bad-md5                           corrupt every SPI_FLASH_MD5 answer
 *   seed=S                            seed of the random faults (default 1)
 * rx = host to chip, tx = chip to host.
 */
#ifndef SIM_ESP_FAULT_H
#define SIM_ESP_FAULT_H

#include "esp_buf.h"

#include <stdint.h>

#define FAULT_NEVER UINT64_MAX

struct esp_fault_dir {
    double biterr_rate, drop_rate;
    uint64_t biterr_at, drop_at; /* FAULT_NEVER when unset */
    uint64_t position;           /* bytes seen so far in this direction */
    uint64_t bits_flipped, bytes_dropped;
};

struct esp_faults {
    struct esp_fault_dir rx, tx;
    uint64_t stall_after;        /* FAULT_NEVER when unset */
    int64_t stall_ms;            /* -1 = forever */
    uint64_t nak_data_at;        /* 0 when unset */
    int bad_md5;
    uint64_t rng;
};

/** Parses SPEC into f (f is reset first). Returns 0, or -1 with a message in err. */
int esp_fault_parse(struct esp_faults *f, const char *spec, char *err, size_t errlen);
/** Initialises f with no faults. */
void esp_fault_none(struct esp_faults *f);
/** Applies the direction's faults to buf in place (bytes may be removed). */
void esp_fault_apply(struct esp_faults *f, struct esp_fault_dir *dir, struct esp_buf *buf);

#endif
