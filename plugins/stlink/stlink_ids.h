/*
 * stlink_ids.h — the ST-Link models this plugin drives and their USB endpoints.
 */
#ifndef STLINK_IDS_H
#define STLINK_IDS_H

#include "espctl/plugin.h"

#include <stdint.h>

#define STLINK_VID 0x0483u
/** ST-Link V1 (SCSI-wrapped commands): recognised only to say it is unsupported. */
#define STLINK_PID_V1 0x3744u

enum stlink_hw { STLINK_HW_V2 = 2, STLINK_HW_V3 = 3 };

struct stlink_model {
    uint16_t pid;
    /** Hardware generation: decides API (v2/v3) and packet size. */
    uint8_t hw;
    uint8_t ep_out;
    uint8_t ep_in;
    const char *name;
};

/** The model for `vid:pid`, or NULL when this plugin does not drive it. */
const struct stlink_model *stlink_model_find(uint16_t vid, uint16_t pid);

/** USB ids declared to the core (one per supported model). */
extern const struct espctl_usb_id stlink_usb_ids[];
extern const uint32_t stlink_usb_id_count;

#endif /* STLINK_IDS_H */
