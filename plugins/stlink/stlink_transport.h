/*
 * stlink_transport.h — how the command layer reaches an ST-Link: one 16-byte command
 * block plus an optional data phase. Backends: libusb (stlink_usb.c) and the
 * stlink-server TCP protocol (stlink_tcp.c). Tests plug in their own.
 */
#ifndef STLINK_TRANSPORT_H
#define STLINK_TRANSPORT_H

#include <stdint.h>

#define STLINK_CDB_SIZE 16

enum stlink_dir {
    STLINK_DIR_NONE = 0, /**< command only, no data phase */
    STLINK_DIR_OUT = 1,  /**< host → probe data follows the command */
    STLINK_DIR_IN = 2    /**< probe → host reply of exactly `len` bytes */
};

struct stlink_transport;

struct stlink_transport_ops {
    /** Send `cdb`, then move `len` bytes of `data` in direction `dir`. Returns 0 or a
     * negative espctl_error after host->set_error. Must be bounded in time. */
    int (*xfer)(struct stlink_transport *t, const uint8_t cdb[STLINK_CDB_SIZE], int dir,
                uint8_t *data, uint32_t len);
    /** Release the backend and free `t`. */
    void (*destroy)(struct stlink_transport *t);
};

struct stlink_transport {
    const struct stlink_transport_ops *ops;
    /** Identity of the probe behind the transport. */
    uint16_t vid;
    uint16_t pid;
    /** Hardware generation (enum stlink_hw). */
    uint8_t hw;
    /** 1 when behind stlink-server (no RW_MISC below api 3, 1 KiB chunks below api 2). */
    uint8_t is_tcp;
    uint16_t reserved;
    /** Largest data phase the backend carries in one command (0 = no extra limit). */
    uint32_t max_data;
    char serial[65];
    char product[128];
};

#endif /* STLINK_TRANSPORT_H */
