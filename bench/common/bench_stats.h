/* bench/common: the statistics JSON file `espctl-sim --stats FILE` writes when it exits. */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <jansson.h>

/**
 * Load the stats file @p path. On failure prints "@p who: PATH: REASON (line N)".
 * @return a new reference the caller json_decref()s, or NULL.
 */
json_t *bench_stats_load(const char *path, const char *who);

#endif
