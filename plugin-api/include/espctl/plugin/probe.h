/*
 * espctl/plugin/probe.h — the probe-driver component (ST-Link, CMSIS-DAP, GDB remote...).
 *
 * A probe driver finds probes (enumerate) and opens one by selector. An open probe is
 * an opaque `void *` owned by the driver until close(). Debug access is ADIv5-shaped:
 * DP/AP registers plus MEM-AP memory transfers; flash targets (cortexm) use only these
 * members, never probe-specific code.
 *
 * Threading: a driver's functions may be called from any thread, but one open probe
 * is used by one thread at a time. enumerate() may be called concurrently with nothing.
 * Errors: 0 or a negative espctl_error; detail through host->set_error.
 * Members a driver does not offer are NULL (the core answers ESPCTL_E_NOT_SUPPORTED).
 */
#ifndef ESPCTL_PLUGIN_PROBE_H
#define ESPCTL_PLUGIN_PROBE_H

#include "espctl/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A USB id a driver claims. Value type, 8 bytes, frozen: it never grows. */
struct espctl_usb_id {
    uint16_t vid;
    uint16_t pid;
    /** ESPCTL_USB_ID_* flags. */
    uint32_t flags;
};
/** The id belongs to a USB-serial bridge (udev rule adds the dialout group). */
#define ESPCTL_USB_ID_SERIAL 0x1u

/** Flags in espctl_probe_info.flags. */
#define ESPCTL_PROBE_INACCESSIBLE 0x1u /**< seen but cannot be opened (permissions) */
#define ESPCTL_PROBE_NETWORK 0x2u      /**< reached over TCP, not USB */
#define ESPCTL_PROBE_SERIAL_PORT 0x4u  /**< a serial port (port_path is set) */

/**
 * One probe found by enumerate(). All strings are borrowed for the callback only and
 * may be NULL when unknown (except driver and selector, which are always set).
 * selector: what open() accepts to reach exactly this probe (e.g. "0483:374b:066DFF...").
 */
struct espctl_probe_info {
    struct espctl_abi_hdr hdr;
    const char *driver;
    const char *selector;
    const char *serial;
    const char *manufacturer;
    const char *product;
    const char *firmware;
    const char *port_path;
    uint16_t vid;
    uint16_t pid;
    uint32_t flags;
};

/** Callback for enumerate(). Return 0 to continue, non-zero to stop early. */
typedef int (*espctl_probe_found_fn)(void *user, const struct espctl_probe_info *info);

/** Capabilities of an open probe, filled by caps(). */
struct espctl_probe_caps {
    struct espctl_abi_hdr hdr;
    /** ESPCTL_PROBE_CAP_* flags. */
    uint32_t flags;
    /** Largest mem_read/mem_write length one call handles efficiently, in bytes. */
    uint32_t max_mem_block;
    /** Current interface clock in kHz, 0 if not applicable. */
    uint32_t speed_khz;
    uint32_t reserved;
};
#define ESPCTL_PROBE_CAP_DP_AP 0x1u       /**< raw DP/AP register access */
#define ESPCTL_PROBE_CAP_MEM 0x2u         /**< MEM-AP memory transfers */
#define ESPCTL_PROBE_CAP_HW_RESET 0x4u    /**< can drive nRESET */
#define ESPCTL_PROBE_CAP_VOLTAGE 0x8u     /**< can measure target voltage */
#define ESPCTL_PROBE_CAP_FLASH_WRITE 0x10u /**< writes flash itself (extension "espctl.flash-writer/1") */

/** connect() flags. */
#define ESPCTL_CONNECT_UNDER_RESET 0x1u /**< hold nRESET while connecting */

/** reset() kinds. */
enum espctl_reset_kind {
    ESPCTL_RESET_HW_ASSERT = 1,   /**< drive nRESET low and keep it */
    ESPCTL_RESET_HW_DEASSERT = 2, /**< release nRESET */
    ESPCTL_RESET_HW_PULSE = 3,    /**< assert, wait, release */
    ESPCTL_RESET_SYSTEM = 4       /**< software reset through the target (AIRCR) */
};

struct espctl_probe_driver {
    struct espctl_abi_hdr hdr;
    /** Component name, unique across plugins ("stlink"). */
    const char *name;
    const char *description;
    /** USB ids this driver claims (for enumeration hints and udev rules). */
    uint32_t usb_id_count;
    const struct espctl_usb_id *usb_ids;
    /** NULL-terminated list of selector prefixes this driver owns ("stlink-tcp:").
     * A VID:PID[:SERIAL] selector goes to the driver that declares that id. */
    const char *const *selector_prefixes;
    /** Opaque pointer passed back as the first argument of enumerate/open; set by
     * the plugin's init through its component list (usually its plugin_data). */
    void *driver_data;

    /** Report every attached probe through `found`. No probes is success (0). */
    int (*enumerate)(void *driver_data, espctl_probe_found_fn found, void *user);
    /** Open the probe `selector` names; *probe receives the handle. */
    int (*open)(void *driver_data, const char *selector, void **probe);
    /** Close and free an open probe. NULL is a no-op. */
    void (*close)(void *probe);

    int (*caps)(void *probe, struct espctl_probe_caps *caps);
    /** Set the interface clock; *actual_khz (may be NULL) receives what was applied. */
    int (*set_speed)(void *probe, uint32_t khz, uint32_t *actual_khz);
    int (*target_voltage)(void *probe, uint32_t *millivolts);
    /** Enter SWD debug mode (line reset, JTAG-to-SWD, read DPIDR). */
    int (*connect)(void *probe, uint32_t flags);
    int (*disconnect)(void *probe);

    /** DP register access. `addr` is the register offset (0x0..0xC) with the DP bank
     * in bits 4..7 (ADIv5.2 DPBANKSEL). */
    int (*dp_read)(void *probe, uint32_t addr, uint32_t *value);
    int (*dp_write)(void *probe, uint32_t addr, uint32_t value);
    /** AP register access: AP number `ap`, register address `addr` (0x00..0xFC). */
    int (*ap_read)(void *probe, uint32_t ap, uint32_t addr, uint32_t *value);
    int (*ap_write)(void *probe, uint32_t ap, uint32_t addr, uint32_t value);

    /** MEM-AP transfers through AP `ap`: `width` is 8, 16 or 32 bits; `addr` and `len`
     * must be multiples of width/8. The driver splits at its own limits and never lets
     * the AP's TAR wrap: it splits at the AP's auto-increment block (1 KiB unless it
     * knows the AP's larger block) unless the probe firmware rewrites TAR itself.
     * caps.max_mem_block reports the largest piece it sends as one command. */
    int (*mem_read)(void *probe, uint32_t ap, uint64_t addr, uint32_t width,
                    uint8_t *buf, uint32_t len);
    int (*mem_write)(void *probe, uint32_t ap, uint64_t addr, uint32_t width,
                     const uint8_t *buf, uint32_t len);

    /** Reset: one of espctl_reset_kind. */
    int (*reset)(void *probe, int32_t kind);

    /** Optional extension vtable by id ("espctl.run-control/1", "espctl.flash-writer/1");
     * NULL when not offered. Valid until close(). */
    const void *(*get_extension)(void *probe, const char *id);
};

#ifdef __cplusplus
}
#endif

#endif /* ESPCTL_PLUGIN_PROBE_H */
