/*
 * cli.h — state and helpers shared by every espctl subcommand.
 *
 * A subcommand is one `cmd_<name>.c` file exporting
 *     int cmd_<name>(struct cli *cli, int argc, char **argv);
 * plus one line in the table in commands.c. argv[0] is the command name; the
 * function parses its own options with cli_getopt(), talks to libespctl through
 * cli_context(), prints with the output helpers below and returns an exit code
 * (CLI_EXIT_*). main() prints the final JSON result object; commands never do.
 */
#ifndef ESPCTL_CLI_H
#define ESPCTL_CLI_H

#include "espctl/espctl.h"

#include <getopt.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#if defined(__GNUC__)
#define CLI_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CLI_PRINTF(f, a)
#endif

/** Process exit codes (docs/cli.md, "Exit codes"). */
enum cli_exit {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAILURE = 1, /**< runtime failure */
    CLI_EXIT_USAGE = 2    /**< usage error, bad configuration or invalid target */
};

struct cli;

/** One subcommand: a line of the table in commands.c. */
struct cli_command {
    const char *name;
    /** One line for `espctl help`. */
    const char *summary;
    int (*run)(struct cli *cli, int argc, char **argv);
};

/** The table, in the order `espctl help` lists it. */
extern const struct cli_command cli_commands[];
extern const size_t cli_command_count;
/** The command called `name`, or NULL. */
const struct cli_command *cli_find_command(const char *name);

/** Progress rendering state of the event callback (progress.c). */
struct cli_progress {
    int tty;              /**< stderr is a terminal: redraw one line in place */
    int line_open;        /**< a bar is drawn and the cursor is still on its line */
    char stage[64];       /**< stage being rendered */
    uint64_t begin_ns;    /**< monotonic time the stage began */
    uint64_t last_draw_ns;
    uint64_t done;        /**< bytes done so far in the stage */
    uint64_t total;       /**< bytes expected (0 = unknown) */
    unsigned last_quarter; /**< non-TTY: last 25 % step printed */
};

/** Everything a command may read or update. */
struct cli {
    FILE *out; /**< command output (stdout) */
    FILE *err; /**< diagnostics, logs, progress (stderr) */
    /** Verbosity: 0 default (warnings), +1 per -v, -1 with -q. */
    int verbosity;
    /** Non-zero with --json: stdout carries only JSON lines. */
    int json;
    /** --plugin-path values, NULL-terminated (NULL when none). */
    const char **plugin_paths;
    size_t plugin_path_count;
    /** --config value, or NULL. */
    const char *config_path;
    /** The running command (NULL while global options are parsed). */
    const struct cli_command *command;

    espctl_ctx *ctx; /**< created by cli_context() */
    struct cli_progress progress;

    /** Command-specific members of the final result object (owned). */
    json_t *result;
    /** First failure reported through cli_fail*() / cli_usage_error(). */
    int error_code;
    char *error_message;
};

/* ---- lifecycle (cli.c) ------------------------------------------------------ */

void cli_init(struct cli *cli, FILE *out, FILE *err);
/** Print the JSON result object when --json, release everything; returns exit_code. */
int cli_finish(struct cli *cli, int exit_code);

/* ---- help (cmd_help.c) ----------------------------------------------------- */

/** Synopsis and global options of espctl. */
extern const char cli_global_help[];
/** `espctl --help` / `espctl help`: the global help and the command list. */
int cli_print_global_help(struct cli *cli);

/* ---- context (context.c) --------------------------------------------------- */

/**
 * The library context, created on first use from the global options: logs go to
 * stderr filtered by -v/-q, events to the progress renderer or JSON event lines,
 * and SIGINT cancels running operations. On failure the error is reported and
 * the exit code returned (2 for a malformed config); *ctx is set only on success.
 */
int cli_context(struct cli *cli, espctl_ctx **ctx);
/** Detach the SIGINT handler from `ctx` and free it (cli_finish() does this). */
void cli_context_release(espctl_ctx *ctx);
/** Lowest log level shown for the current verbosity. */
int32_t cli_log_level(const struct cli *cli);

