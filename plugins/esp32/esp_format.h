/* The "espctl.image-format/1" extension of the esp32 flash target. */
#ifndef ESP32_FORMAT_H
#define ESP32_FORMAT_H

#include "espctl/plugin.h"

/** The extension vtable; target_data of its calls is a `const struct espctl_host *` (may be NULL). */
extern const struct espctl_image_format esp_image_format;

#endif
