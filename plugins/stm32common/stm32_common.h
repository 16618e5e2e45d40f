/*
 * Helpers shared by the STM32 chip-family plugins (stm32l4, stm32f7, stm32h7). They use only
 * the plugin ABI (espctl/plugin.h): each family plugin compiles stm32_common.c into its own
 * .so, so the families stay independent of each other and of cortexm.
 */
#ifndef STM32_COMMON_H
#define STM32_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "espctl/plugin.h"

#if defined(__GNUC__)
#define STM32_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define STM32_PRINTF(f, a)
#endif

/** The flash controller's keys (RM0351/RM0385/RM0433 agree). */
#define STM32_KEY1 0x45670123u
#define STM32_KEY2 0xCDEF89ABu

/** What a flash handle needs to reach the chip and report. */
struct stm32_io {
    const struct espctl_host *host;
    const struct espctl_target_mem *mem;
};

/** A named status flag. */
struct stm32_flag {
    uint32_t bit;
    const char *name;
};

/** host->set_error with printf formatting; returns `code`. */
int stm32_error(const struct espctl_host *host, int code, const char *fmt, ...) STM32_PRINTF(3, 4);
/** host->log with printf formatting. */
void stm32_log(const struct espctl_host *host, int32_t level, const char *fmt, ...)
    STM32_PRINTF(3, 4);

/** 32-bit register access through the target memory. */
int stm32_rd(const struct stm32_io *io, uint32_t address, uint32_t *value);
int stm32_wr(const struct stm32_io *io, uint32_t address, uint32_t value);
/** A little-endian u16 read (the flash size registers are 16-bit). */
int stm32_rd16(const struct stm32_io *io, uint32_t address, uint32_t *value);
/** Read `count` (at most STM32_REGS_MAX) consecutive 32-bit registers from `first` in one
 * transfer into values[0..count). */
#define STM32_REGS_MAX 16u
int stm32_rd_regs(const struct stm32_io *io, uint32_t first, uint32_t count, uint32_t *values);
/** Write values[0..count) (at most STM32_REGS_MAX) to consecutive 32-bit registers from
 * `first` in one transfer, in address order. */
int stm32_wr_regs(const struct stm32_io *io, uint32_t first, uint32_t count, const uint32_t *values);

/**
 * Continue a CRC-32 with the Ethernet polynomial 0x04C11DB7, most significant bit first and no
 * final XOR, from `crc` over the 32-bit little-endian words of data[0..length) (length a multiple
 * of 4), each fed from its most significant bit: what the STM32 CRC units compute over memory
 * read a word at a time (the F7's CRC peripheral with its reset settings starting from
 * 0xFFFFFFFF, the H7 flash interface's CRC unit from its own start value). stm32_crc.c.
 */
uint32_t stm32_crc32_words(uint32_t crc, const uint8_t *data, uint64_t length);

/**
 * Poll the 32-bit register at `reg` until any bit of `mask` is set, at most `timeout_us` of host
 * time; *value holds the last value read. `what` names the wait in the timeout error, which also
 * names `stage` and `address`.
 */
int stm32_wait_set(const struct stm32_io *io, uint32_t reg, uint32_t mask, uint64_t timeout_us,
                   const char *what, const char *stage, uint64_t address, uint32_t *value);

/** "WRPERR|PGAERR" for the flags of `table` set in `value` ("" when none). */
void stm32_flag_names(uint32_t value, const struct stm32_flag *table, size_t count, char *out,
                      size_t cap);

/**
 * Poll the status register at `sr_addr` until no bit of `busy_mask` is set, at most
 * `timeout_us` of host time. On success *sr holds the last value read. Errors name `stage`
 * and `address` (ESPCTL_E_TIMEOUT, ESPCTL_E_CANCELLED, or the memory access error).
 */
int stm32_wait_idle(const struct stm32_io *io, uint32_t sr_addr, uint32_t busy_mask,
                    uint64_t timeout_us, const char *stage, uint64_t address, uint32_t *sr);

/**
 * Unlock a controller: when `lock_bit` is set in the register at `cr_addr`, write the two keys
 * to `keyr_addr` and check the lock went. `what` names the controller in the error.
 */
