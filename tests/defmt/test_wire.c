/* Test-side defmt encoder (see test_wire.h). */
#include "test_wire.h"

#include <stdlib.h>
#include <string.h>

void wire_reset(struct wire *w)
{
    w->len = 0;
}

void wire_bytes(struct wire *w, const void *data, size_t n)
{
    if (w->len + n > sizeof w->buf)
        abort();
    memcpy(w->buf + w->len, data, n);
    w->len += n;
}

static void wire_le(struct wire *w, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++) {
        uint8_t b = (uint8_t)(v >> (8 * i));
        wire_bytes(w, &b, 1);
    }
}

void wire_u8(struct wire *w, uint8_t v) { wire_le(w, v, 1); }
void wire_u16(struct wire *w, uint16_t v) { wire_le(w, v, 2); }
void wire_u32(struct wire *w, uint32_t v) { wire_le(w, v, 4); }
void wire_u64(struct wire *w, uint64_t v) { wire_le(w, v, 8); }

void wire_f32(struct wire *w, float v)
{
    uint32_t b;
    memcpy(&b, &v, 4);
    wire_u32(w, b);
}

void wire_f64(struct wire *w, double v)
{
    uint64_t b;
    memcpy(&b, &v, 8);
    wire_u64(w, b);
}

void wire_str(struct wire *w, const char *s)
{
    wire_u32(w, (uint32_t)strlen(s));
    wire_bytes(w, s, strlen(s));
}

/* Groups of up to 7 bytes become literals plus a bitmap control byte (bit i set: byte i
 * is zero). Seven non-zero bytes in a row switch to a run: literals until a zero
 * (control 0x80 | (run - 7)) or 134 literals (control 0xff). */
void wire_rzcobs(struct wire *out, const uint8_t *frame, size_t len)
{
    uint8_t bitmap = 0;
    unsigned run = 0; /* bytes in the current group or run */
    for (size_t i = 0; i < len; i++) {
        uint8_t b = frame[i];
        if (run < 7) {
            if (b == 0)
                bitmap |= (uint8_t)(1u << run);
            else
                wire_bytes(out, &b, 1);
            run++;
            if (run == 7 && bitmap != 0) {
                wire_bytes(out, &bitmap, 1);
                bitmap = 0;
                run = 0;
            }
        } else if (b == 0) {
            uint8_t c = (uint8_t)(0x80u | (run - 7u));
            wire_bytes(out, &c, 1);
            run = 0;
        } else {
            wire_bytes(out, &b, 1);
            run++;
            if (run == 134) {
                uint8_t c = 0xff;
                wire_bytes(out, &c, 1);
                run = 0;
            }
        }
    }
    if (run > 0 && run < 7) {
        bitmap |= (uint8_t)(0x7fu & ~((1u << run) - 1u));
        wire_bytes(out, &bitmap, 1);
    } else if (run >= 7) {
        uint8_t c = (uint8_t)(0x80u | (run - 7u));
        wire_bytes(out, &c, 1);
    }
    uint8_t zero = 0;
    wire_bytes(out, &zero, 1);
}
