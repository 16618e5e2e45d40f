#include "stm32_common.h"

#define POLY 0x04C11DB7u

uint32_t stm32_crc32_words(uint32_t crc, const uint8_t *data, uint64_t length)
{
    for (uint64_t i = 0; i + 4 <= length; i += 4) {
        crc ^= (uint32_t)data[i] | (uint32_t)data[i + 1] << 8 | (uint32_t)data[i + 2] << 16 |
               (uint32_t)data[i + 3] << 24;
        for (int bit = 0; bit < 32; bit++)
            crc = (crc & 0x80000000u) ? (crc << 1) ^ POLY : crc << 1;
    }
    return crc;
}
