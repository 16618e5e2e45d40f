#include "plugin_caps.h"
#include "plugin_env.h"

#include <string.h>

int plugin_put_caps(const struct espctl_host *host, const struct espctl_probe_caps *caps,
                    struct espctl_probe_caps *out)
{
    struct espctl_probe_caps c = *caps;
    uint32_t size = out->hdr.struct_size;
    if (size > sizeof c)
        size = sizeof c;
    if (size < sizeof c.hdr)
        return plugin_fail(host, ESPCTL_E_ABI, "caps: struct_size %u too small", size);
    c.hdr.struct_size = size;
    memcpy(out, &c, size);
    return 0;
}
