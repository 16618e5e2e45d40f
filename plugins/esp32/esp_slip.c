#include "esp_slip.h"

#include <string.h>

void esp_slip_encode(struct esp_vec *out, const uint8_t *data, size_t len)
{
    static const uint8_t end = ESP_SLIP_END, esc_end[2] = {ESP_SLIP_ESC, ESP_SLIP_ESC_END},
                         esc_esc[2] = {ESP_SLIP_ESC, ESP_SLIP_ESC_ESC};
    esp_vec_append(out, &end, 1);
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        if (data[i] != ESP_SLIP_END && data[i] != ESP_SLIP_ESC)
            continue;
        esp_vec_append(out, data + run, i - run);
        esp_vec_append(out, data[i] == ESP_SLIP_END ? esc_end : esc_esc, 2);
        run = i + 1;
    }
    esp_vec_append(out, data + run, len - run);
    esp_vec_append(out, &end, 1);
}

void esp_slip_decoder_init(struct esp_slip_decoder *d)
{
    d->len = 0;
    d->in_frame = d->escaped = d->broken = 0;
    d->stray_bytes = 0;
}

enum esp_slip_result esp_slip_push(struct esp_slip_decoder *d, uint8_t b)
{
    if (b == ESP_SLIP_END) {
        int had = d->in_frame && d->len > 0;
        int broken = d->broken || d->escaped;
        d->in_frame = 1; /* an END both closes a frame and may open the next */
        d->escaped = d->broken = 0;
        size_t len = d->len;
        d->len = 0;
        if (!had)
            return ESP_SLIP_MORE;
        if (broken)
            return ESP_SLIP_ERROR;
        d->len = len;
        d->in_frame = 0;
        return ESP_SLIP_FRAME;
    }
    if (!d->in_frame) {
        d->stray_bytes++;
        return ESP_SLIP_MORE;
    }
    if (d->escaped) {
        d->escaped = 0;
        if (b == ESP_SLIP_ESC_END)
            b = ESP_SLIP_END;
        else if (b == ESP_SLIP_ESC_ESC)
            b = ESP_SLIP_ESC;
        else
            d->broken = 1;
    } else if (b == ESP_SLIP_ESC) {
        d->escaped = 1;
        return ESP_SLIP_MORE;
    }
    if (d->len == ESP_SLIP_MAX_FRAME)
        d->broken = 1;
    else
        d->frame[d->len++] = b;
    return ESP_SLIP_MORE;
}
