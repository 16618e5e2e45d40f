/* Growable byte vector used by the image writers. */
#ifndef ESP32_VEC_H
#define ESP32_VEC_H

#include <stddef.h>
#include <stdint.h>

struct esp_vec {
    uint8_t *data;
    size_t len, cap;
    int failed; /* set once an allocation failed; later appends are ignored */
};

void esp_vec_append(struct esp_vec *v, const void *data, size_t len);
void esp_vec_fill(struct esp_vec *v, uint8_t byte, size_t count);
void esp_vec_u32(struct esp_vec *v, uint32_t value);
void esp_vec_free(struct esp_vec *v);

#endif
