/*
 * RTT producer: plays the firmware side of SEGGER RTT on the CPU-less target model.
 * It owns (or finds) a control block in SRAM and writes a known byte stream into up
 * buffer 0 at a set rate in virtual time, honouring the host's RdOff: in blocking
 * mode it waits for space (nothing is lost), in non-blocking mode what does not fit
 * is dropped and counted. Optionally it echoes what the host writes into down
 * buffer 0 back into the up buffer. It runs before every bus access (so it sees the
 * clock each probe front advanced), only while the core runs, and starts over after
 * every system reset, as firmware would.
 */
#ifndef SIM_RTT_PRODUCER_H
#define SIM_RTT_PRODUCER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct sim_target;

enum sim_rtt_pattern {
    SIM_RTT_COUNTER = 0, /**< byte i = i mod 251 */
    SIM_RTT_LINES = 1    /**< "rtt 00000000\n", "rtt 00000001\n", ... (13 bytes each) */
};

/** A deliberately corrupt control block, for the host's validation. */
enum sim_rtt_corrupt {
    SIM_RTT_SOUND = 0,
    SIM_RTT_BAD_POINTER, /**< up buffer pointer outside RAM */
    SIM_RTT_BAD_SIZE,    /**< up buffer size running past the end of SRAM */
    SIM_RTT_BAD_COUNT,   /**< MaxNumUpBuffers = 100000 */
    SIM_RTT_BAD_OFFSET   /**< WrOff beyond SizeOfBuffer */
};

struct sim_rtt_config {
    uint64_t rate;          /**< pattern bytes per second of virtual time; 0 = none */
    int blocking;           /**< 1: wait for space; 0: drop what does not fit */
    uint64_t total;         /**< stop after this many stream bytes; 0 = never */
    enum sim_rtt_pattern pattern;
    int echo;               /**< copy down-buffer bytes into the up buffer */
    uint32_t up_size;       /**< up buffer 0 size (default 1024) */
    uint32_t down_size;     /**< down buffer 0 size (default 16) */
    enum sim_rtt_corrupt corrupt;
    int have_address;       /**< write the block at `address`; else find one in SRAM */
    uint32_t address;
};

/**
 * Parse "rate=BYTES_PER_S,mode=blocking|nonblocking[,bytes=N][,pattern=counter|lines]
 * [,echo][,size=N][,down=N][,corrupt=pointer|size|count|offset]" into @p c (defaults
 * first). Numbers take C prefixes and a k/M suffix (x1000, x1000000). Returns 0, or -1
 * with a message naming the item in @p err.
 */
int sim_rtt_parse(struct sim_rtt_config *c, const char *spec, char *err, size_t errlen);

/** Byte @p index of the stream of @p pattern. */
uint8_t sim_rtt_pattern_byte(enum sim_rtt_pattern pattern, uint64_t index);

/** Attach a producer to @p t (t->rtt, and the bus hook). NULL on out of memory. The
 *  target frees it (sim_target_free). */
struct sim_rtt_producer *sim_rtt_producer_attach(struct sim_target *t, const struct sim_rtt_config *c);
void sim_rtt_producer_free(struct sim_rtt_producer *p);

/** Catch up with the target's virtual clock (the bus hook calls this). */
void sim_rtt_producer_run(struct sim_rtt_producer *p);

/** {"address", "produced", "dropped", "echoed", "consumed", "latency_mean_us",
 *  "latency_max_us", "first_write_ns", "last_consume_ns", "boots", "state"} */
json_t *sim_rtt_producer_stats_json(const struct sim_rtt_producer *p);

#endif
