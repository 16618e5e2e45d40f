/*
 * espctl/defmt.h — decoding defmt log streams, and ELF symbol lookup for RTT.
 *
 * A defmt firmware (Rust, knurling-rs/defmt wire format versions 3 and 4) sends
 * compact frames — a u16 index into a string table plus binary arguments — over an
 * RTT up channel. The table lives in the firmware ELF: symbols in the `.defmt`
 * section whose names are JSON objects. An espctl_defmt decoder is built from that
 * ELF and turns the byte stream back into log lines.
 *
 * The decoder is a stream decoder: feed it bytes as they arrive, in pieces of any
 * size; it keeps incomplete frames across calls and reports each complete frame
 * once through a callback. A frame that cannot be decoded (unknown index, bad
 * arguments, corrupt framing) is reported too, flagged with status != 0 and its raw
 * bytes, so the caller can print them as hex with a warning. Garbage input never
 * makes it crash or loop; with the rzcobs encoding it resynchronises at the next
 * frame delimiter.
 *
 * Conventions are those of espctl.h (int returns, thread-local detail text in
 * espctl_last_error(), structs starting with espctl_abi_hdr). No espctl_ctx is
 * needed. One decoder is used by one thread at a time.
 */
#ifndef ESPCTL_DEFMT_H
#define ESPCTL_DEFMT_H

#include "espctl/espctl.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- ELF symbols ------------------------------------------------------------- */

/**
 * Look up a defined symbol (e.g. "_SEGGER_RTT") in the symbol table of the 32-bit
 * little-endian ELF file at `path`. On success writes its value (address) to
 * *address and its st_size to *size (either may be NULL). Fails with
 * ESPCTL_E_NOT_FOUND when the file, its symbol table or the symbol is absent (an
 * undefined reference does not count), ESPCTL_E_FORMAT when the ELF's header,
 * section headers or symbol table are malformed (detail names the field and file
 * offset), ESPCTL_E_INVAL for NULL arguments.
 */
ESPCTL_API int espctl_elf_symbol(const char *path, const char *name, uint64_t *address,
                                 uint64_t *size);

/** espctl_elf_symbol on an ELF already in memory; `label` names it in error text
 * (NULL = "ELF"). `elf` is only read during the call. */
ESPCTL_API int espctl_elf_symbol_bytes(const uint8_t *elf, size_t elf_size, const char *label,
                                       const char *name, uint64_t *address, uint64_t *size);

/* ---- defmt decoder ------------------------------------------------------------ */

typedef struct espctl_defmt espctl_defmt;

/** Frame encodings, from the ELF's `_defmt_encoding_ = ...` symbol. */
enum espctl_defmt_encoding {
    ESPCTL_DEFMT_RZCOBS = 1, /**< frames are rzCOBS-encoded and separated by 0x00 */
    ESPCTL_DEFMT_RAW = 2     /**< frames follow each other with no delimiter */
};

/** Level of a println! frame (no level) and of an undecodable frame. */
#define ESPCTL_DEFMT_LEVEL_NONE (-1)

/** espctl_defmt_frame flags. */
#define ESPCTL_DEFMT_FRAME_TIMESTAMP 0x1u /**< `timestamp` holds the formatted timestamp */
#define ESPCTL_DEFMT_FRAME_TRUNCATED 0x2u /**< error frame: the stream ended mid-frame */

/**
 * One frame, decoded or not. Everything is borrowed for the duration of the
 * callback only.
 */
struct espctl_defmt_frame {
    struct espctl_abi_hdr hdr;
    /** 0 when decoded; ESPCTL_E_FORMAT when the frame could not be decoded. */
    int32_t status;
    /** ESPCTL_LOG_TRACE .. ESPCTL_LOG_ERROR from the statement's tag, or
     * ESPCTL_DEFMT_LEVEL_NONE for println! and for undecodable frames. */
    int32_t level;
    /** String-table index of the log statement (0 when it could not be read). */
    uint32_t index;
    /** ESPCTL_DEFMT_FRAME_* flags. */
    uint32_t flags;
    /** Formatted timestamp ("1.500000") when the firmware declares a timestamp
     * (flag ESPCTL_DEFMT_FRAME_TIMESTAMP), else "". Never NULL. */
    const char *timestamp;
    /** The formatted message; for an undecodable frame, why it failed
     * ("unknown string index 77 at frame offset 0"). Never NULL. */
    const char *text;
    /** The frame's bytes as they arrived on the wire (for rzcobs: still encoded,
     * without the 0x00 delimiter). Print them as hex when status != 0. */
    const uint8_t *raw;
    size_t raw_size;
};

/** Receives each frame in stream order. */
typedef void (*espctl_defmt_frame_fn)(void *user, const struct espctl_defmt_frame *frame);

/**
 * Build a decoder from the firmware ELF at `path`. Fails with
 * ESPCTL_E_NOT_FOUND when the ELF has no `.defmt` section (not a defmt firmware:
 * show the channel as text), ESPCTL_E_NOT_SUPPORTED when the `_defmt_version_`
 * symbol names a wire format other than 3 or 4 (detail names the version found and
 * the versions supported), ESPCTL_E_FORMAT when the ELF or the table is malformed
 * (detail names the field, symbol or offset), ESPCTL_E_IO/ESPCTL_E_ACCESS when the
 * file cannot be read, ESPCTL_E_NOMEM.
 */
ESPCTL_API int espctl_defmt_open(espctl_defmt **decoder, const char *path);

/** espctl_defmt_open on an ELF in memory; `label` names it in error text (NULL =
 * "ELF"). The decoder copies what it needs; `elf` may be freed afterwards. */
ESPCTL_API int espctl_defmt_open_bytes(espctl_defmt **decoder, const uint8_t *elf,
                                       size_t elf_size, const char *label);

/** Wire format version from the ELF (3 or 4). */
ESPCTL_API uint32_t espctl_defmt_version(const espctl_defmt *decoder);
/** espctl_defmt_encoding of the stream the firmware sends. */
ESPCTL_API int32_t espctl_defmt_encoding(const espctl_defmt *decoder);
/** Number of entries in the string table (log statements, nested formats, interned
 * strings; the timestamp format is not counted). */
ESPCTL_API uint32_t espctl_defmt_table_size(const espctl_defmt *decoder);

/**
 * Feed received bytes. Calls `on_frame` once for every frame completed by these
 * bytes, in order; an incomplete frame at the end is kept for the next call.
 * Returns 0, or ESPCTL_E_NOMEM / ESPCTL_E_INVAL. Undecodable frames are not an
 * error of this call: they are delivered with status != 0.
 */
ESPCTL_API int espctl_defmt_feed(espctl_defmt *decoder, const uint8_t *data, size_t size,
                                 espctl_defmt_frame_fn on_frame, void *user);

/**
 * End of stream: report bytes still waiting for the rest of their frame as one
 * undecodable frame (flag ESPCTL_DEFMT_FRAME_TRUNCATED) and forget them. Nothing
 * is reported when no bytes are pending. Returns 0 or ESPCTL_E_INVAL.
 */
ESPCTL_API int espctl_defmt_flush(espctl_defmt *decoder, espctl_defmt_frame_fn on_frame,
                                  void *user);

/** Bytes currently held for an incomplete frame. */
ESPCTL_API size_t espctl_defmt_pending(const espctl_defmt *decoder);

/** Free the decoder. NULL is a no-op. */
ESPCTL_API void espctl_defmt_free(espctl_defmt *decoder);

#ifdef __cplusplus
}
#endif

#endif /* ESPCTL_DEFMT_H */
