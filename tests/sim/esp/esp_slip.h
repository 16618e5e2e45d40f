/* SLIP framing as the ESP ROM loader uses it: 0xC0 delimits frames, 0xDB escapes. */
#ifndef SIM_ESP_SLIP_H
#define SIM_ESP_SLIP_H

#include "esp_buf.h"

#include <stddef.h>
#include <stdint.h>

#define SLIP_END 0xC0
#define SLIP_ESC 0xDB
#define SLIP_ESC_END 0xDC
#define SLIP_ESC_ESC 0xDD

/** Largest decoded frame: 8-byte header + the 16-bit size field's maximum. */
#define SLIP_MAX_FRAME (8u + 0xFFFFu)

/** Appends one complete frame (leading and trailing 0xC0) holding data. */
void slip_encode(struct esp_buf *out, const uint8_t *data, size_t len);

enum slip_event {
    SLIP_NONE = 0,     /* byte consumed, nothing to report */
    SLIP_FRAME,        /* a complete non-empty frame is in frame/frame_len */
    SLIP_BAD_ESCAPE,   /* 0xDB followed by something other than 0xDC/0xDD; frame dropped */
    SLIP_OVERSIZE,     /* frame longer than SLIP_MAX_FRAME; dropped */
};

struct slip_decoder {
    uint8_t frame[SLIP_MAX_FRAME];
    size_t frame_len;
    int in_frame;      /* an opening 0xC0 was seen */
    int escaped;       /* previous byte was 0xDB */
    int discarding;    /* dropping the rest of a broken frame until 0xC0 */
    uint64_t garbage_bytes; /* bytes seen outside any frame */
};

void slip_decoder_init(struct slip_decoder *d);
/** Feeds one byte. On SLIP_FRAME the frame stays valid until the next call. */
enum slip_event slip_decoder_push(struct slip_decoder *d, uint8_t byte);
/**
 * Treats the 0xC0 that closed the last frame as the opening of a new one. Used when the
 * closed "frame" was really stray text, so that the next real frame is not lost.
 */
void slip_decoder_reopen(struct slip_decoder *d);

#endif
