/*
 * espctl/monitor.h — the target's output stream: RTT through a debug probe (cortexm)
 * or the UART of a serial target (esp32), on an open flash session.
 *
 * A monitor borrows an open espctl_flash_session (see flash.h) and is closed before
 * it. The mode follows the session's flash target unless the options name one:
 * cortexm → RTT, esp32 → UART. For RTT, the control block address is, in order:
 * options.rtt_address; the `_SEGGER_RTT` symbol of options.elf_path (or, with
 * espctl_monitor_open_bundle, of the bundle's files/firmware.elf); else the target
 * scans its RAM for the "SEGGER RTT" id. The target retries for rtt_timeout_ms when
 * the block has not appeared yet (the firmware may still be starting).
 *
 * Conventions are those of espctl.h. Failures leave detail text starting with
 * "monitor:" (e.g. "monitor: corrupt RTT control block at 0x20000000: up channel 0
 * pBuffer = 0x30000000 ... lies outside RAM"). espctl_cancel() on the session's
 * context makes a waiting read return early.
 *
 * Threading: espctl_monitor_read and espctl_monitor_write may be called from two
 * threads at once (one reading, one writing); everything else from one thread.
 */
#ifndef ESPCTL_MONITOR_H
#define ESPCTL_MONITOR_H

#include "espctl/bundle.h"
#include "espctl/espctl.h"
#include "espctl/flash.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct espctl_monitor espctl_monitor;

/** Monitor modes (same values as the plugin ABI's espctl_monitor_mode). */
#define ESPCTL_MONITOR_MODE_AUTO 0 /**< from the session's flash target */
#define ESPCTL_MONITOR_MODE_RTT 1  /**< SEGGER RTT through the debug probe */
#define ESPCTL_MONITOR_MODE_UART 2 /**< the target's serial port */

struct espctl_monitor_options {
    struct espctl_abi_hdr hdr;
    /** ESPCTL_MONITOR_MODE_*. */
    int32_t mode;
    /** RTT up channel (input goes to the down channel of the same number). */
    uint32_t channel;
    /** Firmware ELF for the `_SEGGER_RTT` symbol, or NULL. */
    const char *elf_path;
    /** RTT control block address; 0 = from the ELF, else scan RAM. */
    uint64_t rtt_address;
    /** How long the target waits for the control block to appear; 0 = its default. */
    uint32_t rtt_timeout_ms;
    /** UART baud rate (0 = the target's default). */
    uint32_t baud;
    /** UART port or "socket://HOST:PORT" (NULL = the session's port). */
    const char *port;
};

/** The mode a flash-target kind monitors with ("cortexm" → RTT, "esp32" → UART), or
 * ESPCTL_MONITOR_MODE_AUTO (0) for a kind without a known mode. */
ESPCTL_API int32_t espctl_monitor_mode_for_target(const char *target_kind);

/**
 * Open the monitor on `session`. ESPCTL_E_INVAL when the mode does not suit the
 * target (e.g. UART on cortexm), ESPCTL_E_NOT_SUPPORTED when the target offers no
 * monitor, ESPCTL_E_FORMAT for a malformed ELF, ESPCTL_E_TIMEOUT when the RTT block
 * never appeared, ESPCTL_E_TARGET for a corrupt control block.
 */
ESPCTL_API int espctl_monitor_open(espctl_flash_session *session,
                                   const struct espctl_monitor_options *opts,
                                   espctl_monitor **monitor);

/** espctl_monitor_open with the ELF taken from the bundle's files/firmware.elf when
 * opts->elf_path is NULL (a bundle without an ELF falls back to the RAM scan). */
ESPCTL_API int espctl_monitor_open_bundle(espctl_flash_session *session, const espctl_bundle *bundle,
                                          const struct espctl_monitor_options *opts,
                                          espctl_monitor **monitor);

/** Wait at most timeout_ms for output; *got = bytes stored (0 on timeout, which is
 * not an error). */
ESPCTL_API int espctl_monitor_read(espctl_monitor *monitor, uint8_t *buf, uint32_t capacity,
                                   uint32_t *got, uint32_t timeout_ms);

/** Send all of `buf` to the target (RTT down channel or UART), waiting a bounded time
 * while the target does not take it. */
ESPCTL_API int espctl_monitor_write(espctl_monitor *monitor, const uint8_t *buf, uint32_t length);

/** Stop monitoring; the target keeps running. NULL is a no-op. Keeps this thread's
 * last-error text. */
ESPCTL_API void espctl_monitor_close(espctl_monitor *monitor);

/** ESPCTL_MONITOR_MODE_RTT or _UART. */
ESPCTL_API int32_t espctl_monitor_mode(const espctl_monitor *monitor);

/** The RTT control block address given to the target (0 when it scanned RAM). */
ESPCTL_API uint64_t espctl_monitor_rtt_address(const espctl_monitor *monitor);

#ifdef __cplusplus
}
#endif

#endif /* ESPCTL_MONITOR_H */
