/*
 * usbfs_core.h — the usbfs side of a probe played under umockdev: an ioctl handler on a
 * /dev/bus/usb node that completes every URB at once and hands its payload to a probe model.
 * The core answers the usbfs housekeeping ioctls (capabilities, claim/release, resets),
 * string-descriptor control transfers (language list plus what the model names) and URB
 * reaping in submission order; the model sees only OUT payloads and IN requests.
 */
#ifndef ESPCTL_TEST_USBFS_CORE_H
#define ESPCTL_TEST_USBFS_CORE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <umockdev.h>

/** Longest string descriptor a model answers, in UTF-16 code units. */
#define USBFS_STRING_MAX 64

/** What a probe model does with the URBs the core accepts. Called with the core locked. */
struct usbfs_model_ops {
    /** A URB on the OUT endpoint carrying `len` bytes. */
    void (*out)(void *model, uint8_t *data, size_t len);
    /** A URB on the IN endpoint with room for `cap` bytes: the bytes answered (0 = a
     * zero-length packet). */
    size_t (*in)(void *model, uint8_t *data, size_t cap);
    /** String descriptor `index` (not 0) as code units whose high byte is 0: their low
     * bytes into `units` (room for USBFS_STRING_MAX), the count returned; 0 = stall. */
    size_t (*string)(void *model, unsigned index, uint8_t *units);
    /** Counters the model keeps: one per OUT, IN, control and stray URB. */
    void (*counted)(void *model, int kind);
};

/** The `kind` passed to usbfs_model_ops.counted. */
enum { USBFS_URB_OUT, USBFS_URB_IN, USBFS_URB_CONTROL, USBFS_URB_STRAY };

struct usbfs_core {
    UMockdevIoctlBase *handler;
    pthread_mutex_t lock;
    uint8_t urb_type; /**< USBDEVFS_URB_TYPE_BULK or _INTERRUPT */
    uint8_t ep_out, ep_in;
    /** When set, GETDRIVER and USBDEVFS_IOCTL answer "no kernel driver bound" (ENODATA) and
     * DISCONNECT_CLAIM claims; otherwise they are left to umockdev. */
    int answers_driver_queries;
    const struct usbfs_model_ops *ops;
    void *model;
    GList *done; /* completed URBs (UMockdevIoctlData *), reaped in order */
};

/**
 * Attach *core (urb_type, ep_out, ep_in, answers_driver_queries, ops and model already set;
 * the rest zero) to the usbfs node `devnode` of `testbed`. Returns 0, or -1 with the reason
 * printed.
 */
int usbfs_core_attach(struct usbfs_core *core, UMockdevTestbed *testbed, const char *devnode);

/** Detach and free what attach and the URB traffic left. */
void usbfs_core_release(struct usbfs_core *core);

/** 1 when running under umockdev-wrapper; else 0 with the reason on stderr. */
int usbfs_under_wrapper(void);

/** Add the recorded device `dir`/`name` to `testbed`; fails the running cmocka test otherwise. */
void usbfs_add_device(UMockdevTestbed *testbed, const char *dir, const char *name);

#endif
