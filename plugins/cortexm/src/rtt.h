/*
 * SEGGER RTT, host side, over struct espctl_target_mem: find the control block,
 * validate it against the chip's RAM regions, read one up channel (the host writes
 * only RdOff) and write the down channel of the same number (the host writes only
 * WrOff), while the core runs. See docs/decisions/0510-rtt-monitor.md.
 *
 * Control block (32-bit target): "SEGGER RTT" id padded to 16 bytes,
 * MaxNumUpBuffers, MaxNumDownBuffers, then that many 24-byte descriptors up and down:
 * sName, pBuffer, SizeOfBuffer, WrOff, RdOff, Flags.
 *
 * Errors (detail through host->set_error, naming the field and its value):
 * ESPCTL_E_NOT_FOUND when no block is there (yet), ESPCTL_E_TARGET when the block or
 * a descriptor is corrupt, ESPCTL_E_INVAL for a channel the block does not have.
 */
#ifndef CORTEXM_RTT_H
#define CORTEXM_RTT_H

#include "espctl/plugin.h"

#define CM_RTT_ID "SEGGER RTT"
#define CM_RTT_ID_SIZE 16u
#define CM_RTT_HEADER_SIZE 24u
#define CM_RTT_DESC_SIZE 24u
#define CM_RTT_DESC_WROFF 12u
#define CM_RTT_DESC_RDOFF 16u
/** Most channels a block may declare per direction (the bound probe-rs applies). */
#define CM_RTT_MAX_CHANNELS 255u
/** RAM regions remembered from the chip descriptor. */
#define CM_RTT_MAX_RAM 8u
/** Bytes read per request while scanning RAM for the id. */
#define CM_RTT_SCAN_CHUNK 4096u
/** An up buffer that starts at most this far after its descriptor's offsets, and is at
 * most CM_RTT_SPAN_MAX_RING bytes, is read together with them in one request while data
 * flows (one probe command instead of two or three per poll). */
#define CM_RTT_SPAN_MAX_GAP 512u
#define CM_RTT_SPAN_MAX_RING 8192u

/** One ring as the host sees it. */
struct cm_rtt_ring {
    uint32_t desc;     /**< address of the descriptor */
    uint32_t buffer;   /**< pBuffer */
    uint32_t size;     /**< SizeOfBuffer */
    uint32_t host_off; /**< the offset the host owns, as it last wrote it (RdOff up, WrOff down) */
};

struct cm_rtt {
    const struct espctl_host *host;
    const struct espctl_target_mem *mem;
    struct espctl_mem_region ram[CM_RTT_MAX_RAM];
    uint32_t ram_count;
    /** Control block address once attached, 0 before. */
    uint32_t block;
    uint32_t max_up, max_down;
    uint32_t channel;
    struct cm_rtt_ring up;
    struct cm_rtt_ring down;
    /** The block has a down channel `channel`. */
    int has_down;
    /** Counters for logs and tests. */
    uint64_t bytes_up, bytes_down, resyncs;
    /** Scratch for the offsets-and-ring read (see CM_RTT_SPAN_MAX_GAP); NULL when the
     * layout does not allow it. `busy`: the last poll moved enough data to use it. */
    uint8_t *span;
    uint32_t span_size;
    int busy;
    uint64_t span_reads;
};

/** Prepare `r`: keep the RAM regions (kind ESPCTL_MEM_RAM) of `regions`. */
void cm_rtt_init(struct cm_rtt *r, const struct espctl_host *host,
                 const struct espctl_target_mem *mem, const struct espctl_mem_region *regions,
                 uint32_t count);

/** Release what attach allocated. `r` may be attached again afterwards. */
void cm_rtt_fini(struct cm_rtt *r);

/** Scan every RAM region for the id in large reads. Exactly one hit: *address = it.
 * None: ESPCTL_E_NOT_FOUND; several: ESPCTL_E_TARGET naming the first two. */
int cm_rtt_scan(struct cm_rtt *r, uint32_t *address);

/** Read and validate the block at `address` and the descriptors of `channel`. */
int cm_rtt_attach(struct cm_rtt *r, uint32_t address, uint32_t channel);

/** Copy at most `capacity` bytes waiting in the up channel to `buf` (*got = count, 0
 * when empty) and hand the space back to the target by writing RdOff. */
int cm_rtt_read(struct cm_rtt *r, uint8_t *buf, uint32_t capacity, uint32_t *got);

/** Put as much of `buf` as fits into the down channel, then publish it by writing
 * WrOff; *accepted = bytes taken (0 when full). ESPCTL_E_NOT_SUPPORTED without a
 * down channel. */
int cm_rtt_write(struct cm_rtt *r, const uint8_t *buf, uint32_t length, uint32_t *accepted);

#endif
