/*
 * espctl/common.h — definitions shared by the plugin ABI and the front-end ABI.
 *
 * This header is part of both stable ABIs. It compiles as C99 -pedantic and as C++.
 * Every ABI struct starts with `struct espctl_abi_hdr` (struct_size, abi_major,
 * abi_minor). A reader uses an appended member only when it lies inside the
 * producer's struct_size (see ESPCTL_HAS) and, for function pointers, is non-NULL.
 */
#ifndef ESPCTL_COMMON_H
#define ESPCTL_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** ABI version of the plugin interface this header describes. */
#define ESPCTL_PLUGIN_ABI_MAJOR 1
#define ESPCTL_PLUGIN_ABI_MINOR 1

/** Marks a symbol a shared object exports (everything else is hidden). */
#if defined(_WIN32)
#define ESPCTL_EXPORT __declspec(dllexport)
#elif defined(__GNUC__)
#define ESPCTL_EXPORT __attribute__((visibility("default")))
#else
#define ESPCTL_EXPORT
#endif

/** Fixed capacities for strings copied into caller-owned buffers. */
#define ESPCTL_NAME_SIZE 64
#define ESPCTL_PATH_SIZE 1024

/**
 * Leading member of every ABI struct.
 * struct_size: sizeof the struct as the producer compiled it.
 * abi_major/abi_minor: the ABI version the producer compiled against.
 */
struct espctl_abi_hdr {
    uint32_t struct_size;
    uint16_t abi_major;
    uint16_t abi_minor;
};

/** Initializer for the header of struct `type` at the current ABI version. */
#define ESPCTL_ABI_HDR(type) \
    { (uint32_t)sizeof(type), ESPCTL_PLUGIN_ABI_MAJOR, ESPCTL_PLUGIN_ABI_MINOR }

/**
 * True when `member` of `*ptr` (a struct whose first member is `hdr`) lies wholly
 * inside the producer's struct_size. Use before reading any member that was not
 * in version 1.0 of the struct, and always before calling a function pointer
 * (combine with a NULL check: ESPCTL_HAS_FN).
 */
#define ESPCTL_HAS(ptr, type, member) \
    ((ptr) != NULL && \
     (size_t)(ptr)->hdr.struct_size >= offsetof(type, member) + sizeof(((type *)0)->member))
#define ESPCTL_HAS_FN(ptr, type, member) (ESPCTL_HAS(ptr, type, member) && (ptr)->member != NULL)

/**
 * Error codes. Functions return int: 0 on success, one of these (negative) on failure.
 * The list only grows; values never change. Detail text travels separately
 * (espctl_last_error() for front-ends, host->set_error for plugins).
 */
enum espctl_error {
    ESPCTL_OK = 0,
    ESPCTL_E_INVAL = -1,         /**< invalid argument or usage */
    ESPCTL_E_NOMEM = -2,         /**< out of memory */
    ESPCTL_E_IO = -3,            /**< I/O error (file, socket, USB transfer) */
    ESPCTL_E_TIMEOUT = -4,       /**< a peer did not answer in time */
    ESPCTL_E_NOT_FOUND = -5,     /**< no such probe, chip, plugin, member, key */
    ESPCTL_E_BUSY = -6,          /**< resource in use (probe claimed elsewhere) */
    ESPCTL_E_ACCESS = -7,        /**< permission denied (udev rules, file mode) */
    ESPCTL_E_NO_DEVICE = -8,     /**< device vanished or not connected */
    ESPCTL_E_NOT_SUPPORTED = -9, /**< operation or extension not offered */
    ESPCTL_E_PROTOCOL = -10,     /**< malformed or unexpected reply from a peer */
    ESPCTL_E_TARGET = -11,       /**< the target reported a fault (flash error, bus fault) */
    ESPCTL_E_CANCELLED = -12,    /**< cancelled through the context */
    ESPCTL_E_VERIFY = -13,       /**< read-back or hash mismatch */
    ESPCTL_E_ABI = -14,          /**< ABI version or layout mismatch */
    ESPCTL_E_CONFIG = -15,       /**< configuration file or value is invalid */
    ESPCTL_E_FORMAT = -16,       /**< malformed input file (ELF, bundle, manifest, hex) */
    ESPCTL_E_INTEGRITY = -17,    /**< hash or signature does not match (tampered) */
    ESPCTL_E_UNTRUSTED = -18,    /**< valid signature by a key that is not trusted */
    ESPCTL_E_UNSIGNED = -19,     /**< signature required but absent */
    ESPCTL_E_OTHER = -99         /**< anything else */
};

/** Log levels (int32_t across the ABI). */
enum espctl_log_level {
    ESPCTL_LOG_TRACE = 0,
    ESPCTL_LOG_DEBUG = 1,
    ESPCTL_LOG_INFO = 2,
    ESPCTL_LOG_WARN = 3,
    ESPCTL_LOG_ERROR = 4,
    /** A plugin or host broke the ABI contract (e.g. returned NULL where forbidden). */
    ESPCTL_LOG_MISBEHAVING = 5
};

/** Kinds of progress event (int32_t across the ABI). */
enum espctl_event_kind {
    ESPCTL_EVENT_STAGE_BEGIN = 1, /**< a stage starts; total may be known */
    ESPCTL_EVENT_PROGRESS = 2,    /**< done/total/address updated */
    ESPCTL_EVENT_STAGE_END = 3,   /**< a stage ends; status is its result */
    ESPCTL_EVENT_MESSAGE = 4      /**< a user-facing line (e.g. "skipped 3 unchanged pages") */
};

/**
 * A progress event. All pointers are borrowed for the duration of the callback only.
 * stage: short lower-case name ("connect", "erase", "program", "verify", "monitor"...).
 * source: name of the plugin or core subsystem emitting it (filled by the core).
 * done/total: units of work, normally bytes; total 0 = unknown.
 * address: target address the event refers to, or UINT64_MAX when none.
 * status: 0 or an espctl_error (meaningful on STAGE_END).
 */
struct espctl_event {
    struct espctl_abi_hdr hdr;
    int32_t kind;
    int32_t status;
    const char *stage;
    const char *source;
    const char *message;
    uint64_t done;
    uint64_t total;
    uint64_t address;
};

#define ESPCTL_NO_ADDRESS UINT64_MAX

#ifdef __cplusplus
}
#endif

#endif /* ESPCTL_COMMON_H */
