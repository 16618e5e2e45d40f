/*
 * dap_proto.h — CMSIS-DAP wire format: command ids, request encoders and response
 * parsers. Pure functions with no I/O, so the parsers are fuzzed directly
 * (fuzz/fuzz_dap_response.c). Every parser rejects a malformed response with
 * ESPCTL_E_PROTOCOL and a message (in `why`) naming the command, field and offset.
 */
#ifndef DAP_PROTO_H
#define DAP_PROTO_H

#include <stddef.h>
#include <stdint.h>

#define DAP_CMD_INFO 0x00
#define DAP_CMD_HOST_STATUS 0x01
#define DAP_CMD_CONNECT 0x02
#define DAP_CMD_DISCONNECT 0x03
#define DAP_CMD_TRANSFER_CONFIGURE 0x04
#define DAP_CMD_TRANSFER 0x05
#define DAP_CMD_TRANSFER_BLOCK 0x06
#define DAP_CMD_WRITE_ABORT 0x08
#define DAP_CMD_DELAY 0x09
#define DAP_CMD_RESET_TARGET 0x0A
#define DAP_CMD_SWJ_PINS 0x10
#define DAP_CMD_SWJ_CLOCK 0x11
#define DAP_CMD_SWJ_SEQUENCE 0x12
#define DAP_CMD_SWD_CONFIGURE 0x13
#define DAP_CMD_UNKNOWN 0xFF

#define DAP_INFO_VENDOR 0x01
#define DAP_INFO_PRODUCT 0x02
#define DAP_INFO_SERIAL 0x03
#define DAP_INFO_PROTOCOL 0x04
#define DAP_INFO_FIRMWARE 0x09
#define DAP_INFO_CAPS 0xF0
#define DAP_INFO_PACKET_COUNT 0xFE
#define DAP_INFO_PACKET_SIZE 0xFF

#define DAP_CAP_SWD 0x01u

/* Transfer request bits. */
#define DAP_REQ_AP 0x01u
#define DAP_REQ_READ 0x02u
/* Transfer ACK values (bits 2..0) and flags. */
#define DAP_ACK_OK 0x01u
#define DAP_ACK_WAIT 0x02u
#define DAP_ACK_FAULT 0x04u
#define DAP_ACK_NONE 0x07u
#define DAP_ACK_PROTOCOL_ERROR 0x08u
#define DAP_ACK_MISMATCH 0x10u

/** Request bytes of DP/AP transfers by register address (A[3:2]). */
#define DAP_REQ(ap, read, addr) ((uint8_t)(((ap) ? DAP_REQ_AP : 0u) | ((read) ? DAP_REQ_READ : 0u) | ((addr) & 0x0Cu)))

/** Header sizes used to size packets. */
#define DAP_TRANSFER_HEADER 3u       /* id, index, count */
#define DAP_TRANSFER_RESP_HEADER 3u  /* id, count, ack */
#define DAP_BLOCK_HEADER 5u          /* id, index, count u16, req */
#define DAP_BLOCK_RESP_HEADER 4u     /* id, count u16, ack */

/** A parsed DAP_Info answer. */
struct dap_info_value {
    uint8_t len;
    /** NUL-terminated copy for string ids (tolerates a missing NUL). */
    char text[256];
    /** Numeric value for 0xF0 (caps), 0xFE (count), 0xFF (size). */
    uint32_t number;
};

/** Outcome of DAP_Transfer / DAP_TransferBlock. */
struct dap_xfer_status {
    uint32_t done; /**< transfers completed */
    uint8_t ack;   /**< raw ACK byte */
};

/** Check the echoed command id of `resp` (and the 0xFF "unknown command" answer). */
int dap_check_echo(const uint8_t *resp, size_t len, uint8_t cmd, size_t min_len, char *why, size_t why_len);

/** Parse DAP_Info(`id`): strings, caps (1-2 bytes), count (byte), size (short). */
int dap_parse_info(const uint8_t *resp, size_t len, uint8_t id, struct dap_info_value *out, char *why,
                   size_t why_len);

/** Parse a one-byte DAP_OK/DAP_ERROR status answer of `cmd`. */
int dap_parse_status(const uint8_t *resp, size_t len, uint8_t cmd, char *why, size_t why_len);

/**
 * Parse DAP_Transfer's answer to the `count` transfers whose request bytes are `reqs`.
 * Fills *st; the data of the completed reads (in order) goes to `words` (room for every
 * read of the request). A count or length that does not fit the request is
 * ESPCTL_E_PROTOCOL. ACK failures are not errors here: the caller decides from st->ack.
 */
int dap_parse_transfer(const uint8_t *resp, size_t len, const uint8_t *reqs, uint32_t count,
                       struct dap_xfer_status *st, uint32_t *words, char *why, size_t why_len);

/** Parse DAP_TransferBlock's answer to `count` transfers (reads when `is_read`). */
int dap_parse_block(const uint8_t *resp, size_t len, uint32_t count, int is_read, struct dap_xfer_status *st,
                    uint32_t *words, char *why, size_t why_len);

/** Human name of an ACK value ("OK", "WAIT", "FAULT", "no ACK", "protocol error", ...). */
const char *dap_ack_name(uint8_t ack);

static inline void dap_put16(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)v;
    b[1] = (uint8_t)(v >> 8);
}
static inline void dap_put32(uint8_t *b, uint32_t v)
{
    dap_put16(b, v);
    dap_put16(b + 2, v >> 16);
}
static inline uint32_t dap_get32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}
static inline uint16_t dap_get16(const uint8_t *b)
{
    return (uint16_t)(b[0] | b[1] << 8);
}

#endif /* DAP_PROTO_H */
