/* ADIv5 debug port bring-up over a probe driver's DP/AP members. */
#ifndef CORTEXM_ADIV5_H
#define CORTEXM_ADIV5_H

#include "link.h"

#define ADIV5_DP_DPIDR 0x0u
#define ADIV5_DP_ABORT 0x0u
#define ADIV5_DP_CTRL_STAT 0x4u
#define ADIV5_DP_SELECT 0x8u
#define ADIV5_DP_RDBUFF 0xCu

#define ADIV5_ABORT_CLEAR_ALL 0x1Eu /* STKCMPCLR | STKERRCLR | WDERRCLR | ORUNERRCLR */
#define ADIV5_CTRL_CDBGPWRUPREQ (1u << 28)
#define ADIV5_CTRL_CDBGPWRUPACK (1u << 29)
#define ADIV5_CTRL_CSYSPWRUPREQ (1u << 30)
#define ADIV5_CTRL_CSYSPWRUPACK (1u << 31)
#define ADIV5_CTRL_STICKY_MASK 0xB2u /* STICKYORUN | STICKYCMP | STICKYERR | WDATAERR */

#define ADIV5_AP_IDR 0xFCu

/**
 * Power up the debug and system domains and pick the AHB-AP (AHB3 or AHB5 MEM-AP).
 * When the probe has no raw DP/AP access (its firmware does this itself), the link
 * keeps AP 0. Fails with ESPCTL_E_TIMEOUT when the power-up ACKs never come.
 * link->max_block is refreshed from the probe's caps (valid once it is connected).
 */
int adiv5_init(struct cm_link *link);

/** Clear sticky error flags after a failed transfer (best effort, errors ignored). */
void adiv5_recover(struct cm_link *link);

#endif
