/* Helpers for the defmt tests (see support.h). */
#include "support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

void capture_frame(void *user, const struct espctl_defmt_frame *fr)
{
    struct capture *c = user;
    assert_true(c->count < sizeof c->frames / sizeof c->frames[0]);
    assert_non_null(fr->text);
    assert_non_null(fr->timestamp);
    assert_true(fr->hdr.struct_size >= sizeof *fr);
    struct captured *x = &c->frames[c->count++];
    memset(x, 0, sizeof *x);
    x->status = fr->status;
    x->level = fr->level;
    x->index = fr->index;
    x->flags = fr->flags;
    snprintf(x->timestamp, sizeof x->timestamp, "%s", fr->timestamp);
    snprintf(x->text, sizeof x->text, "%s", fr->text);
    if (fr->raw_size) {
        assert_non_null(fr->raw);
        memcpy(x->raw, fr->raw, fr->raw_size < sizeof x->raw ? fr->raw_size : sizeof x->raw);
    }
    x->raw_size = fr->raw_size;
}

espctl_defmt *open_decoder(const struct test_elf *e)
{
    size_t size;
    uint8_t *elf = test_elf_build(e, &size, NULL);
    espctl_defmt *d = NULL;
    int rc = espctl_defmt_open_bytes(&d, elf, size, "test.elf");
    free(elf);
    if (rc)
        fail_msg("espctl_defmt_open_bytes: %s", espctl_last_error());
    return d;
}

const struct captured *decode_frame(espctl_defmt *d, const struct wire *w, struct capture *c)
{
    struct wire framed;
    wire_reset(&framed);
    wire_rzcobs(&framed, w->buf, w->len);
    size_t before = c->count;
    assert_int_equal(espctl_defmt_feed(d, framed.buf, framed.len, capture_frame, c), 0);
    assert_int_equal(c->count, before + 1);
    assert_int_equal(espctl_defmt_pending(d), 0);
    return &c->frames[before];
}
