/* Shared by the defmt tests: capturing decoded frames and building decoders. */
#ifndef TESTS_DEFMT_SUPPORT_H
#define TESTS_DEFMT_SUPPORT_H

#include "espctl/defmt.h"
#include "test_elf.h"
#include "test_wire.h"

#include <stddef.h>
#include <stdint.h>

struct captured {
    int32_t status, level;
    uint32_t index, flags;
    char timestamp[256];
    char text[2048];
    uint8_t raw[4096];
    size_t raw_size;
};

struct capture {
    struct captured frames[64];
    size_t count;
};

/** espctl_defmt_frame_fn that appends to a struct capture. */
void capture_frame(void *user, const struct espctl_defmt_frame *frame);

/** Build the ELF described by `e` and open a decoder on it (asserts success). */
espctl_defmt *open_decoder(const struct test_elf *e);

/** rzCOBS-frame `w` and feed it whole; returns the captured frame (asserts exactly one). */
const struct captured *decode_frame(espctl_defmt *d, const struct wire *w, struct capture *c);

#endif
