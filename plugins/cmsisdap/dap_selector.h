/* dap_selector.h — parse `dap-tcp:HOST[:PORT]` and `VID:PID[:SERIAL]`. */
#ifndef DAP_SELECTOR_H
#define DAP_SELECTOR_H

#include <stdint.h>

struct dap_selector {
    int is_tcp;
    char host[256];
    uint16_t port;
    uint16_t vid;
    uint16_t pid;
    char serial[128];
};

/** 0 or ESPCTL_E_INVAL. IPv6 hosts go in brackets: dap-tcp:[::1]:3240. */
int dap_selector_parse(const char *text, struct dap_selector *sel);

#endif /* DAP_SELECTOR_H */
