#include "adiv5.h"

#include "util.h"

#define POWER_UP_POLLS 100
#define POWER_UP_TIMEOUT_US 500000u
#define AP_SCAN_LIMIT 16u

static int ahb_ap(uint32_t idr)
{
    uint32_t key = idr & 0x0FFFE00Fu;
    return key == 0x04770001u || key == 0x04770005u;
}

static int power_up(struct cm_link *link)
{
    const struct espctl_probe_driver *d = link->drv;
    int rc = d->dp_write(link->probe, ADIV5_DP_ABORT, ADIV5_ABORT_CLEAR_ALL);
    if (rc == 0)
        rc = d->dp_write(link->probe, ADIV5_DP_SELECT, 0);
    if (rc == 0)
        rc = d->dp_write(link->probe, ADIV5_DP_CTRL_STAT,
                         ADIV5_CTRL_CDBGPWRUPREQ | ADIV5_CTRL_CSYSPWRUPREQ);
    if (rc)
        return rc;
    const uint32_t acks = ADIV5_CTRL_CDBGPWRUPACK | ADIV5_CTRL_CSYSPWRUPACK;
    uint64_t deadline = cm_now_us(link->host) + POWER_UP_TIMEOUT_US;
    uint32_t ctrl = 0;
    for (int i = 0; i < POWER_UP_POLLS; i++) {
        rc = d->dp_read(link->probe, ADIV5_DP_CTRL_STAT, &ctrl);
        if (rc)
            return rc;
        if ((ctrl & acks) == acks)
            return 0;
        if (cm_now_us(link->host) > deadline)
            break;
    }
    return cm_error(link->host, ESPCTL_E_TIMEOUT,
                    "connect: debug power-up not acknowledged (CTRL/STAT=0x%08x)", ctrl);
}

static int find_mem_ap(struct cm_link *link)
{
    for (uint32_t ap = 0; ap < AP_SCAN_LIMIT; ap++) {
        uint32_t idr = 0;
        int rc = link->drv->ap_read(link->probe, ap, ADIV5_AP_IDR, &idr);
        if (rc)
            return rc;
        if (ahb_ap(idr)) {
            link->ap = ap;
            return 0;
        }
        if (idr == 0)
            break; /* APs are numbered densely: the first empty slot ends the scan */
    }
    return cm_error(link->host, ESPCTL_E_TARGET, "connect: no AHB-AP found on the debug port");
}

/* A probe may learn the AP's auto-increment block only once connected (the ST-Link reads
 * CPUID then), so the block size is asked again now that the debug port is up. */
static void refresh_block(struct cm_link *link)
{
    struct espctl_probe_caps caps = {.hdr = ESPCTL_ABI_HDR(struct espctl_probe_caps)};
    if (link->drv->caps && link->drv->caps(link->probe, &caps) == 0 && caps.max_mem_block)
        link->max_block = caps.max_mem_block;
}

int adiv5_init(struct cm_link *link)
{
    const struct espctl_probe_driver *d = link->drv;
    link->ap = 0;
    refresh_block(link);
    link->has_dp = d->dp_read && d->dp_write && d->ap_read;
    if (!link->has_dp)
        return 0;
    int rc = power_up(link);
    if (rc == ESPCTL_E_NOT_SUPPORTED) {
        link->has_dp = 0; /* the probe keeps DP/AP to itself */
        return 0;
    }
    if (rc)
        return rc;
    return find_mem_ap(link);
}

void adiv5_recover(struct cm_link *link)
{
    if (!link->has_dp)
        return;
    uint32_t ctrl = 0;
    if (link->drv->dp_read(link->probe, ADIV5_DP_CTRL_STAT, &ctrl) == 0 &&
        (ctrl & ADIV5_CTRL_STICKY_MASK))
        (void)link->drv->dp_write(link->probe, ADIV5_DP_ABORT, ADIV5_ABORT_CLEAR_ALL);
}
