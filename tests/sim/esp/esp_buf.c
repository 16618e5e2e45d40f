#include "esp_buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reserve(struct esp_buf *b, size_t extra)
{
    if (b->len + extra <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra)
        cap *= 2;
    uint8_t *p = realloc(b->data, cap);
    if (!p) {
        fprintf(stderr, "espctl-sim esp: out of memory\n");
        abort();
    }
    b->data = p;
    b->cap = cap;
}

void esp_buf_append(struct esp_buf *b, const void *p, size_t n)
{
    if (!n)
        return;
    reserve(b, n);
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void esp_buf_push(struct esp_buf *b, uint8_t byte)
{
    esp_buf_append(b, &byte, 1);
}

void esp_buf_consume(struct esp_buf *b, size_t n)
{
    if (n >= b->len) {
        b->len = 0;
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
}

void esp_buf_clear(struct esp_buf *b)
{
    b->len = 0;
}

void esp_buf_free(struct esp_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
