/*
 * fake_gdb_server.h — a GDB remote server on 127.0.0.1 in a thread, for tests that
 * need a peer misbehaving in exact ways. It accepts one client, frames and acks
 * packets (until QStartNoAckMode), and hands each payload to a behaviour:
 *   SILENT   accepts, reads, never answers anything
 *   SCRIPT   answers packet i with script[i] verbatim (raw bytes, framing included);
 *            a NULL entry means: go silent from here on
 *   BMP      a small Black-Magic-Probe-like server: no-ack mode, memory map with a
 *            flash region, vFlash*, m/M/X over a RAM and a flash model, monitor reset
 */
#ifndef FAKE_GDB_SERVER_H
#define FAKE_GDB_SERVER_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

enum fake_mode { FAKE_SILENT, FAKE_SCRIPT, FAKE_BMP };

#define FAKE_FLASH_BASE 0x08000000u
#define FAKE_FLASH_SIZE 0x8000u
#define FAKE_FLASH_BLOCK 0x800u
#define FAKE_RAM_BASE 0x20000000u
#define FAKE_RAM_SIZE 0x1000u

struct fake_server {
    enum fake_mode mode;
    const char *const *script;
    size_t script_count;
    uint16_t port;
    int listen_fd;
    /** Pseudo-terminal transport (fake_server_start_pty): master fd, held slave fd and
     * the slave's path for a "gdb:/dev/pts/N" selector; -1 for TCP. */
    int pty_master, pty_slave;
    char pty_path[64];
    int wake[2];
    pthread_t thread;
    /* BMP model state, read by the test after fake_server_stop. */
    uint8_t flash[FAKE_FLASH_SIZE];
    uint8_t ram[FAKE_RAM_SIZE];
    int noack;
    int acks_after_noack;
    int saw_kill;
    int x_packets, m_writes, erases, flash_writes, dones, resets, interrupts, continues;
    int running;
    /** Raw binary bytes of the last X packet after unescaping. */
    uint8_t last_x[64];
    size_t last_x_len;
};

/** Listen on an ephemeral loopback port and start serving one client. */
void fake_server_start(struct fake_server *s, enum fake_mode mode, const char *const *script,
                       size_t script_count);
/** Serve one client on a pseudo-terminal instead (a serial port stand-in). */
void fake_server_start_pty(struct fake_server *s, enum fake_mode mode);
/** Stop the thread and close every socket. */
void fake_server_stop(struct fake_server *s);

#endif
