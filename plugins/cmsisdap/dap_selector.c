#include "dap_selector.h"
#include "dap_tcp.h"

#include <errno.h>
#include <stdlib.h>
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

static int parse_tcp(const char *rest, struct dap_selector *sel)
{
    sel->is_tcp = 1;
    sel->port = DAP_TCP_DEFAULT_PORT;
    const char *host = rest, *host_end, *port = NULL;
    if (rest[0] == '[') {
        host = rest + 1;
        host_end = strchr(host, ']');
        if (!host_end || (host_end[1] && host_end[1] != ':'))
            return ESPCTL_E_INVAL;
        if (host_end[1] == ':')
            port = host_end + 2;
    } else {
        host_end = strchr(rest, ':');
        if (host_end)
            port = host_end + 1;
        else
            host_end = rest + strlen(rest);
    }
    size_t host_len = (size_t)(host_end - host);
    if (host_len == 0 || host_len >= sizeof sel->host)
        return ESPCTL_E_INVAL;
    memcpy(sel->host, host, host_len);
    sel->host[host_len] = '\0';
    if (port) {
        char *end = NULL;
        errno = 0;
        unsigned long v = strtoul(port, &end, 10);
        if (errno || end == port || *end || v == 0 || v > 65535 || port[0] == '-' || port[0] == '+')
            return ESPCTL_E_INVAL;
        sel->port = (uint16_t)v;
    }
    return 0;
}

int dap_selector_parse(const char *text, struct dap_selector *sel)
{
    memset(sel, 0, sizeof *sel);
    if (!text)
        return ESPCTL_E_INVAL;
    size_t prefix = strlen(DAP_TCP_PREFIX);
    if (strncmp(text, DAP_TCP_PREFIX, prefix) == 0)
        return parse_tcp(text + prefix, sel);
    const char *c1 = strchr(text, ':');
    if (!c1 || parse_hex16(text, (size_t)(c1 - text), &sel->vid))
        return ESPCTL_E_INVAL;
    const char *c2 = strchr(c1 + 1, ':');
    size_t pid_len = c2 ? (size_t)(c2 - c1 - 1) : strlen(c1 + 1);
    if (parse_hex16(c1 + 1, pid_len, &sel->pid))
        return ESPCTL_E_INVAL;
    if (c2) {
        size_t n = strlen(c2 + 1);
        if (n == 0 || n >= sizeof sel->serial)
            return ESPCTL_E_INVAL;
        memcpy(sel->serial, c2 + 1, n + 1);
    }
    return 0;
}
