/*
 * dap_transport.h — how the command layer reaches a CMSIS-DAP probe: it sends whole DAP
 * request packets and receives whole response packets, strictly in order. Several requests
 * may be sent before their responses are read (up to max_inflight). Backends: v2 bulk and
 * v1 HID over libusb (dap_usb.c), elaphureLink over TCP (dap_tcp.c); tests plug in their own.
 */
#ifndef DAP_TRANSPORT_H
#define DAP_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

enum dap_transport_kind {
    DAP_TRANSPORT_V2_BULK = 1,
    DAP_TRANSPORT_V1_HID = 2,
    DAP_TRANSPORT_TCP = 3,
    DAP_TRANSPORT_FAKE = 4
};

struct dap_transport;

struct dap_transport_ops {
    /** Queue or send one request of `len` bytes. Returns 0 or a negative espctl_error
     * after host->set_error. Bounded in time. */
    int (*send)(struct dap_transport *t, const uint8_t *req, size_t len);
    /** Receive the next response into `resp` (capacity `cap`); *len gets its length
     * (HID: the whole report). Sends anything still queued first. Bounded in time. */
    int (*recv)(struct dap_transport *t, uint8_t *resp, size_t cap, size_t *len);
    /** Release the backend and free `t`. */
    void (*destroy)(struct dap_transport *t);
};

struct dap_transport {
    const struct dap_transport_ops *ops;
    int32_t kind;
    /** Largest request/response the link carries (HID report size, TCP frame); 0 = none. */
    uint32_t max_packet;
    /** Most requests the link may have in flight (bare elaphureLink: 1); 0 = no limit. */
    uint32_t max_inflight;
    uint16_t vid;
    uint16_t pid;
    char serial[128];
    char product[128];
    char manufacturer[128];
    /** "dap-tcp:HOST:PORT" or "VID:PID:SERIAL" for messages. */
    char name[160];
};

#endif /* DAP_TRANSPORT_H */
