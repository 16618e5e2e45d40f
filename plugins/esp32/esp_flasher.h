/* Flash operations over a connected session: write (deflate, skip, verify), MD5, erase, read. */
#ifndef ESP32_FLASHER_H
#define ESP32_FLASHER_H

#include "esp_session.h"

#include <stdint.h>

#define ESP_ROM_BLOCK 0x400u
#define ESP_SECTOR 0x1000u

/** Flags: ESPCTL_FLASH_NO_VERIFY, ESPCTL_FLASH_NO_SKIP (plugin target.h). */
int esp_flash_write(struct esp_session *s, uint32_t addr, const uint8_t *data, uint32_t len, uint32_t flags);
/** Lower-case hex MD5 the ROM computes over [addr, addr+len). */
int esp_flash_md5(struct esp_session *s, uint32_t addr, uint32_t len, char hex[33]);
/** ESPCTL_E_VERIFY when the flash's MD5 differs from data's. */
int esp_flash_verify(struct esp_session *s, uint32_t addr, const uint8_t *data, uint32_t len);
/** Erases the 4 KiB sectors overlapping [addr, addr+len) through FLASH_BEGIN (the ROM has no erase command). */
int esp_flash_erase_region(struct esp_session *s, uint32_t addr, uint32_t len);
int esp_flash_erase_all(struct esp_session *s);
/** Reads flash with READ_FLASH_SLOW (64 bytes per command). */
int esp_flash_read(struct esp_session *s, uint32_t addr, uint8_t *buf, uint32_t len);
/** Lower-case hex MD5 of a buffer. */
int esp_md5_hex(const uint8_t *data, size_t len, char hex[33]);

#endif
