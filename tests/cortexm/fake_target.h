/*
 * A fake probe driver in front of a small STM32G4 model, for unit tests: flash array
 * with the G4 controller's register semantics (KEYR, CR, SR w1c, BSY for a few reads,
 * double-word programming rules, WRP area), DBGMCU id, size register, OPTR, and
 * DHCSR/DEMCR/AIRCR run control. Counters and fault switches are public members.
 */
#ifndef TEST_CORTEXM_FAKE_TARGET_H
#define TEST_CORTEXM_FAKE_TARGET_H

#include "espctl/plugin.h"

#define FAKE_FLASH_BASE 0x08000000u
#define FAKE_FLASH_BYTES (512u * 1024u)

struct fake_target {
    /* configuration */
    uint32_t idcode;
    uint16_t size_kib;
    uint32_t optr;
    uint32_t max_block;
    int wrp_first_page, wrp_last_page; /* inclusive; first > last = none */
    int busy_reads;                    /* SR reads showing BSY after each erase */
    int probe_count;                   /* probes enumerate() reports */
    int has_dp;                        /* offer dp_read/ap_read */
    int keys_refused;                  /* KEYR ignores the key sequence (stays locked) */
    /* faults */
    long fail_after_ops;    /* mem ops before every transfer fails with ESPCTL_E_IO; <0 off */
    uint32_t inject_sr;     /* SR flags raised by the next double-word program */
    uint32_t corrupt_addr;  /* reads of this flash address return the byte inverted; 0 off */
    /* state */
    uint8_t flash[FAKE_FLASH_BYTES];
    uint32_t cr, sr, key_state;
    int busy_left;
    int have_first;
    uint32_t first_addr, first_word;
    uint32_t dhcsr_c, demcr;
    int halted, reset_st;
    uint32_t ctrl_stat;
    /* counters */
    long ops;
    int page_erases, mass_erases, dw_programs, system_resets, hw_resets, connects;
    int mem_writes, sticky_clears;
    int sr_reads; /* FLASH_SR reads (status checks and BSY polls) */
    long flash_bytes_read; /* bytes of the flash array read through mem_read */
    int flash_reads;       /* mem_read calls that read the flash array */
    uint32_t cr_log[256];
    int cr_log_count;
    uint32_t last_erase_addr;
};

/** Reset the model to an unlocked-erased G431RB (128 KiB, id 0x468). */
void fake_target_init(struct fake_target *t);
/** The probe driver whose probes all reach `t` (one static instance). */
const struct espctl_probe_driver *fake_driver(struct fake_target *t);
/** A second driver (name "other", prefix "other:") reporting one probe, for selection tests. */
const struct espctl_probe_driver *fake_other_driver(struct fake_target *t);

#endif
