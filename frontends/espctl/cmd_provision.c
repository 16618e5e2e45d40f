/*
 * cmd_provision.c — `espctl provision-host`: udev rules giving the logged-in user
 * (uaccess) and the plugdev/dialout groups access to every USB id the loaded
 * probe drivers declare.
 */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RULES_DIR "/etc/udev/rules.d"
#define RULES_NAME "70-espctl.rules"

static const char provision_help[] =
    "usage: espctl provision-host [--dry-run] [--root DIR] [--json]\n"
    "\n"
    "Write " RULES_DIR "/" RULES_NAME " with one udev rule per USB id the loaded\n"
    "plugins declare: debug probes get MODE=\"0660\", GROUP=\"plugdev\" and\n"
    "TAG+=\"uaccess\"; USB-serial bridges get their tty with GROUP=\"dialout\".\n"
    "The file is written to a temporary name and renamed; when it already holds\n"
    "exactly these rules nothing is written. Writing under /etc needs root (exit 1\n"
    "otherwise). espctl never runs udevadm itself: after a change on the live\n"
    "system it prints the command that reloads the rules\n"
    "('udevadm control --reload-rules && udevadm trigger'); replugging the probe\n"
    "works too.\n"
    "\n"
    "options:\n"
    "      --dry-run    print the file path and the rules, write nothing\n"
    "      --root DIR   install below DIR instead of / (packaging, tests); no root needed\n"
    "      --json       one {\"type\":\"udev-rule\",...} line per rule, then the result\n"
    "  -h, --help       show this help\n";

/* One distinct id with the drivers that declare it. */
struct rule {
    uint16_t vid;
    uint16_t pid;
    int serial;
    char drivers[256];
};

struct rule_set {
    struct rule *rules;
    size_t count;
};

static int rule_cmp(const void *a, const void *b)
{
    const struct rule *x = a, *y = b;
    if (x->vid != y->vid)
        return x->vid < y->vid ? -1 : 1;
    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    return x->serial - y->serial;
}

