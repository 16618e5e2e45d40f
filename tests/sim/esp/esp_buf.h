/* Growable byte buffer used for the simulator's output stream. */
#ifndef SIM_ESP_BUF_H
#define SIM_ESP_BUF_H

#include <stddef.h>
#include <stdint.h>

struct esp_buf {
    uint8_t *data;
    size_t len;
    size_t cap;
};

/** Appends n bytes; aborts the process if memory runs out (a simulator cannot go on). */
void esp_buf_append(struct esp_buf *b, const void *p, size_t n);
void esp_buf_push(struct esp_buf *b, uint8_t byte);
/** Drops the first n bytes (n <= len). */
void esp_buf_consume(struct esp_buf *b, size_t n);
void esp_buf_clear(struct esp_buf *b);
void esp_buf_free(struct esp_buf *b);

#endif
