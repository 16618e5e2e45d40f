/*
 * Session options of the esp32 target (docs/decisions/0701-esp32-session-options.md):
 * reset before/after, flash size, timeouts. Sources, highest precedence first: the
 * target_params (flags, baud, and "before"/"after"/"flash_size" keys in target_json),
 * config keys esp32.before / esp32.after / esp32.flash_size / esp32.timeout_ms /
 * esp32.monitor_baud, then defaults.
 */
#ifndef ESP32_OPTIONS_H
#define ESP32_OPTIONS_H

#include "esp_env.h"

#include <stdint.h>

enum esp_before {
    ESP_BEFORE_DEFAULT = 0,       /* classic + unix-tight DTR/RTS sequences, then SYNC */
    ESP_BEFORE_USB,               /* USB-JTAG-serial sequence, then SYNC */
    ESP_BEFORE_NO_RESET,          /* SYNC only */
    ESP_BEFORE_NO_RESET_NO_SYNC   /* the loader is already synced */
};

enum esp_after {
    ESP_AFTER_HARD = 0,  /* pulse EN through RTS: the app starts */
    ESP_AFTER_SOFT,      /* FLASH_BEGIN(0) + FLASH_END(run): the ROM jumps to the app */
    ESP_AFTER_NO_RESET,  /* stay in the loader */
    ESP_AFTER_WATCHDOG   /* RTC watchdog reset through WRITE_REG (S2, S3, C3, C6) */
};

/** Accepts esptool spellings with '-' or '_' and with or without the "_reset" suffix. */
int esp_before_parse(const char *s, enum esp_before *out);
int esp_after_parse(const char *s, enum esp_after *out);
const char *esp_before_name(enum esp_before b);
const char *esp_after_name(enum esp_after a);

#endif
