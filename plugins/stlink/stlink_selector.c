#include "stlink_selector.h"
#include "stlink_tcp.h"

#include "plugin_selector.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int parse_tcp(const char *rest, struct stlink_selector *sel)
{
    sel->is_tcp = 1;
    sel->port = STLINK_TCP_DEFAULT_PORT;
    const char *colon = strrchr(rest, ':');
    size_t host_len = colon ? (size_t)(colon - rest) : strlen(rest);
    if (host_len == 0 || host_len >= sizeof sel->host)
        return ESPCTL_E_INVAL;
    memcpy(sel->host, rest, host_len);
    sel->host[host_len] = '\0';
    if (colon) {
        char *end = NULL;
        errno = 0;
        unsigned long port = strtoul(colon + 1, &end, 10);
        if (errno || end == colon + 1 || *end || port == 0 || port > 65535)
            return ESPCTL_E_INVAL;
        sel->port = (uint16_t)port;
    }
    return 0;
}

int stlink_selector_parse(const char *text, struct stlink_selector *sel)
{
    memset(sel, 0, sizeof *sel);
    if (!text)
        return ESPCTL_E_INVAL;
    size_t prefix = strlen(STLINK_TCP_PREFIX);
    if (strncmp(text, STLINK_TCP_PREFIX, prefix) == 0)
        return parse_tcp(text + prefix, sel);
    if (plugin_parse_usb_selector(text, &sel->vid, &sel->pid, sel->serial, sizeof sel->serial))
        return ESPCTL_E_INVAL;
    return 0;
}
