/*
 * espctl/plugin/ext/flash_writer.h — extension "espctl.flash-writer/1" of a probe driver.
 *
 * Offered by probes that program flash themselves: Black Magic Probe (its GDB server
 * runs the flash algorithm: vFlashErase/vFlashWrite/vFlashDone over the regions of its
 * memory map) and QEMU's gdbstub (debug writes land in the emulated flash). A driver
 * that offers it sets ESPCTL_PROBE_CAP_FLASH_WRITE in caps().
 *
 * How a flash target uses it (the cortexm flash engine), instead of a chip-family
 * driver and the chip's flash-controller registers:
 *     fw = drv->get_extension(probe, ESPCTL_EXT_FLASH_WRITER);   // after connect()
 *     n = fw->region_count(probe);
 *     for each segment [addr, addr+len):
 *         block = the region containing it (fw->region(probe, i, &r)): r.block_size;
 *                 with n == 0 (ESPCTL_FLASH_WRITER_NO_MAP) use the chip's own
 *                 sector map, or the segment itself when the chip is unknown;
 *         fw->erase(probe, addr rounded down to block, len rounded up to block);
 *         fw->write(probe, addr, data, len);       // any length; the driver splits
 *     fw->done(probe);                             // commit buffered writes
 *     verify with drv->mem_read, then drv->reset(probe, ESPCTL_RESET_SYSTEM) or the
 *     run-control extension's reset_and_halt + resume.
 * write() expects erased flash and may buffer until done(); nothing is guaranteed to
 * be in flash before done() returns 0. Writes to addresses outside every flash region
 * are ESPCTL_E_INVAL (unless NO_MAP).
 *
 * Threading: like the probe itself (one thread per open probe at a time).
 * Errors: 0 or a negative espctl_error; detail through host->set_error.
 */
#ifndef ESPCTL_PLUGIN_EXT_FLASH_WRITER_H
#define ESPCTL_PLUGIN_EXT_FLASH_WRITER_H

#include "espctl/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ESPCTL_EXT_FLASH_WRITER "espctl.flash-writer/1"

/** The probe has no memory map (region_count is 0): it writes whatever flash address
 * the caller names, with any erase granularity; the caller supplies the layout. */
#define ESPCTL_FLASH_WRITER_NO_MAP 0x1u

/** One flash region the probe can program. The caller sets hdr.struct_size. */
struct espctl_flash_region {
    struct espctl_abi_hdr hdr;
    /** First address of the region. */
    uint64_t start;
    /** Size of the region in bytes. */
    uint64_t length;
    /** Erase granularity: erase() ranges are multiples of it, aligned to it from start. */
    uint32_t block_size;
    /** Zero. */
    uint32_t reserved;
};

struct espctl_flash_writer {
    struct espctl_abi_hdr hdr;
    /** ESPCTL_FLASH_WRITER_* flags. */
    uint32_t flags;
    /** Zero. */
    uint32_t reserved;
    /** Number of flash regions in the probe's memory map (0 with NO_MAP). */
    uint32_t (*region_count)(void *probe);
    /** Fill *region (up to region->hdr.struct_size) with region `index`;
     * ESPCTL_E_NOT_FOUND past the end. */
    int (*region)(void *probe, uint32_t index, struct espctl_flash_region *region);
    /** Erase [addr, addr+len); both aligned to the containing region's block_size.
     * May take seconds (the driver's flash timeout bounds it). */
    int (*erase)(void *probe, uint64_t addr, uint64_t len);
    /** Program `len` bytes at `addr` into erased flash. */
    int (*write)(void *probe, uint64_t addr, const uint8_t *data, uint32_t len);
    /** Commit every buffered write; call once after the last write(). */
    int (*done)(void *probe);
};

#ifdef __cplusplus
}
#endif

#endif /* ESPCTL_PLUGIN_EXT_FLASH_WRITER_H */
