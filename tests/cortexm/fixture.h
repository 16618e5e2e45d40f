/* Shared setup for cortexm unit tests: a fake G4 behind a fake probe, a fake host
 * with the real cortexm plugin loaded through its entry point. */
#ifndef TEST_CORTEXM_FIXTURE_H
#define TEST_CORTEXM_FIXTURE_H

#include "fake_host.h"
#include "fake_target.h"

#include <stdlib.h>

struct fx {
    struct fake_target *t;
    struct fake_host *h;
    void *session;
};

static inline int fx_setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    f->t = malloc(sizeof *f->t);
    f->h = malloc(sizeof *f->h);
    if (!f->t || !f->h)
        return -1;
    fake_target_init(f->t);
    fake_host_init(f->h);
    f->h->drivers[0] = fake_driver(f->t);
    f->h->driver_count = 1;
    *state = f;
    return 0;
}

static inline int fx_teardown(void **state)
{
    struct fx *f = *state;
    if (f->session)
        f->h->target->close(f->session);
    fake_host_fini(f->h);
    free(f->t);
    free(f->h);
    free(f);
    return 0;
}

/** Open a cortexm session on the fake probe; returns the target's result code. */
static inline int fx_open(struct fx *f, const char *chip, uint32_t flags)
{
    struct espctl_target_params p = {.hdr = ESPCTL_ABI_HDR(struct espctl_target_params),
                                     .chip = chip, .probe = "fake:0", .flags = flags};
    return f->h->target->open(f->h->target->target_data, &p, &f->session);
}

static inline void fx_close(struct fx *f)
{
    f->h->target->close(f->session);
    f->session = NULL;
}

#endif
