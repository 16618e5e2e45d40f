/*
 * espctl/flash.h — putting images on targets: the flash part of the front-end ABI.
 *
 * A flash session is an open connection to one target through the flash-target
 * component (plugin) that handles it: "cortexm" (debug probe) or "esp32" (serial).
 * Open it from a bundle (espctl_flash_open_bundle: the manifest names the target
 * kind and chip, and the bundle's signature is checked before the target is
 * touched) or from explicit options (espctl_flash_open: erase, reset, read, or
 * segments a front-end built itself).
 *
 * Conventions are those of espctl.h. Every failure leaves detail text naming the
 * stage ("connect", "erase", "program", "verify", "read", "reset") and, where there
 * is one, the target address, e.g. "program: WRPERR at 0x08004000". Progress goes
 * to the context's event callback as stage events from the target plugin.
 */
#ifndef ESPCTL_FLASH_H
#define ESPCTL_FLASH_H

#include "espctl/bundle.h"
#include "espctl/espctl.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct espctl_flash_session espctl_flash_session;

/** Attach flags (same values as the plugin ABI's ESPCTL_TARGET_*). */
#define ESPCTL_FLASH_CONNECT_UNDER_RESET 0x1u /**< hold nRESET while connecting */
#define ESPCTL_FLASH_ATTACH_NO_RESET 0x2u     /**< attach without resetting first */

/** Write flags (same values as the plugin ABI's ESPCTL_FLASH_*). */
#define ESPCTL_FLASH_WRITE_NO_VERIFY 0x1u  /**< skip read-back verification */
#define ESPCTL_FLASH_WRITE_NO_SKIP 0x2u    /**< rewrite sectors that already match */
#define ESPCTL_FLASH_WRITE_CHIP_ERASE 0x4u /**< erase the whole chip (erase: everything) */

/** Reset kinds (same values as the plugin ABI's espctl_reset_kind). */
#define ESPCTL_FLASH_RESET_HW_PULSE 3 /**< pulse nRESET through the probe */
#define ESPCTL_FLASH_RESET_SYSTEM 4   /**< software reset through the target (AIRCR) */

struct espctl_flash_open_options {
    struct espctl_abi_hdr hdr;
    /** Flash-target component ("cortexm", "esp32"); NULL = the one that supports
     * `chip`, or, with no chip either, the only target that chip families name
     * as their architecture. */
    const char *target_kind;
    /** Chip name ("stm32g431rb", "STM32G431RBTx"); NULL = identified on connect.
     * For espctl_flash_open_bundle it overrides the manifest's chip. */
    const char *chip;
    /** Probe selector: "auto" (the only attached probe), "VID:PID[:SERIAL]", or a
     * driver selector such as "stlink-tcp:127.0.0.1:7184". NULL = config
     * "core.default_probe", else "auto". */
    const char *probe;
    /** Serial port (serial targets), or NULL. */
    const char *port;
    uint32_t baud;
    /** ESPCTL_FLASH_CONNECT_UNDER_RESET / ESPCTL_FLASH_ATTACH_NO_RESET. */
    uint32_t flags;
};

/** One run of bytes at a target address (borrowed for the call). */
struct espctl_flash_segment {
    uint64_t address;
    uint64_t size;
    const uint8_t *data;
};

/**
 * Open a session. Fails with ESPCTL_E_INVAL for an unknown chip or kind mismatch,
 * ESPCTL_E_NOT_FOUND when no loaded flash target has the requested kind or no
 * probe is found, and with the target's own error when connecting fails.
 */
ESPCTL_API int espctl_flash_open(espctl_ctx *ctx, const struct espctl_flash_open_options *opts,
                                 espctl_flash_session **session);

/**
 * Check an opened bundle's signature, then open a session for its target.
 * Signature policy: a signed bundle must verify against a trusted key (config
 * "keys.trusted_dir"), else ESPCTL_E_INTEGRITY / ESPCTL_E_UNTRUSTED; an unsigned
 * bundle is accepted with a warning event unless config "keys.require_signed" is
 * "true" (then ESPCTL_E_UNSIGNED). The chip is opts->chip, else the manifest's
 * probe_rs_chip, else its chip. `opts` may be NULL; its target_kind must be NULL
 * or equal the manifest's. `signer` (may be NULL) receives the verify result
 * (key_id "" when unsigned).
 */
ESPCTL_API int espctl_flash_open_bundle(espctl_ctx *ctx, const espctl_bundle *bundle,
                                        const struct espctl_flash_open_options *opts,
                                        espctl_flash_session **session,
                                        struct espctl_bundle_verify_result *signer);

/** Close the session and release the probe or port. Keeps this thread's last-error
 * text as it was, so a failure reported before closing is not overwritten. */
ESPCTL_API void espctl_flash_close(espctl_flash_session *session);

/** Name of the flash target serving the session ("cortexm"); borrowed. */
ESPCTL_API const char *espctl_flash_target_kind(const espctl_flash_session *session);

/** Erase what the segments need, program, verify unless ESPCTL_FLASH_WRITE_NO_VERIFY.
 * `elf_path` (may be NULL) is the image's ELF for targets that read symbols. */
ESPCTL_API int espctl_flash_write(espctl_flash_session *session,
                                  const struct espctl_flash_segment *segments, uint32_t count,
                                  const char *elf_path, uint32_t flags);
/** Write the flash segments of a bundle (their bytes come from the bundle's members). */
ESPCTL_API int espctl_flash_write_bundle(espctl_flash_session *session, const espctl_bundle *bundle,
                                         uint32_t flags);
/** Compare target memory with the segments; ESPCTL_E_VERIFY names the first mismatch. */
ESPCTL_API int espctl_flash_verify(espctl_flash_session *session,
                                   const struct espctl_flash_segment *segments, uint32_t count);
/** Erase the sectors overlapping [address, address+length), or the whole chip with
 * ESPCTL_FLASH_WRITE_CHIP_ERASE (address and length ignored). */
ESPCTL_API int espctl_flash_erase(espctl_flash_session *session, uint64_t address, uint64_t length,
                                  uint32_t flags);
/** Reset the target and let it run (ESPCTL_FLASH_RESET_*). */
ESPCTL_API int espctl_flash_reset(espctl_flash_session *session, int32_t kind);
/** Read `length` bytes of target memory at `address` into buf. */
ESPCTL_API int espctl_flash_read(espctl_flash_session *session, uint64_t address, uint8_t *buf,
                                 uint64_t length);

#ifdef __cplusplus
}
#endif

#endif /* ESPCTL_FLASH_H */
