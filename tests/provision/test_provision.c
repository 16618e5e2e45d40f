/* `espctl provision-host`: rules for every declared USB id, --dry-run writes nothing,
 * reruns are idempotent, and the live /etc path needs root. Drives the real binary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "espctl/espctl.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define RULES_REL "/etc/udev/rules.d/70-espctl.rules"

struct run {
    int status;
    char out[65536];
    char err[8192];
};

static void slurp(int fd, char *buf, size_t size)
{
    size_t len = 0;
    ssize_t n;
    while ((n = read(fd, buf + len, size - 1 - len)) > 0 && len + (size_t)n < size - 1)
        len += (size_t)n;
    if (n > 0)
        len += (size_t)n;
    buf[len] = '\0';
}

/* Run espctl with `args` (NULL-terminated); `as_nobody` drops to uid/gid 65534 first. */
static void run_espctl(struct run *r, int as_nobody, const char *const *args)
{
    const char *argv[32];
    int argc = 0;
    if (as_nobody) {
        argv[argc++] = "setpriv";
        argv[argc++] = "--reuid=65534";
        argv[argc++] = "--regid=65534";
        argv[argc++] = "--clear-groups";
    }
    argv[argc++] = ESPCTL_BIN;
    argv[argc++] = "--plugin-path";
    argv[argc++] = PLUGIN_DIR;
    for (; *args; args++)
        argv[argc++] = *args;
    argv[argc] = NULL;
    char err_path[] = "/tmp/espctl-provision-err.XXXXXX";
    int err_fd = mkstemp(err_path);
    assert_true(err_fd >= 0);
    unlink(err_path);
    int out_pipe[2];
    assert_int_equal(pipe(out_pipe), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(out_pipe[1], 1);
        dup2(err_fd, 2);
        close(out_pipe[0]);
        execvp(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(out_pipe[1]);
    slurp(out_pipe[0], r->out, sizeof r->out);
    close(out_pipe[0]);
    assert_int_equal(waitpid(pid, &r->status, 0), pid);
    lseek(err_fd, 0, SEEK_SET);
    slurp(err_fd, r->err, sizeof r->err);
    close(err_fd);
}

static int exit_code(const struct run *r)
{
    return WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = calloc(1, 65536);
    size_t n = fread(buf, 1, 65535, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void rm_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char child[4096];
            snprintf(child, sizeof child, "%s/%s", path, e->d_name);
            rm_tree(child);
        }
        closedir(d);
        rmdir(path);
    } else {
        unlink(path);
    }
}

struct fixture {
    char root[64];
    char rules[256];
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    snprintf(fx->root, sizeof fx->root, "/tmp/espctl-provision.XXXXXX");
    if (!mkdtemp(fx->root))
        return -1;
    snprintf(fx->rules, sizeof fx->rules, "%s%s", fx->root, RULES_REL);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    rm_tree(fx->root);
    free(fx);
    return 0;
}

static size_t count_rule_lines(const char *text)
{
    size_t n = 0;
    for (const char *line = text; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : "")
        if (*line != '#' && *line != '\n')
            n++;
    return n;
}

static void test_rules_cover_declared_ids(void **state)
{
    struct fixture *fx = *state;
    const char *args[] = {"provision-host", "--root", fx->root, NULL};
    struct run *r = calloc(1, sizeof *r);
    run_espctl(r, 0, args);
    assert_int_equal(exit_code(r), 0);
    char *text = read_file(fx->rules);
    assert_non_null(text);

    const char *paths[] = {PLUGIN_DIR, NULL};
    struct espctl_ctx_options opts = {.hdr = ESPCTL_ABI_HDR(struct espctl_ctx_options),
                                      .plugin_paths = paths};
    espctl_ctx *ctx = NULL;
    assert_int_equal(espctl_ctx_new(&ctx, &opts), 0);
    uint32_t count = espctl_usb_id_count(ctx);
    assert_true(count >= 8); /* the stlink plugin alone declares eight */
    size_t distinct = 0;
    int saw_stlink_v21 = 0;
    for (uint32_t i = 0; i < count; i++) {
        struct espctl_usb_id_info info = {.hdr = ESPCTL_ABI_HDR(struct espctl_usb_id_info)};
        assert_int_equal(espctl_usb_id_get(ctx, i, &info), 0);
        char needle[256];
        int serial = (info.flags & ESPCTL_USB_ID_INFO_SERIAL) != 0;
        if (serial)
            snprintf(needle, sizeof needle,
                     "SUBSYSTEM==\"tty\", ATTRS{idVendor}==\"%04x\", ATTRS{idProduct}==\"%04x\", "
                     "MODE=\"0660\", GROUP=\"dialout\", TAG+=\"uaccess\"\n", info.vid, info.pid);
        else
            snprintf(needle, sizeof needle,
                     "ATTR{idVendor}==\"%04x\", ATTR{idProduct}==\"%04x\", MODE=\"0660\", "
                     "GROUP=\"plugdev\", TAG+=\"uaccess\"\n", info.vid, info.pid);
        if (!strstr(text, needle))
            fail_msg("rule for %04x:%04x (%s) missing from:\n%s", info.vid, info.pid, info.driver, text);
        saw_stlink_v21 |= info.vid == 0x0483 && info.pid == 0x374b && !strcmp(info.driver, "stlink");
        int dup = 0;
        for (uint32_t k = 0; k < i; k++) {
            struct espctl_usb_id_info prev = {.hdr = ESPCTL_ABI_HDR(struct espctl_usb_id_info)};
            espctl_usb_id_get(ctx, k, &prev);
            dup |= prev.vid == info.vid && prev.pid == info.pid &&
                   (prev.flags & ESPCTL_USB_ID_INFO_SERIAL) == (info.flags & ESPCTL_USB_ID_INFO_SERIAL);
        }
        distinct += !dup;
    }
    assert_true(saw_stlink_v21);
    assert_int_equal(count_rule_lines(text), distinct);
    struct stat st;
    assert_int_equal(stat(fx->rules, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    espctl_ctx_free(ctx);
    free(text);
    free(r);
}

static void test_dry_run_writes_nothing(void **state)
{
    struct fixture *fx = *state;
    const char *args[] = {"provision-host", "--dry-run", "--root", fx->root, NULL};
    struct run *r = calloc(1, sizeof *r);
    run_espctl(r, 0, args);
    assert_int_equal(exit_code(r), 0);
    assert_non_null(strstr(r->out, fx->rules));
    assert_non_null(strstr(r->out, "ATTR{idVendor}==\"0483\", ATTR{idProduct}==\"3748\""));
    char etc[128];
    snprintf(etc, sizeof etc, "%s/etc", fx->root);
    struct stat st;
    assert_int_equal(stat(etc, &st), -1);
    free(r);
}

static void test_second_run_is_idempotent(void **state)
{
    struct fixture *fx = *state;
    const char *args[] = {"provision-host", "--root", fx->root, NULL};
    const char *json_args[] = {"provision-host", "--root", fx->root, "--json", NULL};
    struct run *r = calloc(1, sizeof *r);
    run_espctl(r, 0, args);
    assert_int_equal(exit_code(r), 0);
    struct stat first, second;
    assert_int_equal(stat(fx->rules, &first), 0);
    char *before = read_file(fx->rules);

    run_espctl(r, 0, args);
    assert_int_equal(exit_code(r), 0);
    assert_non_null(strstr(r->out, "up to date"));
    assert_int_equal(stat(fx->rules, &second), 0);
    assert_int_equal(first.st_ino, second.st_ino); /* not replaced */
    char *after = read_file(fx->rules);
    assert_string_equal(before, after);

    run_espctl(r, 0, json_args);
    assert_int_equal(exit_code(r), 0);
    assert_non_null(strstr(r->out, "\"changed\":false"));
    assert_non_null(strstr(r->out, "\"type\":\"udev-rule\""));

    /* a stale file is replaced by the generated one */
    FILE *f = fopen(fx->rules, "a");
    assert_non_null(f);
    fputs("SUBSYSTEM==\"usb\", ATTR{idVendor}==\"dead\", MODE=\"0666\"\n", f);
    fclose(f);
    run_espctl(r, 0, json_args);
    assert_int_equal(exit_code(r), 0);
    assert_non_null(strstr(r->out, "\"changed\":true"));
    char *restored = read_file(fx->rules);
    assert_string_equal(before, restored);
    /* no temp files left behind */
    char dir[256];
    snprintf(dir, sizeof dir, "%s/etc/udev/rules.d", fx->root);
    DIR *d = opendir(dir);
    assert_non_null(d);
    int entries = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        entries += e->d_name[0] != '.' || strncmp(e->d_name, ".70-espctl", 10) == 0;
    closedir(d);
    assert_int_equal(entries, 1);
    free(before);
    free(after);
    free(restored);
    free(r);
}

static void test_live_path_needs_root(void **state)
{
    (void)state;
    int as_nobody = geteuid() == 0;
    if (as_nobody && access("/usr/bin/setpriv", X_OK) != 0)
        skip();
    const char *args[] = {"provision-host", NULL};
    struct run *r = calloc(1, sizeof *r);
    run_espctl(r, as_nobody, args);
    assert_int_equal(exit_code(r), 1);
    assert_non_null(strstr(r->err, "needs root"));
    free(r);
}

static void test_usage_errors(void **state)
{
    (void)state;
    struct run *r = calloc(1, sizeof *r);
    const char *empty_root[] = {"provision-host", "--root", "", NULL};
    run_espctl(r, 0, empty_root);
    assert_int_equal(exit_code(r), 2);
    const char *extra[] = {"provision-host", "--dry-run", "now", NULL};
    run_espctl(r, 0, extra);
    assert_int_equal(exit_code(r), 2);
    const char *help[] = {"provision-host", "--help", NULL};
    run_espctl(r, 0, help);
    assert_int_equal(exit_code(r), 0);
    assert_non_null(strstr(r->out, "udevadm control --reload-rules"));
    free(r);
}

int main(void)
{
    /* The same plugin set for the binary and for this process, no user config. */
    setenv("XDG_CONFIG_HOME", "/nonexistent/espctl-provision-test", 1);
    unsetenv("ESPCTL_PLUGIN_PATH");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rules_cover_declared_ids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dry_run_writes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_run_is_idempotent, setup, teardown),
        cmocka_unit_test(test_live_path_needs_root),
        cmocka_unit_test(test_usage_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
