/* The firmware side of defmt for the tests: building frames (u16 index, little-endian
 * arguments) and framing them with rzCOBS the way defmt-rtt does. */
#ifndef TESTS_DEFMT_TEST_WIRE_H
#define TESTS_DEFMT_TEST_WIRE_H

#include <stddef.h>
#include <stdint.h>

struct wire {
    uint8_t buf[8192];
    size_t len;
};

void wire_reset(struct wire *w);
void wire_bytes(struct wire *w, const void *data, size_t n);
void wire_u8(struct wire *w, uint8_t v);
void wire_u16(struct wire *w, uint16_t v);
void wire_u32(struct wire *w, uint32_t v);
void wire_u64(struct wire *w, uint64_t v);
void wire_f32(struct wire *w, float v);
void wire_f64(struct wire *w, double v);
/** u32 length + bytes (str and [u8]). */
void wire_str(struct wire *w, const char *s);

/** rzCOBS-encode `frame` and append it plus the 0x00 delimiter to `out`. */
void wire_rzcobs(struct wire *out, const uint8_t *frame, size_t len);

#endif
