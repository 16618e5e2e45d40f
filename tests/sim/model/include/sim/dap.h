/* ADIv5 SW-DP with one AHB-AP (MEM-AP) in front of the target's system bus. */
#ifndef SIM_DAP_H
#define SIM_DAP_H

#include <stdint.h>

struct sim_target;

/** SWD acknowledge of one transaction. */
enum sim_ack {
    SIM_ACK_OK = 1,
    SIM_ACK_WAIT = 2,
    SIM_ACK_FAULT = 4,
};

/* DP CTRL/STAT bits. */
#define SIM_DP_CORUNDETECT  (1u << 0)
#define SIM_DP_STICKYORUN   (1u << 1)
#define SIM_DP_STICKYCMP    (1u << 4)
#define SIM_DP_STICKYERR    (1u << 5)
#define SIM_DP_READOK       (1u << 6)
#define SIM_DP_WDATAERR     (1u << 7)
#define SIM_DP_CDBGPWRUPREQ (1u << 28)
#define SIM_DP_CDBGPWRUPACK (1u << 29)
#define SIM_DP_CSYSPWRUPREQ (1u << 30)
#define SIM_DP_CSYSPWRUPACK (1u << 31)

/* AHB-AP register offsets. */
#define SIM_AP_CSW  0x00u
#define SIM_AP_TAR  0x04u
#define SIM_AP_DRW  0x0Cu
#define SIM_AP_BD0  0x10u
#define SIM_AP_CFG  0xF4u
#define SIM_AP_BASE 0xF8u
#define SIM_AP_IDR  0xFCu

struct sim_dap {
    struct sim_target *target;
    uint32_t dpidr;
    uint32_t ctrl_stat;
    uint32_t select;
    uint32_t rdbuff;      /**< result of the last posted AP read */
    uint32_t ap_idr;
    uint32_t ap_base;
    uint32_t csw;
    uint32_t tar;
    uint64_t transactions;
    uint32_t last_error_addr; /**< bus address of the last failed memory access */
};

/** Power-on state. */
void sim_dap_reset(struct sim_dap *dap, struct sim_target *t, uint32_t dpidr);

/**
 * One SWD transaction: @p apndp 1 = AP, @p rnw 1 = read, @p addr = A[3:2] as a byte
 * offset (0, 4, 8, 0xC). AP reads are posted: *data receives the previous AP read's
 * result (read RDBUFF for the last one). Injected WAIT/FAULT faults apply here.
 */
enum sim_ack sim_dap_transfer(struct sim_dap *dap, int apndp, int rnw, unsigned addr, uint32_t *data);

/** DP register access by address, DP bank in bits 7:4 (SELECT.DPBANKSEL is written as needed). */
enum sim_ack sim_dap_dp_read(struct sim_dap *dap, unsigned addr, uint32_t *val);
enum sim_ack sim_dap_dp_write(struct sim_dap *dap, unsigned addr, uint32_t val);

/** AP register access, non-posted (SELECT written as needed, reads completed through RDBUFF). */
enum sim_ack sim_dap_ap_read(struct sim_dap *dap, unsigned apsel, unsigned reg, uint32_t *val);
enum sim_ack sim_dap_ap_write(struct sim_dap *dap, unsigned apsel, unsigned reg, uint32_t val);

/**
 * Memory access through the AP with accesses of @p size (1, 2, 4) bytes at
 * consecutive addresses, as a probe's firmware performs it (CSW, TAR, DRW stream).
 * @p csw_hi carries CSW bits 31:8. @p len must be a multiple of @p size.
 * On FAULT, dap->last_error_addr holds the failing address and STICKYERR is set.
 */
enum sim_ack sim_dap_mem_read(struct sim_dap *dap, unsigned apsel, uint32_t addr, unsigned size,
                              uint32_t csw_hi, uint8_t *buf, uint32_t len);
enum sim_ack sim_dap_mem_write(struct sim_dap *dap, unsigned apsel, uint32_t addr, unsigned size,
                               uint32_t csw_hi, const uint8_t *buf, uint32_t len);

#endif