int stm32_unlock(const struct stm32_io *io, uint32_t cr_addr, uint32_t keyr_addr,
                 uint32_t lock_bit, const char *what);
/** stm32_unlock with CR already read (as `cr`) by the caller. */
int stm32_unlock_known(const struct stm32_io *io, uint32_t cr, uint32_t cr_addr,
                       uint32_t keyr_addr, uint32_t lock_bit, const char *what);

/**
 * The flash size in bytes from the u16 KiB register at `reg`; a value of 0, 0xFFFF or above
 * `max_bytes` falls back to `fallback_bytes` with a warning.
 */
int stm32_flash_size(const struct stm32_io *io, uint32_t reg, uint32_t max_bytes,
                     uint32_t fallback_bytes, uint64_t *size);

/** The descriptor of `list` whose device_id is `dev` and whose flash is largest, or NULL. */
const struct espctl_chip_desc *stm32_largest_of(const struct espctl_chip_desc *const *list,
                                                uint32_t dev);


/** Status and control registers of a single-bank-register flash controller (L4, F7). */
struct stm32_ctrl {
    uint32_t sr;       /**< FLASH_SR address */
    uint32_t cr;       /**< FLASH_CR address */
    uint32_t busy;     /**< SR busy mask */
    uint32_t errors;   /**< SR error flags */
    uint32_t eop;      /**< SR end-of-operation flag (cleared with the errors) */
    const struct stm32_flag *flags;
    size_t flag_count;
};

/**
 * Make a controller ready for its first operation from the SR and CR values open just read:
 * wait (bounded by `timeout_us`) while it is busy, unlock it through `keyr` when `lock_bit` is
 * set, and clear error and end-of-operation flags an earlier session left (only when SR shows
 * some). `what` names the controller in errors, `address` where a timeout happened.
 */
int stm32_ctrl_ready(const struct stm32_io *io, const struct stm32_ctrl *c, uint32_t keyr,
                     uint32_t lock_bit, uint32_t sr, uint32_t cr, uint64_t timeout_us,
                     uint64_t address, const char *what);

/**
 * Report the error flags in `sr` as ESPCTL_E_TARGET "STAGE: FLAGS WHERE (FLASH_SR=...)",
 * clearing them (write 1) and resetting FLASH_CR to 0 so the next operation starts clean.
 */
int stm32_report_flags(const struct stm32_io *io, const struct stm32_ctrl *c, const char *stage,
                       const char *where, uint32_t sr);
/** stm32_report_flags with WHERE = "at ADDRESS". */
int stm32_report_flags_at(const struct stm32_io *io, const struct stm32_ctrl *c, const char *stage,
                          uint64_t address, uint32_t sr);
/**
 * Wait (bounded) for the controller to go idle, then report any error flag it set.
 * *cr_cleared (may be NULL) is set to 1 when an error report reset FLASH_CR.
 */
int stm32_wait_checked(const struct stm32_io *io, const struct stm32_ctrl *c, const char *stage,
                       uint64_t address, uint64_t timeout_us, int *cr_cleared);

/** The start of a family plugin's data: its one component and the list naming it. The
 * family itself follows in the same block. */
struct stm32_plugin_head {
    struct espctl_component component;
    const struct espctl_component *list[2];
};

/** Fill the family inside the freshly zeroed plugin data and return its vtable. */
typedef const struct espctl_chip_family *(*stm32_family_setup_fn)(void *plugin_data,
                                                                  const struct espctl_host *host);

/**
 * entry->init body of a family plugin: allocate `size` zeroed bytes (a struct whose first
 * member is a struct stm32_plugin_head), let `setup` fill the family and register it as the
 * plugin's one chip-family component. Out of memory is reported as "NAME: out of memory".
 * Returns 0 or what host->set_error returns.
 */
int stm32_plugin_init(const struct espctl_host *host, void **plugin_data, size_t size,
                      const char *name, stm32_family_setup_fn setup);
/** entry->components of a family plugin. */
const struct espctl_component *const *stm32_plugin_components(void *plugin_data);
/** entry->deinit of a family plugin. */
void stm32_plugin_deinit(void *plugin_data);

#endif
