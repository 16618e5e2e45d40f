/* hello: writes "hello N\n" to the RTT up buffer "Terminal" forever. */
#include <stddef.h>
#include <stdint.h>

#include "rtt.h"

static uint32_t counter = 1; /* in .data: proves the .data copy ran */
static volatile uint32_t spin; /* in .bss */

static size_t format_line(char *out, uint32_t n)
{
    static const char prefix[] = "hello ";
    char digits[10];
    size_t len = 0, nd = 0;
    for (size_t i = 0; i + 1 < sizeof prefix; i++)
        out[len++] = prefix[i];
    do {
        digits[nd++] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    while (nd)
        out[len++] = digits[--nd];
    out[len++] = '\n';
    return len;
}

int main(void)
{
    char line[24];
    for (;;) {
        rtt_write(line, format_line(line, counter++));
        for (spin = 0; spin < 100000; spin++) {
        }
    }
}
