#include "esp_test_frames.h"

#include "esp_engine.h"
#include "esp_slip.h"

#include <stdlib.h>
#include <string.h>

void tf_put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

uint32_t tf_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void tf_command(struct esp_buf *pkt, uint8_t op, const void *data, size_t len, uint32_t checksum)
{
    uint8_t h[8] = {0x00, op, (uint8_t)len, (uint8_t)(len >> 8)};
    tf_put32(h + 4, checksum);
    esp_buf_clear(pkt);
    esp_buf_append(pkt, h, 8);
    esp_buf_append(pkt, data, len);
}

uint32_t tf_data_payload(struct esp_buf *payload, const uint8_t *data, uint32_t len, uint32_t seq)
{
    uint8_t h[16] = {0};
    tf_put32(h, len);
    tf_put32(h + 4, seq);
    esp_buf_clear(payload);
    esp_buf_append(payload, h, 16);
    esp_buf_append(payload, data, len);
    uint8_t c = 0xEF;
    for (uint32_t i = 0; i < len; i++)
        c ^= data[i];
    return c;
}

size_t tf_exchange(struct esp_engine *e, const struct esp_buf *pkt, struct esp_buf *replies)
{
    struct esp_buf wire = {0}, out = {0};
    slip_encode(&wire, pkt->data, pkt->len);
    esp_engine_input(e, wire.data, wire.len, &out);
    esp_buf_clear(replies);
    struct slip_decoder *d = malloc(sizeof *d);
    slip_decoder_init(d);
    size_t count = 0;
    for (size_t i = 0; i < out.len; i++) {
        if (slip_decoder_push(d, out.data[i]) == SLIP_FRAME) {
            uint8_t l[2] = {(uint8_t)d->frame_len, (uint8_t)(d->frame_len >> 8)};
            esp_buf_append(replies, l, 2);
            esp_buf_append(replies, d->frame, d->frame_len);
            count++;
        }
    }
    free(d);
    esp_buf_free(&wire);
    esp_buf_free(&out);
    return count;
}

const uint8_t *tf_reply(const struct esp_buf *replies, size_t n, size_t *len)
{
    size_t at = 0;
    while (at + 2 <= replies->len) {
        size_t l = replies->data[at] | (size_t)replies->data[at + 1] << 8;
        if (n == 0) {
            *len = l;
            return replies->data + at + 2;
        }
        at += 2 + l;
        n--;
    }
    return NULL;
}
