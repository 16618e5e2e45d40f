/*
 * dap_ids.h — USB ids of common CMSIS-DAP probes. Discovery relies on the "CMSIS-DAP"
 * interface/product string; this list feeds udev rules (provision-host), `probes list`
 * routing of VID:PID selectors, and probes that lack the string (WCH-Link).
 */
#ifndef DAP_IDS_H
#define DAP_IDS_H

#include "espctl/plugin.h"

extern const struct espctl_usb_id dap_usb_ids[];
extern const uint32_t dap_usb_id_count;

/** 1 when vid:pid is declared above. */
int dap_usb_id_declared(uint16_t vid, uint16_t pid);

/** 1 for probes whose CMSIS-DAP v2 interface carries no "CMSIS-DAP" string (WCH-Link
 * in DAP mode, 1a86:8012). */
int dap_usb_id_stringless(uint16_t vid, uint16_t pid);

#endif /* DAP_IDS_H */
