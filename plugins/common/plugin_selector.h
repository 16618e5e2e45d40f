/*
 * plugin_selector.h — the USB form of a probe selector shared by the USB probe drivers:
 * "VID:PID[:SERIAL]" with the ids in hex ("0483:374b:066DFF...").
 */
#ifndef ESPCTL_PLUGIN_SELECTOR_H
#define ESPCTL_PLUGIN_SELECTOR_H

#include <stddef.h>
#include <stdint.h>

/**
 * Parse `text` as VID:PID[:SERIAL]: one to four hex digits per id, a non-empty serial shorter
 * than `serial_cap`. On success fills *vid, *pid and `serial` (left untouched when no serial is
 * given) and returns 0; returns -1 on malformed text.
 */
int plugin_parse_usb_selector(const char *text, uint16_t *vid, uint16_t *pid, char *serial,
                              size_t serial_cap);

#endif /* ESPCTL_PLUGIN_SELECTOR_H */
