#include "esp_slip.h"

#include <string.h>

void slip_encode(struct esp_buf *out, const uint8_t *data, size_t len)
{
    esp_buf_push(out, SLIP_END);
    for (size_t i = 0; i < len; i++) {
        if (data[i] == SLIP_END) {
            esp_buf_push(out, SLIP_ESC);
            esp_buf_push(out, SLIP_ESC_END);
        } else if (data[i] == SLIP_ESC) {
            esp_buf_push(out, SLIP_ESC);
            esp_buf_push(out, SLIP_ESC_ESC);
        } else {
            esp_buf_push(out, data[i]);
        }
    }
    esp_buf_push(out, SLIP_END);
}

void slip_decoder_init(struct slip_decoder *d)
{
    d->frame_len = 0;
    d->in_frame = 0;
    d->escaped = 0;
    d->discarding = 0;
    d->garbage_bytes = 0;
}

void slip_decoder_reopen(struct slip_decoder *d)
{
    d->in_frame = 1;
    d->frame_len = 0;
    d->escaped = 0;
    d->discarding = 0;
}

static enum slip_event drop_frame(struct slip_decoder *d, enum slip_event why)
{
    d->discarding = 1;
    d->escaped = 0;
    d->frame_len = 0;
    return why;
}

enum slip_event slip_decoder_push(struct slip_decoder *d, uint8_t byte)
{
    if (byte == SLIP_END) {
        if (d->discarding) {
            /* The 0xC0 ending a broken frame may just as well open the next one. */
            slip_decoder_reopen(d);
            return SLIP_NONE;
        }
        if (!d->in_frame || d->frame_len == 0) {
            slip_decoder_reopen(d); /* opening 0xC0, or "C0 C0" between frames */
            return SLIP_NONE;
        }
        if (d->escaped)
            return drop_frame(d, SLIP_BAD_ESCAPE);
        d->in_frame = 0;
        return SLIP_FRAME;
    }
    if (d->discarding)
        return SLIP_NONE;
    if (!d->in_frame) {
        d->garbage_bytes++;
        return SLIP_NONE;
    }
    if (d->escaped) {
        d->escaped = 0;
        if (byte == SLIP_ESC_END)
            byte = SLIP_END;
        else if (byte == SLIP_ESC_ESC)
            byte = SLIP_ESC;
        else
            return drop_frame(d, SLIP_BAD_ESCAPE);
    } else if (byte == SLIP_ESC) {
        d->escaped = 1;
        return SLIP_NONE;
    }
    if (d->frame_len >= SLIP_MAX_FRAME)
        return drop_frame(d, SLIP_OVERSIZE);
    d->frame[d->frame_len++] = byte;
    return SLIP_NONE;
}
