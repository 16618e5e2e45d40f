/* Files the simulator reads and writes: flash images and the stats JSON (written atomically). */
#ifndef SIM_ESP_OUTPUT_H
#define SIM_ESP_OUTPUT_H

#include "esp_engine.h"
#include "esp_fault.h"

#include <stdint.h>

/** Transport-level counters that complement the engine's. */
struct esp_transport_stats {
    const char *transport;      /* "pty" or "tcp" */
    uint64_t sessions;
    uint64_t bytes_at_wrong_baud;
    uint64_t stalls;
};

/** Loads FILE into the start of the flash. Returns 0 or -1 with a message in err. */
int esp_flash_load(struct esp_flash *f, const char *path, char *err, size_t errlen);
/** Writes the whole flash array to path via a temp file + rename. */
int esp_flash_save(const struct esp_flash *f, const char *path);
/** Writes the stats JSON to path via a temp file + rename. */
int esp_stats_save(const char *path, const struct esp_engine *e, const struct esp_chip *chip,
                   const struct esp_flash *f, const struct esp_faults *faults,
                   const struct esp_transport_stats *ts);

#endif