static void add_driver(struct rule *r, const char *driver)
{
    const char *name = driver ? driver : "?";
    size_t len = strlen(r->drivers);
    for (const char *p = r->drivers; (p = strstr(p, name)) != NULL; p++) {
        size_t n = strlen(name);
        if ((p == r->drivers || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
            return;
    }
    snprintf(r->drivers + len, sizeof r->drivers - len, "%s%s", len ? ", " : "", name);
}

/* Distinct (vid, pid, kind) triples, sorted, so the file does not depend on load order. */
static int collect_rules(espctl_ctx *ctx, struct rule_set *set)
{
    uint32_t count = espctl_usb_id_count(ctx);
    set->rules = calloc(count ? count : 1, sizeof *set->rules);
    set->count = 0;
    if (!set->rules)
        return ESPCTL_E_NOMEM;
    for (uint32_t i = 0; i < count; i++) {
        struct espctl_usb_id_info info = {.hdr = ESPCTL_ABI_HDR(struct espctl_usb_id_info)};
        int err = espctl_usb_id_get(ctx, i, &info);
        if (err != ESPCTL_OK)
            return err;
        int serial = (info.flags & ESPCTL_USB_ID_INFO_SERIAL) != 0;
        struct rule *r = NULL;
        for (size_t k = 0; k < set->count && !r; k++)
            if (set->rules[k].vid == info.vid && set->rules[k].pid == info.pid &&
                set->rules[k].serial == serial)
                r = &set->rules[k];
        if (!r) {
            r = &set->rules[set->count++];
            r->vid = info.vid;
            r->pid = info.pid;
            r->serial = serial;
        }
        add_driver(r, info.driver);
    }
    qsort(set->rules, set->count, sizeof *set->rules, rule_cmp);
    return ESPCTL_OK;
}

static void format_rule(const struct rule *r, char *out, size_t size)
{
    if (r->serial)
        snprintf(out, size,
                 "SUBSYSTEM==\"tty\", ATTRS{idVendor}==\"%04x\", ATTRS{idProduct}==\"%04x\", "
                 "MODE=\"0660\", GROUP=\"dialout\", TAG+=\"uaccess\"",
                 (unsigned)r->vid, (unsigned)r->pid);
    else
        snprintf(out, size,
                 "SUBSYSTEM==\"usb\", ENV{DEVTYPE}==\"usb_device\", ATTR{idVendor}==\"%04x\", "
                 "ATTR{idProduct}==\"%04x\", MODE=\"0660\", GROUP=\"plugdev\", TAG+=\"uaccess\"",
                 (unsigned)r->vid, (unsigned)r->pid);
}

/* The whole file; caller frees. */
static char *render_file(const struct rule_set *set)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    if (!f)
        return NULL;
    fputs("# Written by espctl provision-host: access to the USB debug probes and serial\n"
          "# bridges that the loaded espctl plugins declare. Rerun it after adding plugins.\n",
          f);
    for (size_t i = 0; i < set->count; i++) {
        char rule[320];
        format_rule(&set->rules[i], rule, sizeof rule);
        fprintf(f, "\n# %04x:%04x %s (%s)\n%s\n", (unsigned)set->rules[i].vid,
                (unsigned)set->rules[i].pid, set->rules[i].serial ? "serial bridge" : "debug probe",
                set->rules[i].drivers, rule);
    }
    if (fclose(f) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* 1 when `path` holds exactly `text`. */
static int file_matches(const char *path, const char *text)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t want = strlen(text), got = 0;
    char buf[4096];
    int same = 1;
    size_t n;
    while (same && (n = fread(buf, 1, sizeof buf, f)) > 0) {
        same = got + n <= want && memcmp(buf, text + got, n) == 0;
        got += n;
    }
    fclose(f);
    return same && got == want;
}

static int mkdir_parents(struct cli *cli, const char *dir)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return cli_failf(cli, ESPCTL_E_INVAL, "%s: path too long", dir);
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0')
            continue;
        char saved = *p;
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return cli_failf(cli, errno == EACCES ? ESPCTL_E_ACCESS : ESPCTL_E_IO,
                             "cannot create %s: %s", path, strerror(errno));
        *p = saved;
        if (saved == '\0')
            return CLI_EXIT_OK;
    }
}

/* Temp file in the same directory, then rename over `path`. */
static int write_atomically(struct cli *cli, const char *dir, const char *path, const char *text)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s/.%s.XXXXXX", dir, RULES_NAME);
    int fd = mkstemp(tmp);
    if (fd < 0)
        return cli_failf(cli, errno == EACCES ? ESPCTL_E_ACCESS : ESPCTL_E_IO,
                         "cannot create a file in %s: %s", dir, strerror(errno));
    size_t len = strlen(text), off = 0;
    int ok = fchmod(fd, 0644) == 0;
    while (ok && off < len) {
        ssize_t n = write(fd, text + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        off += ok ? (size_t)n : 0;
    }
    ok = ok && fsync(fd) == 0;
    int saved = errno;
    ok = close(fd) == 0 && ok;
    if (ok && rename(tmp, path) == 0)
        return CLI_EXIT_OK;
    saved = ok ? errno : saved;
    unlink(tmp);
    return cli_failf(cli, ESPCTL_E_IO, "cannot write %s: %s", path, strerror(saved));
}

static void report_rules(struct cli *cli, const struct rule_set *set)
{
    json_t *list = json_array();
    for (size_t i = 0; i < set->count; i++) {
        char rule[320], id[16];
        format_rule(&set->rules[i], rule, sizeof rule);
        snprintf(id, sizeof id, "%04x:%04x", (unsigned)set->rules[i].vid, (unsigned)set->rules[i].pid);
        json_t *obj = json_pack("{s:s, s:s, s:i, s:i, s:s, s:s, s:s}", "type", "udev-rule", "vid_pid",
                                id, "vid", (int)set->rules[i].vid, "pid", (int)set->rules[i].pid,
                                "kind", set->rules[i].serial ? "serial" : "probe", "drivers",
                                set->rules[i].drivers, "rule", rule);
        if (cli->json && obj)
            cli_json_line(cli, json_incref(obj));
        json_array_append_new(list, obj ? obj : json_null());
    }
    cli_result_set(cli, "rules", list);
}

