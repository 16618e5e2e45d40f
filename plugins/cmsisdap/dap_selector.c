#include "dap_selector.h"
#include "dap_tcp.h"

#include "plugin_selector.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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
    if (plugin_parse_usb_selector(text, &sel->vid, &sel->pid, sel->serial, sizeof sel->serial))
        return ESPCTL_E_INVAL;
    return 0;
}
