#include "esp_options.h"

#include <string.h>

/* Lower-cases, maps '_' to '-', drops a "-reset" suffix ("default_reset" -> "default"). */
static void normalise(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    for (; *s && n + 1 < cap; s++)
        out[n++] = *s == '_' ? '-' : (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
    out[n] = '\0';
    size_t suffix = strlen("-reset");
    if (n > suffix && !strcmp(out + n - suffix, "-reset") && strcmp(out, "no-reset"))
        out[n - suffix] = '\0';
}

static const char *const before_names[] = {"default", "usb", "no-reset", "no-reset-no-sync"};
static const char *const after_names[] = {"hard", "soft", "no-reset", "watchdog"};

int esp_before_parse(const char *s, enum esp_before *out)
{
    char n[32];
    normalise(s, n, sizeof n);
    for (int i = 0; i < 4; i++)
        if (!strcmp(n, before_names[i])) {
            *out = (enum esp_before)i;
            return 0;
        }
    return -1;
}

int esp_after_parse(const char *s, enum esp_after *out)
{
    char n[32];
    normalise(s, n, sizeof n);
    for (int i = 0; i < 4; i++)
        if (!strcmp(n, after_names[i])) {
            *out = (enum esp_after)i;
            return 0;
        }
    return -1;
}

const char *esp_before_name(enum esp_before b)
{
    return (unsigned)b < 4 ? before_names[b] : "?";
}

const char *esp_after_name(enum esp_after a)
{
    return (unsigned)a < 4 ? after_names[a] : "?";
}
