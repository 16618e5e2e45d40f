/* Test firmware for the ELF → bundle tests: never runs, only linked. */
#include <stdint.h>

extern uint32_t _estack;
void reset_handler(void);

const uint32_t config_block[16] __attribute__((section(".config"), used)) = {
    0xC0FFEE01u, 0x12345678u, 0xA5A5A5A5u, 3u, 4u, 5u, 6u, 7u, 8u, 9u, 10u, 11u, 12u, 13u, 14u, 15u};

uint32_t counter = 0x11223344u;                 /* .data */
uint8_t table[37] = {1, 2, 3, 4, 5, 6, 7, 8, 9}; /* .data, odd size */
uint32_t scratch[64];                           /* .bss */
static const char banner[] = "espctl bundle test firmware";

__attribute__((section(".isr_vector"), used)) const void *const vectors[] = {
    &_estack,
    (const void *)reset_handler,
};

static uint32_t mix(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    return x;
}

void reset_handler(void)
{
    for (unsigned i = 0; i < 64; i++)
        scratch[i] = mix(counter + i + (uint32_t)banner[i % sizeof banner] + table[i % sizeof table]);
    for (;;)
        counter = mix(counter);
}
