#include "bench_stats.h"

#include <stdio.h>

json_t *bench_stats_load(const char *path, const char *who)
{
    json_error_t jerr;
    json_t *j = json_load_file(path, 0, &jerr);
    if (!j)
        fprintf(stderr, "%s: %s: %s (line %d)\n", who, path, jerr.text, jerr.line);
    return j;
}
