/* Shared helpers for the core tests: capture of log lines and events, contexts
 * over fixture directories, lookup of plugin records by file name. */
#ifndef ESPCTL_TESTS_CORE_SUPPORT_H
#define ESPCTL_TESTS_CORE_SUPPORT_H

#include "espctl/espctl.h"

#define CAPTURE_MAX 128
#define CAPTURE_TEXT 1024

struct capture_log {
    int32_t level;
    char source[64];
    char message[CAPTURE_TEXT];
};

struct capture_event {
    int32_t kind;
    char source[64];
    char stage[64];
    char message[CAPTURE_TEXT];
};

struct capture {
    struct capture_log logs[CAPTURE_MAX];
    int log_count;
    struct capture_event events[CAPTURE_MAX];
    int event_count;
};

/** Options with capture callbacks, log level TRACE, and env/user-config/system dir
 * disabled unless `flags` says otherwise (flags replace the defaults). */
struct espctl_ctx_options support_options(struct capture *cap, const char *const *paths,
                                          uint32_t flags);
#define SUPPORT_ISOLATED \
    (ESPCTL_CTX_NO_ENV_PATH | ESPCTL_CTX_NO_USER_CONFIG | ESPCTL_CTX_NO_SYSTEM_PLUGINS)

/** A context over the fixture group directories (NULL-terminated), isolated. */
espctl_ctx *support_ctx(struct capture *cap, const char *group, ...);

/** "<fixture plugin dir>/<group>" in a static buffer slot (up to 8 live at once). */
const char *support_fixture_dir(const char *group);

/** Index of the plugin whose path ends in "/<file>", or -1. */
int support_find_plugin(const espctl_ctx *ctx, const char *file, struct espctl_plugin_info *info);

/** The first captured log line from `source` containing `needle`, or NULL. */
const struct capture_log *support_find_log(const struct capture *cap, const char *source,
                                           const char *needle);

/** Makes a fresh private directory under the test tmp dir; returns a static copy. */
const char *support_tmpdir(void);
/** Writes `text` to dir/name; returns the path in a static slot. */
const char *support_write_file(const char *dir, const char *name, const char *text);

/** True when the probe list from ctx holds `selector`. */
int support_has_probe(espctl_ctx *ctx, const char *selector);

#endif
