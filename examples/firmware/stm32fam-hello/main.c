/* stm32fam-hello: counts in RAM forever; carries a 4 KiB table in a second flash region (the
 * start of bank 2, or another sector) so programming it touches two erase units. */
#include <stdint.h>

#define W4(n) (n), (n) + 1u, (n) + 2u, (n) + 3u
#define W16(n) W4(n), W4((n) + 4u), W4((n) + 8u), W4((n) + 12u)
#define W64(n) W16(n), W16((n) + 16u), W16((n) + 32u), W16((n) + 48u)
#define W256(n) W64(n), W64((n) + 64u), W64((n) + 128u), W64((n) + 192u)

/* 1024 distinct words (0x5A000000 + i), read by main so --gc-sections keeps them. */
__attribute__((section(".region2"), used))
const uint32_t region2_table[1024] = {W256(0x5A000000u), W256(0x5A000100u), W256(0x5A000200u),
                                      W256(0x5A000300u)};

static uint32_t counter = 7; /* in .data: proves the .data copy ran */
volatile uint32_t ticks;     /* in .bss */

int main(void)
{
    for (;;) {
        ticks = counter + region2_table[counter & 1023u];
        counter++;
    }
}
