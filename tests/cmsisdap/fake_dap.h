/*
 * fake_dap.h — an in-process CMSIS-DAP probe for tests: a dap_transport whose requests
 * are executed by espctl-sim's DAP command interpreter (tests/sim/dap) on a simulated
 * STM32G431, with hooks that damage one chosen response (truncate it, change its echo,
 * answer "unknown command", or stay silent) to exercise the error paths.
 */
#ifndef FAKE_DAP_H
#define FAKE_DAP_H

#include "dap_env.h"
#include "dap_front.h"
#include "dap_transport.h"

enum fake_damage {
    FAKE_INTACT = 0,
    FAKE_TRUNCATE,   /**< cut the response to damage_len bytes */
    FAKE_BAD_ECHO,   /**< replace byte 0 */
    FAKE_UNKNOWN,    /**< answer the single byte 0xFF */
    FAKE_SILENT,     /**< no answer: recv times out */
    FAKE_BAD_COUNT   /**< Transfer/TransferBlock count larger than requested */
};

struct fake_dap {
    struct dap_transport base;
    struct dap_env env;
    struct sim_target *target;
    struct dapsim_probe sim;       /**< the simulated probe firmware */
    uint8_t queue[64][DAP_FRONT_MAX_PACKET];
    size_t queue_len[64];
    unsigned head, count;
    unsigned max_queued;           /**< most requests ever outstanding at once */
    unsigned packets;              /**< requests executed */
    size_t max_request_len;        /**< longest request seen */
    unsigned damage_at;            /**< 1-based request number to damage (0 = none) */
    unsigned damage_cmd;           /**< or: damage the first request with this command id (0x100 = none) */
    enum fake_damage damage;
    size_t damage_len;
    unsigned long long requests_by_cmd[256];
};

/** A fake probe (packet size/count as given) in front of a fresh stm32g431rb. 0 or -1. */
int fake_dap_init(struct fake_dap *f, const struct dap_env *env, uint16_t packet_size, uint8_t packet_count);
/** Free the target (the transport itself is embedded: destroy() does nothing). */
void fake_dap_fini(struct fake_dap *f);

#endif
