/*
 * gdb_selector.h — what follows "gdb:" in a probe selector: HOST:PORT for a server
 * on TCP ("gdb:127.0.0.1:1234", "gdb:[::1]:2000"), or a serial device path starting
 * with '/' ("gdb:/dev/ttyACM0", Black Magic Probe's GDB interface).
 */
#ifndef GDB_SELECTOR_H
#define GDB_SELECTOR_H

#define GDB_SELECTOR_PREFIX "gdb:"

struct gdb_selector {
    int is_serial;
    char host[256];
    char port[8];
    char path[1024];
};

/** 0, or -1 when `selector` is not a well-formed gdb: selector. */
int gdb_selector_parse(const char *selector, struct gdb_selector *sel);

#endif /* GDB_SELECTOR_H */
