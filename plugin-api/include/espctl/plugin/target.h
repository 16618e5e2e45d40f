/*
 * espctl/plugin/target.h — the flash-target component (cortexm, esp32...).
 *
 * A flash target takes the segments of a flash bundle and puts them on a chip:
 * open a session (connect through a probe or a serial port), then flash / verify /
 * erase / reset / read, and optionally a monitor stream (RTT or UART).
 *
 * Threading: a session is used by one thread at a time; monitor_read and
 * monitor_write may be called from two threads at once.
 * Errors: 0 or a negative espctl_error; detail through host->set_error naming the
 * stage and address. Progress goes out through host->emit.
 */
#ifndef ESPCTL_PLUGIN_TARGET_H
#define ESPCTL_PLUGIN_TARGET_H

#include "espctl/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One contiguous run of bytes at a target address. Value type, 24 bytes, frozen. */
struct espctl_segment {
    uint64_t address;
    uint64_t size;
    const uint8_t *data;
};

/** What to write. Borrowed by the target for the duration of the call. */
struct espctl_flash_image {
    struct espctl_abi_hdr hdr;
    uint32_t segment_count;
    uint32_t reserved;
    const struct espctl_segment *segments;
    /** Path of the ELF extracted from the bundle (for symbols such as _SEGGER_RTT), or NULL. */
    const char *elf_path;
};

/** Session parameters for open(). Strings borrowed for the call. */
struct espctl_target_params {
    struct espctl_abi_hdr hdr;
    /** Chip name from the bundle or --chip ("stm32g431rb", "esp32s3"). */
    const char *chip;
    /** Probe selector for debug-probe targets (NULL = the only attached probe). */
    const char *probe;
    /** Serial port or "socket://HOST:PORT" for serial targets. */
    const char *port;
    /** Baud rate for serial targets (0 = target default). */
    uint32_t baud;
    /** ESPCTL_TARGET_* flags. */
    uint32_t flags;
    /** The manifest's "target" object as JSON text, or NULL. */
    const char *target_json;
};
#define ESPCTL_TARGET_CONNECT_UNDER_RESET 0x1u
#define ESPCTL_TARGET_NO_RESET 0x2u /**< attach without resetting or halting first */

/** flash()/erase() flags. */
#define ESPCTL_FLASH_NO_VERIFY 0x1u  /**< skip read-back verification */
#define ESPCTL_FLASH_NO_SKIP 0x2u    /**< rewrite sectors even when contents match */
#define ESPCTL_FLASH_CHIP_ERASE 0x4u /**< erase the whole chip first / erase all */

/** Monitor stream parameters. */
struct espctl_monitor_params {
    struct espctl_abi_hdr hdr;
    /** ESPCTL_MONITOR_RTT or ESPCTL_MONITOR_UART. */
    int32_t mode;
    /** RTT up-channel number (down channel uses the same number). */
    uint32_t channel;
    /** ELF for locating the RTT control block, or NULL to scan RAM. */
    const char *elf_path;
    const char *port;
    uint32_t baud;
    uint32_t flags;
    /** Address of the RTT control block when the front-end resolved it (e.g. the ELF's
     * `_SEGGER_RTT` symbol), or 0 to let the target scan its RAM regions. */
    uint64_t rtt_address;
    /** Give up looking for the control block after this long (it may appear only after
     * the firmware's startup code ran); 0 = target default. */
    uint32_t rtt_timeout_ms;
    uint32_t reserved;
};
enum espctl_monitor_mode { ESPCTL_MONITOR_RTT = 1, ESPCTL_MONITOR_UART = 2 };

struct espctl_flash_target {
    struct espctl_abi_hdr hdr;
    /** Component name, unique across plugins; equals the bundle's target kind ("cortexm"). */
    const char *name;
    const char *description;
    void *target_data;

    /** 1 when `chip` is a chip this target can flash, else 0. */
    int32_t (*supports_chip)(void *target_data, const char *chip);

    int (*open)(void *target_data, const struct espctl_target_params *params, void **session);
    /** Release the probe/port. NULL is a no-op. */
    void (*close)(void *session);

    /** Erase what the image needs, program, and verify unless ESPCTL_FLASH_NO_VERIFY. */
    int (*flash)(void *session, const struct espctl_flash_image *image, uint32_t flags);
    /** Compare the target's memory with the image; ESPCTL_E_VERIFY on mismatch. */
    int (*verify)(void *session, const struct espctl_flash_image *image);
    /** Erase [address, address+length), rounded out to sectors; with
     * ESPCTL_FLASH_CHIP_ERASE the address and length are ignored. */
    int (*erase)(void *session, uint64_t address, uint64_t length, uint32_t flags);
    /** Reset the target (espctl_reset_kind from probe.h). */
    int (*reset)(void *session, int32_t kind);
    /** Read target memory. */
    int (*read)(void *session, uint64_t address, uint8_t *buf, uint64_t length);

    /** Monitor stream. monitor_read waits at most timeout_ms and sets *got (0 on timeout,
     * which is not an error). */
    int (*monitor_open)(void *session, const struct espctl_monitor_params *params);
    int (*monitor_read)(void *session, uint8_t *buf, uint32_t capacity, uint32_t *got,
                        uint32_t timeout_ms);
    int (*monitor_write)(void *session, const uint8_t *buf, uint32_t length);
    void (*monitor_close)(void *session);

    /** Optional extension vtable by id ("espctl.image-format/1"), NULL when not offered.
     * Called without a session; the returned pointer is valid until deinit. */
    const void *(*get_extension)(void *target_data, const char *id);
};

#ifdef __cplusplus
}
#endif

#endif /* ESPCTL_PLUGIN_TARGET_H */