/* ---- options (options.c) ---------------------------------------------------- */

/** Values cli_getopt() returns besides option characters and -1. */
#define CLI_OPT_HELP (-2)  /**< help was printed: return CLI_EXIT_OK */
#define CLI_OPT_ERROR (-3) /**< a usage error was reported: return CLI_EXIT_USAGE */
/** `val` of the long options every command accepts. Long-only options of a
 * command use values from CLI_OPT_COMMAND_FIRST up. */
#define CLI_OPT_JSON 0x1000
#define CLI_OPT_COMMAND_FIRST 0x1100
/** Put first in every command's longopts array. */
#define CLI_COMMON_LONGOPTS \
    {"help", no_argument, NULL, 'h'}, {"json", no_argument, NULL, CLI_OPT_JSON}

/**
 * getopt_long() for a command: handles -h/--help (prints `help`) and --json itself,
 * reports unknown options and missing arguments as usage errors. `shortopts` must
 * contain "h". Returns the next command-specific option, -1 at the end (operands
 * start at optind), CLI_OPT_HELP or CLI_OPT_ERROR. Call cli_getopt_reset() first.
 */
int cli_getopt(struct cli *cli, int argc, char **argv, const char *shortopts,
               const struct option *longopts, const char *help);
void cli_getopt_reset(void);

/* ---- output (output.c) ------------------------------------------------------ */

/** Print one JSON object as a line on stdout and flush; takes the reference. */
void cli_json_line(struct cli *cli, json_t *object);
/** A JSON string for `text` (null for NULL); bytes that are not UTF-8 become '?'. */
json_t *cli_json_text(const char *text);
/** Add a command-specific member to the final result object (takes the reference). */
void cli_result_set(struct cli *cli, const char *key, json_t *value);

/** Exit code for an espctl_error: 2 for INVAL, CONFIG, ABI, FORMAT, NOT_FOUND; else 1. */
int cli_exit_code(int error);
/**
 * Report a failed library call: "espctl: <strerror>: <espctl_last_error()>" on
 * stderr, or the error member of the JSON result. Returns cli_exit_code(error).
 */
int cli_fail(struct cli *cli, int error);
/** Same with an explicit detail message. */
int cli_failf(struct cli *cli, int error, const char *fmt, ...) CLI_PRINTF(3, 4);
/**
 * A usage error: "espctl: <message>", the synopsis of `help` (its text up to the
 * first blank line) and a pointer to `espctl help` on stderr. Returns CLI_EXIT_USAGE.
 */
int cli_usage_error(struct cli *cli, const char *help, const char *fmt, ...) CLI_PRINTF(3, 4);
/** Print a help text: plain on stdout, or {"type":"help",...} with --json. */
void cli_print_help(struct cli *cli, const char *help);
/** A human-only line on stdout (suppressed with --json). */
void cli_say(struct cli *cli, const char *fmt, ...) CLI_PRINTF(2, 3);
/** A hint on stdout for humans (suppressed with --json and -q). */
void cli_hint(struct cli *cli, const char *fmt, ...) CLI_PRINTF(2, 3);

/* ---- tables (table.c) ------------------------------------------------------- */

/** A text table with left-aligned columns sized to their widest cell. */
struct cli_table;
struct cli_table *cli_table_new(size_t columns, const char *const *headers);
/** Append a row of `columns` cells (NULL cells print as "-"); copies the strings. */
int cli_table_add(struct cli_table *table, const char *const *cells);
size_t cli_table_rows(const struct cli_table *table);
void cli_table_print(const struct cli_table *table, FILE *out);
void cli_table_free(struct cli_table *table);

/* ---- events and progress (progress.c) --------------------------------------- */

/** The espctl_event_fn installed by cli_context(); `user` is the struct cli. */
void cli_on_event(void *user, const struct espctl_event *event);
/** The event as a {"type":"event",...} object (new reference). */
json_t *cli_event_json(const struct espctl_event *event);
/** Finish a progress line left open on a terminal before other stderr output. */
void cli_progress_break(struct cli *cli);

#endif /* ESPCTL_CLI_H */
