#include "stlink_ids.h"

#include <stddef.h>

static const struct stlink_model models[] = {
    {0x3748, STLINK_HW_V2, 0x02, 0x81, "ST-Link V2"},
    {0x374b, STLINK_HW_V2, 0x01, 0x81, "ST-Link V2-1"},
    {0x374a, STLINK_HW_V2, 0x01, 0x81, "ST-Link V2-1 (audio)"},
    {0x3752, STLINK_HW_V2, 0x01, 0x81, "ST-Link V2-1 (no MSD)"},
    {0x374e, STLINK_HW_V3, 0x01, 0x81, "ST-Link V3E"},
    {0x374f, STLINK_HW_V3, 0x01, 0x81, "ST-Link V3"},
    {0x3753, STLINK_HW_V3, 0x01, 0x81, "ST-Link V3 (2 VCP)"},
    {0x3754, STLINK_HW_V3, 0x01, 0x81, "ST-Link V3E (no MSD)"},
};

#define MODEL_COUNT (sizeof models / sizeof models[0])

const struct espctl_usb_id stlink_usb_ids[] = {
    {STLINK_VID, 0x3748, 0}, {STLINK_VID, 0x374b, 0}, {STLINK_VID, 0x374a, 0},
    {STLINK_VID, 0x3752, 0}, {STLINK_VID, 0x374e, 0}, {STLINK_VID, 0x374f, 0},
    {STLINK_VID, 0x3753, 0}, {STLINK_VID, 0x3754, 0},
};
const uint32_t stlink_usb_id_count = sizeof stlink_usb_ids / sizeof stlink_usb_ids[0];

const struct stlink_model *stlink_model_find(uint16_t vid, uint16_t pid)
{
    if (vid != STLINK_VID)
        return NULL;
    for (size_t i = 0; i < MODEL_COUNT; i++)
        if (models[i].pid == pid)
            return &models[i];
    return NULL;
}
