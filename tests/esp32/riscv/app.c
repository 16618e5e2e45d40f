/* A tiny ESP32-C3 program for the image-format test: code in IROM, a string in DROM,
 * initialised data in DRAM, a function in IRAM, zeroed data in .bss. Never run. */
#include <stdint.h>

const char banner[] = "hello from espctl on esp32c3";
volatile uint32_t counter = 0x12345678u;
static uint32_t scratch[64];

__attribute__((section(".iram1.tick"))) void tick(void)
{
    counter++;
}

void _start(void)
{
    for (unsigned i = 0; i < sizeof banner; i++)
        scratch[i % 64] += (uint8_t)banner[i];
    for (;;)
        tick();
}
