#include "dap_ids.h"

/* Sources: research/protocols-dap-rtt.md §1.5 (OpenOCD/probe-rs tables); dap42 from its README. */
const struct espctl_usb_id dap_usb_ids[] = {
    {0x0d28, 0x0204, 0}, /* Arm mbed DAPLink */
    {0x2e8a, 0x000c, 0}, /* Raspberry Pi debugprobe / Picoprobe CMSIS-DAP */
    {0xc251, 0xf001, 0}, {0xc251, 0xf002, 0}, {0xc251, 0x2722, 0}, {0xc251, 0x2750, 0}, /* Keil ULINK */
    {0x1fc9, 0x0090, 0}, /* NXP LPC-Link2 */
    {0x1fc9, 0x0143, 0}, /* NXP MCU-Link */
    {0x03eb, 0x2111, 0}, {0x03eb, 0x2140, 0}, {0x03eb, 0x2141, 0}, {0x03eb, 0x2144, 0},
    {0x03eb, 0x2145, 0}, {0x03eb, 0x216c, 0}, {0x03eb, 0x2175, 0}, /* Microchip EDBG, Atmel-ICE, nEDBG */
    {0x04b4, 0xf138, 0}, {0x04b4, 0xf148, 0}, {0x04b4, 0xf151, 0}, {0x04b4, 0xf152, 0},
    {0x04b4, 0xf154, 0}, {0x04b4, 0xf155, 0}, {0x04b4, 0xf166, 0}, /* Cypress KitProg/MiniProg */
    {0x1a86, 0x8011, 0}, {0x1a86, 0x8012, 0}, {0x2a86, 0x8011, 0}, /* WCH-Link */
    {0x1209, 0xda42, 0}, /* dap42 */
    {0x30cc, 0x9527, 0}, /* Vega */
};
const uint32_t dap_usb_id_count = sizeof dap_usb_ids / sizeof dap_usb_ids[0];

int dap_usb_id_declared(uint16_t vid, uint16_t pid)
{
    for (uint32_t i = 0; i < dap_usb_id_count; i++)
        if (dap_usb_ids[i].vid == vid && dap_usb_ids[i].pid == pid)
            return 1;
    return 0;
}

int dap_usb_id_stringless(uint16_t vid, uint16_t pid)
{
    return vid == 0x1a86 && pid == 0x8012;
}
