#include "support.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void capture_log_cb(void *user, int32_t level, const char *source, const char *message)
{
    struct capture *cap = user;
    if (cap->log_count >= CAPTURE_MAX)
        return;
    struct capture_log *l = &cap->logs[cap->log_count++];
    l->level = level;
    snprintf(l->source, sizeof l->source, "%s", source ? source : "(null)");
    snprintf(l->message, sizeof l->message, "%s", message ? message : "(null)");
}

static void capture_event_cb(void *user, const struct espctl_event *event)
{
    struct capture *cap = user;
    if (cap->event_count >= CAPTURE_MAX)
        return;
    struct capture_event *e = &cap->events[cap->event_count++];
    e->kind = event->kind;
    snprintf(e->source, sizeof e->source, "%s", event->source ? event->source : "(null)");
    snprintf(e->stage, sizeof e->stage, "%s", event->stage ? event->stage : "(null)");
    snprintf(e->message, sizeof e->message, "%s", event->message ? event->message : "(null)");
}

struct espctl_ctx_options support_options(struct capture *cap, const char *const *paths,
                                          uint32_t flags)
{
    struct espctl_ctx_options o = {
        .hdr = ESPCTL_ABI_HDR(struct espctl_ctx_options),
        .plugin_paths = paths,
        .flags = flags,
        .log_level = ESPCTL_LOG_TRACE,
        .log_cb = cap ? capture_log_cb : NULL,
        .log_user = cap,
        .event_cb = cap ? capture_event_cb : NULL,
        .event_user = cap,
    };
    return o;
}

const char *support_fixture_dir(const char *group)
{
    static char slots[8][1024];
    static int next;
    char *slot = slots[next++ % 8];
    snprintf(slot, sizeof slots[0], "%s/%s", FIXTURE_PLUGIN_DIR, group);
    return slot;
}

espctl_ctx *support_ctx(struct capture *cap, const char *group, ...)
{
    const char *paths[16] = {0};
    int n = 0;
    va_list ap;
    va_start(ap, group);
    for (const char *g = group; g && n < 15; g = va_arg(ap, const char *))
        paths[n++] = support_fixture_dir(g);
    va_end(ap);
    struct espctl_ctx_options o = support_options(cap, paths, SUPPORT_ISOLATED);
    espctl_ctx *ctx = NULL;
    if (espctl_ctx_new(&ctx, &o) != 0) {
        fprintf(stderr, "espctl_ctx_new failed: %s\n", espctl_last_error());
        return NULL;
    }
    return ctx;
}

int support_find_plugin(const espctl_ctx *ctx, const char *file, struct espctl_plugin_info *info)
{
    size_t flen = strlen(file);
    for (uint32_t i = 0; i < espctl_plugin_count(ctx); i++) {
        struct espctl_plugin_info tmp = {.hdr = ESPCTL_ABI_HDR(struct espctl_plugin_info)};
        if (espctl_plugin_get(ctx, i, &tmp) != 0 || !tmp.path)
            continue;
        size_t plen = strlen(tmp.path);
        if (plen > flen && tmp.path[plen - flen - 1] == '/' &&
            strcmp(tmp.path + plen - flen, file) == 0) {
            if (info)
                *info = tmp;
            return (int)i;
        }
    }
    return -1;
}

const struct capture_log *support_find_log(const struct capture *cap, const char *source,
                                           const char *needle)
{
    for (int i = 0; i < cap->log_count; i++) {
        if (source && strcmp(cap->logs[i].source, source) != 0)
            continue;
        if (strstr(cap->logs[i].message, needle))
            return &cap->logs[i];
    }
    return NULL;
}

const char *support_tmpdir(void)
{
    static char slots[4][1024];
    static int next;
    char *slot = slots[next++ % 4];
    snprintf(slot, sizeof slots[0], "%s/XXXXXX", TEST_TMP_DIR);
    if (!mkdtemp(slot)) {
        perror("mkdtemp");
        abort();
    }
    return slot;
}

const char *support_write_file(const char *dir, const char *name, const char *text)
{
    static char slots[4][1024];
    static int next;
    char *slot = slots[next++ % 4];
    snprintf(slot, sizeof slots[0], "%s/%s", dir, name);
    FILE *f = fopen(slot, "w");
    if (!f) {
        perror(slot);
        abort();
    }
    fputs(text, f);
    fclose(f);
    return slot;
}

int support_has_probe(espctl_ctx *ctx, const char *selector)
{
    espctl_probe_list *list = NULL;
    if (espctl_probes_list(ctx, &list) != 0)
        return 0;
    int found = 0;
    for (uint32_t i = 0; i < espctl_probe_list_count(list); i++) {
        const struct espctl_probe_desc *d = espctl_probe_list_get(list, i);
        if (strcmp(d->selector, selector) == 0)
            found = 1;
    }
    espctl_probe_list_free(list);
    return found;
}
