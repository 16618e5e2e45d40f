/* SLIP decoder: arbitrary bytes never crash it, and every frame it yields survives an
 * encode/decode round trip unchanged. */
#include "esp_slip.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct esp_slip_decoder dec, again;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    esp_slip_decoder_init(&dec);
    for (size_t i = 0; i < size; i++) {
        if (esp_slip_push(&dec, data[i]) != ESP_SLIP_FRAME)
            continue;
        struct esp_vec enc = {0};
        esp_slip_encode(&enc, dec.frame, dec.len);
        esp_slip_decoder_init(&again);
        size_t frames = 0;
        for (size_t k = 0; k < enc.len; k++)
            if (esp_slip_push(&again, enc.data[k]) == ESP_SLIP_FRAME) {
                frames++;
                if (again.len != dec.len || memcmp(again.frame, dec.frame, dec.len))
                    abort();
            }
        if (enc.failed == 0 && frames != 1)
            abort();
        esp_vec_free(&enc);
    }
    return 0;
}
