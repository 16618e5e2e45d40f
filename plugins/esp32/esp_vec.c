#include "esp_vec.h"

#include <stdlib.h>
#include <string.h>

static int reserve(struct esp_vec *v, size_t extra)
{
    if (v->failed)
        return -1;
    if (v->len + extra <= v->cap)
        return 0;
    size_t cap = v->cap ? v->cap : 256;
    while (cap < v->len + extra)
        cap *= 2;
    uint8_t *grown = realloc(v->data, cap);
    if (!grown) {
        v->failed = 1;
        return -1;
    }
    v->data = grown;
    v->cap = cap;
    return 0;
}

void esp_vec_append(struct esp_vec *v, const void *data, size_t len)
{
    if (len && reserve(v, len) == 0) {
        memcpy(v->data + v->len, data, len);
        v->len += len;
    }
}

void esp_vec_fill(struct esp_vec *v, uint8_t byte, size_t count)
{
    if (count && reserve(v, count) == 0) {
        memset(v->data + v->len, byte, count);
        v->len += count;
    }
}

void esp_vec_u32(struct esp_vec *v, uint32_t value)
{
    uint8_t b[4] = {(uint8_t)value, (uint8_t)(value >> 8), (uint8_t)(value >> 16), (uint8_t)(value >> 24)};
    esp_vec_append(v, b, 4);
}

void esp_vec_free(struct esp_vec *v)
{
    free(v->data);
    memset(v, 0, sizeof *v);
}
