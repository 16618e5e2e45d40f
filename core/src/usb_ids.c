/* espctl_usb_id_*: the USB ids every loaded probe driver declares, in load order. */
#include "core_ctx.h"

static uint32_t driver_id_count(const struct core_component *driver)
{
    const struct espctl_probe_driver *vt = &driver->vtable.probe_driver;
    return vt->usb_ids ? vt->usb_id_count : 0;
}

ESPCTL_API uint32_t espctl_usb_id_count(const espctl_ctx *ctx)
{
    uint32_t total = 0;
    for (uint32_t i = 0; ctx && i < ctx->probe_drivers.count; i++)
        total += driver_id_count(ctx->probe_drivers.items[i]);
    return total;
}

ESPCTL_API int espctl_usb_id_get(const espctl_ctx *ctx, uint32_t index,
                                 struct espctl_usb_id_info *info)
{
    if (!info || info->hdr.struct_size < sizeof info->hdr)
        return core_error(ESPCTL_E_INVAL, "espctl_usb_id_get: info or its struct_size is invalid");
    uint32_t remaining = index;
    for (uint32_t i = 0; ctx && i < ctx->probe_drivers.count; i++) {
        const struct core_component *driver = ctx->probe_drivers.items[i];
        uint32_t n = driver_id_count(driver);
        if (remaining >= n) {
            remaining -= n;
            continue;
        }
        const struct espctl_usb_id *id = &driver->vtable.probe_driver.usb_ids[remaining];
        if (ESPCTL_HAS(info, struct espctl_usb_id_info, driver))
            info->driver = driver->name;
        if (ESPCTL_HAS(info, struct espctl_usb_id_info, vid))
            info->vid = id->vid;
        if (ESPCTL_HAS(info, struct espctl_usb_id_info, pid))
            info->pid = id->pid;
        if (ESPCTL_HAS(info, struct espctl_usb_id_info, flags))
            info->flags = (id->flags & ESPCTL_USB_ID_SERIAL) ? ESPCTL_USB_ID_INFO_SERIAL : 0;
        return 0;
    }
    return core_error(ESPCTL_E_NOT_FOUND, "no USB id at index %u", index);
}
