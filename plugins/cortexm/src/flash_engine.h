/*
 * The flash engine: lays image segments onto the sectors a chip family reports, reads back
 * the write units the image covers, skips sectors that already hold the image, erases only
 * sectors whose change needs it (reading the rest of such a sector first, so bytes the image
 * does not cover keep their old contents), programs only the write units that differ (in
 * runs as large as the probe allows), then verifies the image's units in the sectors it
 * changed and every unit it programmed: on the target where the family can check (ABI 1.1
 * check hook), by read-back elsewhere and wherever the target's check disagrees. Bytes outside the image are read only
 * when their sector is erased. Progress goes out as events: stages "compare", "erase",
 * "program", "verify".
 */
#ifndef CORTEXM_FLASH_ENGINE_H
#define CORTEXM_FLASH_ENGINE_H

#include "link.h"

struct fe_target {
    const struct espctl_host *host;
    /** Read-back path and stage naming; link->max_block bounds a program run. */
    struct cm_link *link;
    const struct espctl_chip_family *family;
    void *flash;
    const struct espctl_flash_geometry *geometry;
    /** Optional: make erases and programs durable before anything reads them back
     * (a probe that buffers writes until told it is done); NULL for chip families. */
    int (*commit)(void *flash);
};

struct fe_stats {
    uint32_t sectors;      /**< sectors the image touches */
    uint32_t skipped;      /**< of those, already holding the image */
    uint32_t erased;       /**< sectors erased */
    uint64_t programmed;   /**< bytes programmed */
    uint64_t verified;     /**< bytes verified after programming (whole transfer pieces) */
    uint64_t on_target;    /**< of those, checked by the target itself (family check hook) */
};

/** Flash `image` (ESPCTL_FLASH_NO_VERIFY / NO_SKIP / CHIP_ERASE honoured). `stats` may be NULL. */
int fe_flash(const struct fe_target *t, const struct espctl_flash_image *image, uint32_t flags,
             struct fe_stats *stats);
/** Compare target memory with every segment; ESPCTL_E_VERIFY names the first mismatch. */
int fe_verify(const struct fe_target *t, const struct espctl_flash_image *image);
/** Erase the sectors overlapping [address, address+length), or everything with
 * ESPCTL_FLASH_CHIP_ERASE. */
int fe_erase(const struct fe_target *t, uint64_t address, uint64_t length, uint32_t flags);

#endif
