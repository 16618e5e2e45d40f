/*
 * Flash written by the probe itself (extension "espctl.flash-writer/1": QEMU's gdbstub,
 * Black Magic Probe), and the chips cortexm knows only for that path.
 *
 * pf_open() returns a chip-family vtable whose sector map comes from the probe's memory
 * map (region block sizes) or, when the probe has none (ESPCTL_FLASH_WRITER_NO_MAP),
 * from the chip's own sector map; erase/program go to the writer. The flash engine
 * drives it like any family, so comparing, skipping and verifying stay in one place.
 * See docs/decisions/0540-cortexm-probe-written-flash.md.
 */
#ifndef CORTEXM_PROBE_FLASH_H
#define CORTEXM_PROBE_FLASH_H

#include "link.h"

#include "espctl/plugin/ext/flash_writer.h"

/** The writer a connected probe offers, validated; NULL when it offers none. */
const struct espctl_flash_writer *pf_writer(const struct cm_link *link);

/**
 * Open probe-written flash for `chip` (may be NULL when the probe has a memory map).
 * *family receives the adapter vtable, *flash its handle (free with family->flash_close).
 */
int pf_open(struct cm_link *link, const struct espctl_flash_writer *writer,
            const struct espctl_chip_desc *chip, const struct espctl_chip_family **family,
            void **flash, struct espctl_flash_geometry *geometry);

/** Commit buffered writes (writer->done); the engine calls it before verifying. */
int pf_commit(void *flash);

#endif
