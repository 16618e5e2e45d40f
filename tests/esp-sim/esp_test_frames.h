/* Helpers shared by the engine tests: build command frames, run them, split the SLIP replies. */
#ifndef ESP_TEST_FRAMES_H
#define ESP_TEST_FRAMES_H

#include "esp_buf.h"

#include <stddef.h>
#include <stdint.h>

struct esp_engine;

/** Builds a command packet (unframed): header + data. */
void tf_command(struct esp_buf *pkt, uint8_t op, const void *data, size_t len, uint32_t checksum);
/** Builds the payload of a *_DATA command and its checksum (0xEF XOR data). */
uint32_t tf_data_payload(struct esp_buf *payload, const uint8_t *data, uint32_t len, uint32_t seq);
/** SLIP-frames pkt, feeds it to e, and decodes every reply frame into replies (concatenated, each prefixed by u16 length). */
size_t tf_exchange(struct esp_engine *e, const struct esp_buf *pkt, struct esp_buf *replies);
/** Returns the n-th decoded reply (pointer + length) from tf_exchange's output, or NULL. */
const uint8_t *tf_reply(const struct esp_buf *replies, size_t n, size_t *len);
void tf_put32(uint8_t *p, uint32_t v);
uint32_t tf_get32(const uint8_t *p);

#endif
