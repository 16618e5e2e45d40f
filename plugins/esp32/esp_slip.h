/* SLIP framing (0xC0 delimiters, 0xDB escapes) as the ESP ROM loader uses it. */
#ifndef ESP32_SLIP_H
#define ESP32_SLIP_H

#include "esp_vec.h"

#include <stddef.h>
#include <stdint.h>

#define ESP_SLIP_END 0xC0
#define ESP_SLIP_ESC 0xDB
#define ESP_SLIP_ESC_END 0xDC
#define ESP_SLIP_ESC_ESC 0xDD
/** Largest decoded frame kept; longer ones are reported as errors. */
#define ESP_SLIP_MAX_FRAME (0x4000 + 64)

/** Appends data as one SLIP frame (both delimiters) to out. */
void esp_slip_encode(struct esp_vec *out, const uint8_t *data, size_t len);

enum esp_slip_result {
    ESP_SLIP_MORE = 0,  /* byte consumed, no frame yet */
    ESP_SLIP_FRAME = 1, /* a frame is complete: frame/len are valid until the next push */
    ESP_SLIP_ERROR = 2  /* bad escape or overlong frame: the frame is dropped */
};

struct esp_slip_decoder {
    uint8_t frame[ESP_SLIP_MAX_FRAME];
    size_t len;
    int in_frame, escaped, broken;
    uint64_t stray_bytes; /* bytes seen outside frames (boot text) */
};

void esp_slip_decoder_init(struct esp_slip_decoder *d);
/** Feeds one byte. */
enum esp_slip_result esp_slip_push(struct esp_slip_decoder *d, uint8_t byte);

#endif
