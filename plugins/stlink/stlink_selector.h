/*
 * stlink_selector.h — what open() accepts:
 *   "stlink-tcp:HOST[:PORT]"  a probe behind stlink-server (default port 7184)
 *   "VID:PID[:SERIAL]"        a USB probe, ids in hex ("0483:374b:066DFF...")
 */
#ifndef STLINK_SELECTOR_H
#define STLINK_SELECTOR_H

#include <stdint.h>

#define STLINK_TCP_PREFIX "stlink-tcp:"

struct stlink_selector {
    int is_tcp;
    char host[256];
    uint16_t port;
    uint16_t vid;
    uint16_t pid;
    /** Empty when not given. */
    char serial[65];
};

/** Parse `text`; 0 or ESPCTL_E_INVAL (the caller words the message). */
int stlink_selector_parse(const char *text, struct stlink_selector *sel);

#endif /* STLINK_SELECTOR_H */
