#include "gdb_selector.h"

#include <stdlib.h>
#include <string.h>

int gdb_selector_parse(const char *selector, struct gdb_selector *sel)
{
    memset(sel, 0, sizeof *sel);
    size_t plen = strlen(GDB_SELECTOR_PREFIX);
    if (!selector || strncmp(selector, GDB_SELECTOR_PREFIX, plen) != 0)
        return -1;
    const char *rest = selector + plen;
    if (rest[0] == '/') {
        if (strlen(rest) >= sizeof sel->path)
            return -1;
        sel->is_serial = 1;
        strcpy(sel->path, rest);
        return 0;
    }
    const char *host = rest, *host_end, *colon;
    if (rest[0] == '[') {
        host = rest + 1;
        host_end = strchr(host, ']');
        if (!host_end || host_end[1] != ':')
            return -1;
        colon = host_end + 1;
    } else {
        colon = strrchr(rest, ':');
        if (!colon || strchr(rest, ':') != colon)
            return -1;
        host_end = colon;
    }
    size_t host_len = (size_t)(host_end - host);
    const char *port = colon + 1;
    size_t port_len = strlen(port);
    if (host_len == 0 || host_len >= sizeof sel->host || port_len == 0 || port_len > 5)
        return -1;
    char *end = NULL;
    unsigned long number = strtoul(port, &end, 10);
    if (*end || number == 0 || number > 65535 || port[0] < '0' || port[0] > '9')
        return -1;
    memcpy(sel->host, host, host_len);
    memcpy(sel->port, port, port_len);
    return 0;
}
