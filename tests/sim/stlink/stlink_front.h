/* ST-Link probe front of espctl-sim: USB command set and stlink-server TCP framing. */
#ifndef SIM_STLINK_FRONT_H
#define SIM_STLINK_FRONT_H

#include <stddef.h>
#include <stdint.h>

#include "sim/target.h"

/* stlink-server TCP status words. */
#define STLINK_TCP_OK            0x00000001u
#define STLINK_TCP_BAD_PARAM     0x00001002u
#define STLINK_TCP_TRUNCATED     0x00001052u
#define STLINK_TCP_NOT_AVAILABLE 0x00001053u

/** Largest request and reply the stlink-server protocol carries (OpenOCD's buffer size). */
#define STLINK_TCP_MAX_FRAME 10240u
/** ST-Link internal data buffer: the largest memory transfer of one command. */
#define STLINK_MAX_XFER 6144u

enum stlink_identity { STLINK_V2J37, STLINK_V3J7 };

/** Probe state seen through one simulator run. */
struct stlink_probe {
    struct sim_target *target;
    enum stlink_identity identity;
    uint8_t mode;            /**< GET_CURRENT_MODE answer: 0 DFU, 1 mass, 2 debug */
    uint8_t last_rw_status;  /**< ST-Link status of the last memory command */
    uint32_t last_rw_addr;
    uint32_t swd_khz;
    int nrst_low;
    uint32_t device_id;      /**< stlink-server device id */
    uint32_t connect_id;     /**< non-zero while a client has the device open */
    uint32_t server_api;     /**< API version reported by GET_SERVER_VERSION */
    const char *serial;
    int verbose;             /**< log every USB command on stderr */
};

/** Initialise @p p for @p t with the given identity (mode starts in DFU, nothing open). */
void stlink_probe_init(struct stlink_probe *p, struct sim_target *t, enum stlink_identity id);

/**
 * Execute one ST-Link USB command: 16-byte @p cdb, data phase @p out (host→probe) and
 * @p in (probe→host, zero-filled by the caller, @p in_len bytes). Accounts one round trip.
 * Returns a stlink-server status word (STLINK_TCP_OK, or an error for malformed/unknown
 * commands, which are also logged on stderr with their bytes).
 */
uint32_t stlink_usb_command(struct stlink_probe *p, const uint8_t cdb[16], const uint8_t *out,
                            uint32_t out_len, uint8_t *in, uint32_t in_len);

/**
 * Size of the stlink-server request at the start of @p buf: >0 the full length, 0 when more
 * bytes are needed, -1 when the bytes cannot start a valid request (unknown command or
 * oversized data phase).
 */
long stlink_tcp_frame_len(const uint8_t *buf, size_t have);

/** Result of handling one request. */
struct stlink_tcp_result {
    size_t reply_len; /**< bytes written to the reply buffer */
    int drop;         /**< 1: close the connection without replying (injected drop) */
};

/**
 * Handle one complete request of @p len bytes (as framed by stlink_tcp_frame_len) and write
 * the reply into @p reply (capacity STLINK_TCP_MAX_FRAME). Never fails: malformed requests
 * get an error status.
 */
struct stlink_tcp_result stlink_tcp_handle(struct stlink_probe *p, const uint8_t *req, size_t len,
                                           uint8_t *reply);

#endif
