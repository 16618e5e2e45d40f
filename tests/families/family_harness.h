/*
 * In-process harness for the chip-family plugin tests: loads a family plugin (.so) through the
 * plugin ABI with a fake host, builds a simulated target from sim_model and lends the family an
 * espctl_target_mem adapter over sim_dap_mem_read/write (one modelled probe round trip per call).
 */
#ifndef FAMILY_HARNESS_H
#define FAMILY_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "espctl/plugin.h"
#include "sim/target.h"

struct family_fixture {
    void *dl;
    const struct espctl_plugin_entry *entry;
    void *plugin_data;
    const struct espctl_chip_family *family;
    struct sim_target *target;
    struct espctl_target_mem mem;
    const struct espctl_chip_desc *chip;
    void *flash;
    struct espctl_flash_geometry geometry;
};

/** Load plugin `plugin` (file <plugin>.so in the build's plugin directory), find its chip family
 *  `plugin` and create a simulated `sim_chip`. Fails the test on any error. */
struct family_fixture *family_load(const char *plugin, const char *sim_chip);
/** Identify the chip and open its flash; fails the test unless both succeed. */
void family_open(struct family_fixture *fx);
/** Close the flash (when open), free the target, deinit and dlclose the plugin. */
void family_free(struct family_fixture *fx);

/** The detail text of the last host->set_error, and of the last warning logged. */
const char *family_last_error(void);
const char *family_last_warning(void);

/** Fill [address, address+len) of the simulated flash array directly with `byte`. */
void family_fill(struct family_fixture *fx, uint32_t address, uint32_t len, uint8_t byte);
/** Byte of the simulated flash array at `address`. */
uint8_t family_byte(struct family_fixture *fx, uint32_t address);
/** True when every byte of the simulated flash in [address, address+len) equals `byte`. */
int family_all(struct family_fixture *fx, uint32_t address, uint32_t len, uint8_t byte);
/** Arm a sim fault spec ("flash-err=pgaerr@0x08000500", "wrp=2-2") and apply protection. */
void family_fault(struct family_fixture *fx, const char *spec);

/** Count the register reads (read32) at `address` from now on, starting from 0. */
void family_count_reads(uint32_t address);
/** How many read32 calls hit the address given to family_count_reads. */
unsigned family_reads(void);

/** cmocka check that `rc` is `code` and the error text contains every given fragment. */
#define assert_error(rc, code, ...)                                                          \
    family_assert_error((rc), (code), __VA_ARGS__, (const char *)NULL)
void family_assert_error(int rc, int code, ...);

#endif
