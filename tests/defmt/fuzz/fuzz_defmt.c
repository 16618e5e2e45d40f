/* libFuzzer harness: the defmt table loader and the stream decoder.
 * Input byte 0 selects the mode: odd → the rest is an ELF for espctl_defmt_open_bytes and
 * espctl_elf_symbol_bytes; even → the rest is a byte stream fed (in pieces whose sizes
 * come from byte 0) to rzcobs and raw decoders over a fixed table covering every type. */
#include "espctl/defmt.h"
#include "test_elf.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static espctl_defmt *decoders[2];

static espctl_defmt *make(const char *encoding)
{
    static const char *const formats[] = {
        "{=u8}", "{=u16:x} {=i32:05} {=u64:#010b}", "{=str:?} {=[u8]:a} {=[u8; 4]:x}",
        "{=f32} {=f64} {=bool} {=char}", "{} {=?} {:x}", "{=istr} {=[?]} {=[?; 2]}",
        "{0=0..4} {0=4..12:x} {1=0..64:a}", "A|B({=u8})|C({=str})", "{=__internal_Display} end",
        "{=__internal_FormatSequence}", "{=u32:us} {=u64:tms} {=u64:iso8601ms} {=i128:x} {=u128}",
        "{1=u8} {0=u16} {{}}", "{=usize} {=isize:#x}",
    };
    struct test_elf e;
    test_elf_init(&e);
    test_elf_defmt_meta(&e, "4", encoding);
    for (uint32_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        test_elf_defmt(&e, 1 + i, "defmt_prim", formats[i]);
        test_elf_defmt(&e, 101 + i, i % 2 ? "defmt_info" : "defmt_println", formats[i]);
    }
    test_elf_defmt(&e, 200, "defmt_str", "interned");
    test_elf_defmt(&e, 201, "defmt_timestamp", "{=u32:ms}");
    size_t size;
    uint8_t *elf = test_elf_build(&e, &size, NULL);
    test_elf_free(&e);
    espctl_defmt *d = NULL;
    if (espctl_defmt_open_bytes(&d, elf, size, "fuzz.elf") != 0)
        abort();
    free(elf);
    return d;
}

static void on_frame(void *user, const struct espctl_defmt_frame *f)
{
    size_t *total = user;
    /* Touch everything the caller would print. */
    *total += strlen(f->text) + strlen(f->timestamp) + f->raw_size;
    for (size_t i = 0; i < f->raw_size; i++)
        *total += f->raw[i] & 1u;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] & 1) {
        espctl_defmt *d = NULL;
        if (espctl_defmt_open_bytes(&d, data + 1, size - 1, "fuzz.elf") == 0) {
            size_t total = 0;
            espctl_defmt_feed(d, data + 1, size - 1, on_frame, &total);
            espctl_defmt_flush(d, on_frame, &total);
            espctl_defmt_free(d);
        }
        uint64_t address, sym_size;
        espctl_elf_symbol_bytes(data + 1, size - 1, "fuzz.elf", "_SEGGER_RTT", &address, &sym_size);
        return 0;
    }
    if (!decoders[0]) {
        decoders[0] = make("rzcobs");
        decoders[1] = make("raw");
    }
    size_t piece = 1u + (data[0] >> 1);
    for (int k = 0; k < 2; k++) {
        size_t total = 0;
        for (size_t at = 1; at < size; at += piece) {
            size_t n = size - at < piece ? size - at : piece;
            if (espctl_defmt_feed(decoders[k], data + at, n, on_frame, &total) != 0)
                abort();
        }
        espctl_defmt_flush(decoders[k], on_frame, &total);
        if (espctl_defmt_pending(decoders[k]) != 0)
            abort();
    }
    return 0;
}
