/*
 * gdb_io.h — the byte stream under the remote protocol: a TCP socket or a serial
 * port (Black Magic Probe's CDC-ACM GDB interface), with every wait bounded.
 */
#ifndef GDB_IO_H
#define GDB_IO_H

#include "gdb_env.h"

#include <stddef.h>
#include <stdint.h>

struct gdb_io {
    int fd;
    /** Set once the stream is out of step or closed: every later call fails at once. */
    int dead;
    /** "127.0.0.1:1234" or "/dev/ttyACM0", named in messages. */
    char peer[128];
};

/** Connect to HOST:PORT within env->timeout_ms. */
int gdb_io_open_tcp(const struct gdb_env *env, const char *host, const char *port,
                    struct gdb_io *io);
/** Open a serial port raw, 8N1, 115200 baud (Black Magic Probe ignores the rate). */
int gdb_io_open_serial(const struct gdb_env *env, const char *path, struct gdb_io *io);
void gdb_io_close(struct gdb_io *io);

/** Write all of `data` before `deadline_ms` (host clock). */
int gdb_io_write(const struct gdb_env *env, struct gdb_io *io, const void *data, size_t len,
                 uint64_t deadline_ms);
/** Read 1..cap bytes, waiting until `deadline_ms`; *got receives the count. */
int gdb_io_read(const struct gdb_env *env, struct gdb_io *io, uint8_t *buf, size_t cap,
                uint64_t deadline_ms, size_t *got);
/** 1 when bytes can be read without waiting, else 0. */
int gdb_io_readable(struct gdb_io *io);

#endif /* GDB_IO_H */
