/*
 * front_runner.h — what the TCP fronts of espctl-sim (stlink, dap) share around their
 * protocol code: option value parsing and messages, booting the target from the common
 * options, the loopback listener, the signal-aware accept loop and the exit outputs.
 * Every message starts "espctl-sim FRONT: ".
 */
#ifndef SIM_FRONT_RUNNER_H
#define SIM_FRONT_RUNNER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/target.h"

/** How long a client may leave a request half sent before the front drops it. */
#define SIM_FRONT_PARTIAL_REQUEST_TIMEOUT_MS 5000
/** Bound on sending one reply to a client that stopped reading. */
#define SIM_FRONT_SEND_TIMEOUT_MS 5000

/** `s` as an integer (strtoll base 0) in lo..hi into *out: 0, or -1 when malformed. */
int sim_front_parse_num(const char *s, long long lo, long long hi, long long *out);

/** Print "espctl-sim FRONT: " and `fmt` with `arg` on stderr; returns 2 (usage error). */
int sim_front_usage_error(const char *front, const char *fmt, const char *arg);

/** The options every TCP front takes. */
struct sim_front_options {
    const char *chip;        /**< --chip */
    const char *listen_addr; /**< --listen */
    long port;               /**< --port; -1 until given */
    long long latency_us;    /**< --latency-us; -1 when not given */
    long long byte_ns;       /**< --byte-ns; -1 when not given */
    long swd_khz;            /**< --swd-khz; 0 when not given */
    const char *stats;       /**< --stats, or NULL */
    const char *flash_in;    /**< --flash-in, or NULL */
    const char *flash_out;   /**< --flash-out, or NULL */
    const char *rtt_spec;    /**< --rtt-producer, or NULL */
    const char *rtt_addr;    /**< --rtt-addr, or NULL */
    int once;                /**< --once */
    int verbose;             /**< --verbose */
};

/** Initializer of struct sim_front_options: nothing given, listening on 127.0.0.1. */
#define SIM_FRONT_OPTIONS_INIT \
    {.listen_addr = "127.0.0.1", .port = -1, .latency_us = -1, .byte_ns = -1}

/** getopt_long entries of the common options; a front appends its own, "help" ('h') and
 * the terminator. */
#define SIM_FRONT_LONGOPTS                                                                        \
    {"chip", required_argument, 0, 'c'}, {"port", required_argument, 0, 'p'},                     \
    {"listen", required_argument, 0, 'l'}, {"latency-us", required_argument, 0, 'L'},            \
    {"byte-ns", required_argument, 0, 'B'}, {"swd-khz", required_argument, 0, 'k'},              \
    {"stats", required_argument, 0, 's'}, {"flash-in", required_argument, 0, 'I'},               \
    {"flash-out", required_argument, 0, 'O'}, {"fault", required_argument, 0, 'f'},              \
    {"once", no_argument, 0, '1'}, {"verbose", no_argument, 0, 'v'},                              \
    {"rtt-producer", required_argument, 0, 'R'}, {"rtt-addr", required_argument, 0, 'A'}

/**
 * Apply getopt result `c` with `arg` when it is one of SIM_FRONT_LONGOPTS (--fault specs go
 * to *faults). Returns 0 when taken, 2 when its value is bad (message printed), -1 when `c`
 * is not a common option.
 */
int sim_front_option(const char *front, int c, const char *arg, struct sim_front_options *o,
                     struct sim_faults *faults);

/**
 * Apply t->faults (write protection), load --flash-in, reset the core so it boots the image
 * and attach the RTT producer (--rtt-producer, --rtt-addr). Returns 0, or the exit code with the message printed: 2 for a
 * bad option or file, 1 when out of memory.
 */
int sim_front_boot_target(const char *front, struct sim_target *t, const struct sim_front_options *o);

/**
 * Listen on the loopback IPv4 address `addr`, port `port` (0 picks one). Returns the socket
 * and sets *bound_port; -2 when `addr` is not a 127.x.x.x address, -1 when listening fails
 * (message printed either way).
 */
int sim_front_listen(const char *front, const char *addr, long port, uint16_t *bound_port);

/** Called for each accepted client; returns when the client is done. `waitmask` is the
 * signal mask to wait with (ppoll) so that SIGINT/SIGTERM interrupt the wait. */
typedef void (*sim_front_serve_fn)(int fd, const sigset_t *waitmask, void *user);

/**
 * Print "listening on ADDR:PORT", then accept clients on `lfd` one at a time and hand each
 * to `serve` until SIGINT or SIGTERM arrives (or after the first client with `once`). Closes
 * each client socket, not `lfd`.
 */
void sim_front_run(int lfd, const char *addr, uint16_t port, int once, sim_front_serve_fn serve,
                   void *user);

/** 1 once SIGINT or SIGTERM arrived during sim_front_run. */
int sim_front_stop_requested(void);

/** Wait up to 200 ms for input on a client socket with `waitmask` (the result of ppoll). */
int sim_front_wait_input(int fd, const sigset_t *waitmask);

/** Monotonic milliseconds. */
uint64_t sim_front_now_ms(void);

/** Send all `len` bytes, each wait bounded by SIM_FRONT_SEND_TIMEOUT_MS: 0, or -1. */
int sim_front_send_all(int fd, const uint8_t *buf, size_t len);

/** Write --flash-out when `path` is set: 0, or 1 with the message printed. */
int sim_front_save_flash(const char *front, const struct sim_target *t, const char *path);

#endif /* SIM_FRONT_RUNNER_H */
