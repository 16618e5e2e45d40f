/*
 * usbfs_dap.h — a umockdev ioctl handler that plays a CMSIS-DAP probe on a usbfs device
 * node: DAP requests arriving in OUT URBs (bulk for v2, interrupt reports for v1 HID) are
 * executed by espctl-sim's DAP interpreter on a simulated STM32G431, and IN URBs receive
 * the responses in order (HID responses padded to the full report). Control transfers
 * answer string descriptor requests (language list and the interface string).
 */
#ifndef USBFS_DAP_H
#define USBFS_DAP_H

#include "dap_front.h"

#include "usbfs_core.h"

struct usbfs_dap {
    struct usbfs_core usb;
    struct sim_target *target;
    struct dapsim_probe probe;
    uint16_t report_size;  /**< HID: IN reports are padded to this; 0 for bulk */
    const char *iface_string; /**< answered for string descriptor index 4 */
    uint8_t resp[8][DAP_FRONT_MAX_PACKET];
    size_t resp_len[8];
    unsigned resp_head, resp_count;
    unsigned out_urbs, in_urbs, control_urbs, stray_urbs;
};

/** Attach a probe to the usbfs node `devnode`. Returns 0 on success. */
int usbfs_dap_attach(struct usbfs_dap *d, UMockdevTestbed *testbed, const char *devnode, uint8_t urb_type,
                     uint8_t ep_out, uint8_t ep_in, uint16_t report_size, uint16_t packet_size,
                     const char *iface_string, const char *serial);
void usbfs_dap_release(struct usbfs_dap *d);

#endif
