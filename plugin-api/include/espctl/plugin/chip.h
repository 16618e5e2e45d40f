/*
 * espctl/plugin/chip.h — the chip-family component (STM32G4, L4, F7, H7...).
 *
 * A chip family describes its chips (ids, memory map) and drives their flash
 * controller through memory accesses the flash target provides (struct
 * espctl_target_mem). Families ship as separate plugins; cortexm finds them with
 * host->find_chip_family(). A family never talks to a probe directly.
 *
 * Threading: one flash handle is used by one thread at a time.
 */
#ifndef ESPCTL_PLUGIN_CHIP_H
#define ESPCTL_PLUGIN_CHIP_H

#include "espctl/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A memory region. Value type, 24 bytes, frozen. */
struct espctl_mem_region {
    uint64_t base;
    uint64_t size;
    /** ESPCTL_MEM_FLASH or ESPCTL_MEM_RAM. */
    uint32_t kind;
    uint32_t flags;
};
enum espctl_mem_kind { ESPCTL_MEM_FLASH = 1, ESPCTL_MEM_RAM = 2 };

/** One chip of a family. */
struct espctl_chip_desc {
    struct espctl_abi_hdr hdr;
    /** Lower-case part name ("stm32g431rb"). */
    const char *name;
    /** probe-rs target name ("STM32G431RBTx"). */
    const char *probe_rs_name;
    /** DBGMCU device id (IDCODE bits 11:0, e.g. 0x468). */
    uint32_t device_id;
    /** Flash size in bytes when the size register cannot be read. */
    uint32_t flash_size;
    uint32_t region_count;
    uint32_t reserved;
    const struct espctl_mem_region *regions;
};

/** Memory access a flash target lends to a chip family for the life of a flash handle. */
struct espctl_target_mem {
    struct espctl_abi_hdr hdr;
    void *ctx;
    int (*read32)(void *ctx, uint64_t address, uint32_t *value);
    int (*write32)(void *ctx, uint64_t address, uint32_t value);
    /** Block transfers; `width` 8, 16 or 32; address/length multiples of width/8. */
    int (*read)(void *ctx, uint64_t address, uint8_t *buf, uint32_t length);
    int (*write)(void *ctx, uint64_t address, const uint8_t *buf, uint32_t length,
                 uint32_t width);
};

/** Flash geometry reported by flash_open(). */
struct espctl_flash_geometry {
    struct espctl_abi_hdr hdr;
    uint64_t base;
    uint64_t size;
    /** Programming unit in bytes (8 = double word on G4/L4, 32 = flash word on H7). */
    uint32_t write_unit;
    /** Value of an erased byte (0xFF on STM32). */
    uint32_t erased_value;
    uint32_t bank_count;
    /** ABI 1.1: granule of check() in bytes (its ranges start and end on multiples of it);
     * 0 when the family has no on-target check. Was `reserved` (always 0) in ABI 1.0. */
    uint32_t check_unit;
};

struct espctl_chip_family {
    struct espctl_abi_hdr hdr;
    /** Component name, unique across plugins ("stm32g4"). */
    const char *name;
    const char *description;
    /** Architecture the family belongs to ("cortexm"). */
    const char *arch;
    void *family_data;
    /** NULL-terminated array of chips. */
    const struct espctl_chip_desc *const *chips;

    /** Identify the connected chip by reading its id registers; on success *chip is
     * one of this family's descriptors. ESPCTL_E_NOT_FOUND when it is not ours. */
    int (*identify)(void *family_data, const struct espctl_target_mem *mem,
                    const struct espctl_chip_desc **chip);

    /** Prepare the flash controller of `chip` (unlock, read size register). */
    int (*flash_open)(void *family_data, const struct espctl_chip_desc *chip,
                      const struct espctl_target_mem *mem, void **flash,
                      struct espctl_flash_geometry *geometry);
    /** The erase sector holding `address`: its start and size. */
    int (*sector_at)(void *flash, uint64_t address, uint64_t *start, uint64_t *size);
    /** Erase one sector starting at `start`. */
    int (*erase_sector)(void *flash, uint64_t start);
    int (*mass_erase)(void *flash);
    /** Program `length` bytes at `address`; both multiples of write_unit, target erased. */
    int (*program)(void *flash, uint64_t address, const uint8_t *data, uint64_t length);
    /** Lock the controller and release the handle. NULL is a no-op. */
    void (*flash_close)(void *flash);

    /* ---- ABI 1.1; test with ESPCTL_HAS_FN before use ---- */

    /** Optional: check on the target, without reading the data back, that flash holds
     * `expected` from `address` on (the STM32H7 flash interface computes a CRC over it).
     * `address` and `length` are multiples of geometry.check_unit. The family checks the
     * longest prefix it can in one operation (e.g. up to the end of a bank) and stores its
     * length in *checked and whether the target holds exactly those bytes in *same.
     * *checked = 0 means it cannot check there; the caller reads that range back instead.
     * Returns 0, or an error when the check itself failed (I/O, timeout, controller
     * error), which names the stage "verify" and the address. A mismatch is not an error:
     * the caller reads the range back to name the first differing byte. */
    int (*check)(void *flash, uint64_t address, const uint8_t *expected, uint64_t length,
                 uint64_t *checked, int *same);
};

#ifdef __cplusplus
}
#endif

#endif /* ESPCTL_PLUGIN_CHIP_H */
