#include "stm32h7.h"

/* CRC-32 with the Ethernet polynomial, most significant bit first, no final XOR. The flash
 * interface reads flash as 32-bit little-endian words and feeds each word's bytes from the
 * most significant down; its start value is not documented in RM0433 (see
 * docs/decisions/0804-h7-crc-verify.md for how it was established). */
#define POLY 0x04C11DB7u

uint32_t h7_crc_words(uint32_t crc, const uint8_t *data, uint64_t length)
{
    for (uint64_t i = 0; i + 4 <= length; i += 4) {
        crc ^= (uint32_t)data[i] | (uint32_t)data[i + 1] << 8 | (uint32_t)data[i + 2] << 16 |
               (uint32_t)data[i + 3] << 24;
        for (int bit = 0; bit < 32; bit++)
            crc = (crc & 0x80000000u) ? (crc << 1) ^ POLY : crc << 1;
    }
    return crc;
}
