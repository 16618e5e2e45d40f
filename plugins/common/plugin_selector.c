#include "plugin_selector.h"

#include <string.h>

static int parse_hex16(const char *s, size_t n, uint16_t *out)
{
    if (n == 0 || n > 4)
        return -1;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        unsigned d;
        if (c >= '0' && c <= '9') d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') d = (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') d = (unsigned)(c - 'A' + 10);
        else return -1;
        v = v * 16 + d;
    }
    *out = (uint16_t)v;
    return 0;
}

int plugin_parse_usb_selector(const char *text, uint16_t *vid, uint16_t *pid, char *serial,
                              size_t serial_cap)
{
    const char *c1 = strchr(text, ':');
    if (!c1 || parse_hex16(text, (size_t)(c1 - text), vid))
        return -1;
    const char *c2 = strchr(c1 + 1, ':');
    size_t pid_len = c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1);
    if (parse_hex16(c1 + 1, pid_len, pid))
        return -1;
    if (c2) {
        size_t n = strlen(c2 + 1);
        if (n == 0 || n >= serial_cap)
            return -1;
        memcpy(serial, c2 + 1, n + 1);
    }
    return 0;
}
