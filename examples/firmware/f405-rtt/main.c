/* Writes "line 0".."line 999" to RTT up channel 0 (blocking), then idles; echoes every
 * line received on down channel 0 back as "echo: <line>". */
#include "rtt.h"

#define LINE_COUNT 1000u

static size_t format_line(char *out, uint32_t n)
{
    static const char prefix[] = "line ";
    size_t len = 0;
    for (; prefix[len]; len++)
        out[len] = prefix[len];
    char digits[10];
    size_t d = 0;
    do {
        digits[d++] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    while (d)
        out[len++] = digits[--d];
    out[len++] = '\n';
    return len;
}

int main(void)
{
    rtt_init();
    char line[24];
    static char echo[64] = "echo: ";
    size_t echo_len = 6;
    for (uint32_t n = 0;; ) {
        if (n < LINE_COUNT) {
            rtt_write(line, format_line(line, n));
            n++;
        }
        char in[8];
        size_t got = rtt_read(in, sizeof in);
        for (size_t i = 0; i < got; i++) {
            echo[echo_len++] = in[i];
            if (in[i] == '\n' || echo_len == sizeof echo) {
                rtt_write(echo, echo_len);
                echo_len = 6;
            }
        }
    }
}
