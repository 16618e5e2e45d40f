/*
 * gdb_target.h — one open connection to a GDB server and the debug operations the
 * probe driver maps onto it: handshake (qSupported, no-ack mode, QEMU detection,
 * memory map), memory access, all-stop run control, monitor commands, flash.
 *
 * All-stop rule: while the target runs (after `c`) the server accepts nothing but the
 * interrupt byte, so every operation that needs a packet halts first and, when it
 * halted the target itself, resumes it afterwards.
 */
#ifndef GDB_TARGET_H
#define GDB_TARGET_H

#include "gdb_memmap.h"
#include "gdb_rsp.h"

#include <stdint.h>

/** PacketSize assumed when qSupported does not name one (GDB's own default is 400
 * bytes; Black Magic Probe advertises 0x400). */
#define GDB_DEFAULT_PACKET_SIZE 400u

struct gdb_target {
    struct gdb_env env;
    struct gdb_rsp rsp;
    /** Largest packet the server accepts (qSupported PacketSize, hex). */
    uint32_t packet_size;
    /** Server answers qqemu.sstepbits: QEMU's system gdbstub. */
    int is_qemu;
    /** qSupported listed qXfer:memory-map:read+. */
    int offers_memory_map;
    /** X packets: 0 not probed yet, 1 accepted, -1 refused (use M). */
    int binary_writes;
    /** The target runs (`c` sent, no stop reply seen since). */
    int running;
    /** Memory map read from the server (flash regions enable vFlash*). */
    struct gdb_memmap map;
    int map_loaded;
};

/** Handshake over `io` (ownership passes to the target, also on failure). */
int gdb_target_open(const struct gdb_env *env, const struct gdb_io *io, struct gdb_target **out);
void gdb_target_close(struct gdb_target *t);

/** Halt the core (debugger attach on servers that need it) and load the memory map. */
int gdb_target_attach(struct gdb_target *t);

/** Stop the core: interrupt byte, then wait for the stop reply. No-op when halted. */
int gdb_target_halt(struct gdb_target *t);
/** Continue (`c`) without waiting for a stop reply. No-op when running. */
int gdb_target_resume(struct gdb_target *t);

int gdb_target_read(struct gdb_target *t, uint64_t addr, uint8_t *buf, uint32_t len);
int gdb_target_write(struct gdb_target *t, uint64_t addr, const uint8_t *buf, uint32_t len);
/** Largest read one `m` packet carries. */
uint32_t gdb_target_read_chunk(const struct gdb_target *t);

/** Run a monitor command (qRcmd); console output lands in out (NUL-terminated). */
int gdb_target_monitor(struct gdb_target *t, const char *command, char *out, size_t out_cap);
/** System reset through the server's monitor; leaves the core halted. */
int gdb_target_reset_halt(struct gdb_target *t);

/** The server writes flash itself: a memory map with flash regions, or QEMU. */
int gdb_target_writes_flash(const struct gdb_target *t);
int gdb_target_flash_erase(struct gdb_target *t, uint64_t addr, uint64_t len);
int gdb_target_flash_write(struct gdb_target *t, uint64_t addr, const uint8_t *data, uint32_t len);
int gdb_target_flash_done(struct gdb_target *t);

#endif /* GDB_TARGET_H */