static int provision(struct cli *cli, const char *root, int dry_run)
{
    char dir[4096], path[4200];
    if (snprintf(dir, sizeof dir, "%s%s", root ? root : "", RULES_DIR) >= (int)sizeof dir)
        return cli_usage_error(cli, provision_help, "--root path too long");
    snprintf(path, sizeof path, "%s/%s", dir, RULES_NAME);

    espctl_ctx *ctx;
    int rc = cli_context(cli, &ctx);
    if (rc != CLI_EXIT_OK)
        return rc;
    struct rule_set set = {0};
    int err = collect_rules(ctx, &set);
    if (err != ESPCTL_OK) {
        free(set.rules);
        return cli_fail(cli, err);
    }
    if (set.count == 0) {
        free(set.rules);
        return cli_failf(cli, ESPCTL_E_NOT_FOUND,
                         "no loaded plugin declares a USB id; nothing to provision");
    }
    char *text = render_file(&set);
    if (!text) {
        free(set.rules);
        return cli_failf(cli, ESPCTL_E_NOMEM, "out of memory");
    }
    report_rules(cli, &set);
    free(set.rules);
    int unchanged = file_matches(path, text);
    cli_result_set(cli, "path", json_string(path));
    cli_result_set(cli, "dry_run", json_boolean(dry_run));
    cli_result_set(cli, "changed", json_boolean(!unchanged));

    if (dry_run) {
        cli_say(cli, "would write %s%s:\n", path, unchanged ? " (already up to date)" : "");
        cli_say(cli, "%s", text);
        free(text);
        return CLI_EXIT_OK;
    }
    if (!root && geteuid() != 0 && !unchanged) {
        free(text);
        return cli_failf(cli, ESPCTL_E_ACCESS,
                         "writing %s needs root: run 'sudo espctl provision-host', or use "
                         "--dry-run to see the rules or --root DIR to write them elsewhere",
                         path);
    }
    if (unchanged) {
        cli_say(cli, "%s is up to date", path);
        free(text);
        return CLI_EXIT_OK;
    }
    rc = mkdir_parents(cli, dir);
    if (rc == CLI_EXIT_OK)
        rc = write_atomically(cli, dir, path, text);
    free(text);
    if (rc != CLI_EXIT_OK)
        return rc;
    cli_say(cli, "wrote %s", path);
    if (!root)
        cli_hint(cli, "reload the rules with: sudo udevadm control --reload-rules && sudo udevadm trigger");
    return CLI_EXIT_OK;
}

int cmd_provision(struct cli *cli, int argc, char **argv)
{
    enum { OPT_DRY_RUN = 0x2000, OPT_ROOT };
    static const struct option longopts[] = {CLI_COMMON_LONGOPTS,
                                             {"dry-run", no_argument, NULL, OPT_DRY_RUN},
                                             {"root", required_argument, NULL, OPT_ROOT},
                                             {NULL, 0, NULL, 0}};
    int dry_run = 0;
    const char *root = NULL;
    int opt;

    cli_getopt_reset();
    while ((opt = cli_getopt(cli, argc, argv, "h", longopts, provision_help)) != -1) {
        if (opt == CLI_OPT_HELP)
            return CLI_EXIT_OK;
        if (opt == CLI_OPT_ERROR)
            return CLI_EXIT_USAGE;
        if (opt == OPT_DRY_RUN)
            dry_run = 1;
        else if (opt == OPT_ROOT)
            root = optarg;
    }
    if (optind < argc)
        return cli_usage_error(cli, provision_help, "unexpected argument '%s'", argv[optind]);
    if (root && root[0] == '\0')
        return cli_usage_error(cli, provision_help, "--root needs a directory");
    return provision(cli, root, dry_run);
}
