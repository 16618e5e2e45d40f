/* rzCOBS (reverse zero-compressing COBS) frame decoding, as defmt-rtt frames its output.
 *
 * A frame is read from its last byte backwards. Control byte 0x01-0x7f: seven output
 * bytes, bit 6 first, a set bit meaning 0x00 and a clear bit the next (earlier) literal;
 * 0x80-0xfe: a 0x00, then (c & 0x7f) + 7 literals; 0xff: 134 literals. The output is
 * produced back to front and may end with up to 7 padding zeros. */
#include "defmt_internal.h"

long dm_rzcobs_decode(const uint8_t *frame, size_t size, uint8_t *out, size_t out_cap)
{
    size_t pos = size; /* next byte to read is frame[pos - 1] */
    size_t n = 0;      /* bytes written to the end of `out` */
#define EMIT(b) do { if (n == out_cap) return -1; out[out_cap - 1 - n++] = (b); } while (0)
#define LITERAL() do { if (pos == 0) return -1; EMIT(frame[--pos]); } while (0)
    while (pos > 0) {
        uint8_t c = frame[--pos];
        if (c == 0)
            return -1;
        if (c < 0x80) {
            for (int bit = 6; bit >= 0; bit--) {
                if (c & (1u << bit))
                    EMIT(0);
                else
                    LITERAL();
            }
        } else if (c < 0xff) {
            EMIT(0);
            for (unsigned k = 0; k < (c & 0x7fu) + 7u; k++)
                LITERAL();
        } else {
            for (unsigned k = 0; k < 134u; k++)
                LITERAL();
        }
    }
#undef LITERAL
#undef EMIT
    /* The output sits at the end of `out`, already in forward order. */
    for (size_t i = 0; i < n; i++)
        out[i] = out[out_cap - n + i];
    return (long)n;
}
