/*
 * gdb_rsp.h — GDB Remote Serial Protocol packet layer (client side).
 *
 * Frames `$payload#cc` with the modulo-256 checksum, escapes binary payloads
 * (`}` then byte XOR 0x20 for # $ } *), decodes escapes and run-length encoding
 * (`c*n`: c repeated n-29 more times) in replies, and runs the ack protocol until
 * QStartNoAckMode turns it off. Every wait has a deadline; a timeout or a framing
 * error that leaves the stream out of step marks the connection dead.
 */
#ifndef GDB_RSP_H
#define GDB_RSP_H

#include "gdb_io.h"

#include <stddef.h>
#include <stdint.h>

/** Largest decoded reply accepted; longer replies are ESPCTL_E_PROTOCOL. */
#define GDB_MAX_REPLY 65536u

struct gdb_rsp {
    struct gdb_env env;
    struct gdb_io io;
    /** 1 while packets are acknowledged with '+' / '-' (until QStartNoAckMode). */
    int ack_mode;
    /** Decoded payload of the last packet received, NUL-terminated. */
    char *reply;
    size_t reply_len;
    /** Bytes read from the stream but not yet consumed. */
    uint8_t in[4096];
    size_t in_len, in_pos;
    /** Raw frame of the last packet sent, for resends. */
    uint8_t *tx;
    size_t tx_len, tx_cap;
    /** Raw payload of the frame being received (before decoding). */
    uint8_t *raw;
};

/** Prepare *rsp around an open stream (takes ownership of io). */
int gdb_rsp_init(struct gdb_rsp *rsp, const struct gdb_env *env, const struct gdb_io *io);
void gdb_rsp_free(struct gdb_rsp *rsp);

/** Send `text` followed by `bin` escaped (bin may be NULL); waits for '+' in ack mode. */
int gdb_rsp_send(struct gdb_rsp *rsp, const char *text, const uint8_t *bin, size_t bin_len,
                 uint32_t timeout_ms);
/** Receive one packet into rsp->reply within timeout_ms. `what` names the awaited reply
 * in the timeout message ("reply to m8000000,400"). */
int gdb_rsp_recv(struct gdb_rsp *rsp, uint32_t timeout_ms, const char *what);
/** send + recv with the same bound. */
int gdb_rsp_transact(struct gdb_rsp *rsp, const char *text, const uint8_t *bin, size_t bin_len,
                     uint32_t timeout_ms);
/** Send the raw interrupt byte 0x03 (no framing). */
int gdb_rsp_interrupt(struct gdb_rsp *rsp);
/** 1 when a byte from the server waits to be read (an asynchronous stop reply). */
int gdb_rsp_pending(struct gdb_rsp *rsp);

/** How many leading bytes of bin escape into at most `budget` bytes. */
size_t gdb_rsp_fit(const uint8_t *bin, size_t len, size_t budget);

/** Parse an `Enn` error reply: 1 and *code when it is one, else 0. */
int gdb_rsp_is_error(const char *reply, unsigned *code);

#endif /* GDB_RSP_H */
