/* Helpers shared by the bundle tests. */
#include "support.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void die(const char *what)
{
    fprintf(stderr, "test support: %s: %s\n", what, strerror(errno));
    abort();
}

void require_test_elfs(void)
{
    if (access(elf_path("plain.elf"), R_OK) != 0) {
        fprintf(stderr, "SKIPPED: arm-none-eabi-gcc/objcopy not found at configure time, so the test "
                        "ELFs (%s) were not built\n", elf_path("plain.elf"));
        exit(77);
    }
}

const char *elf_path(const char *name)
{
    static char bufs[8][1024];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, 1024, "%s/%s", TEST_ELF_DIR, name);
    return b;
}

static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char sub[2048];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            struct stat st;
            if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
                remove_tree(sub);
            else
                unlink(sub);
        }
        closedir(d);
        rmdir(path);
    }
}

const char *fresh_dir(const char *name)
{
    static char bufs[8][1024];
    static int next;
    char *b = bufs[next++ % 8];
    snprintf(b, 1024, "%s/%s", TEST_TMP_DIR, name);
    remove_tree(b);
    if (mkdir(b, 0755) != 0)
        die(b);
    return b;
}

uint8_t *read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die(path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
        die(path);
    buf[n] = 0;
    fclose(f);
    *size = (size_t)n;
    return buf;
}

void write_all_file(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        die(path);
}

int dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

void save_manifest(const char *label, const void *data, size_t size)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.json", TEST_MANIFEST_DIR, label);
    write_all_file(path, data, size);
}

void tgz_build(const struct tar_item *items, size_t n, uint8_t **out, size_t *out_size)
{
    size_t cap = 1 << 20;
    for (size_t i = 0; i < n; i++)
        cap += items[i].size / 2 + 1024;
    uint8_t *buf = malloc(cap);
    size_t used = 0;
    struct archive *a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_add_filter_gzip(a);
    if (!buf || archive_write_open_memory(a, buf, cap, &used) != ARCHIVE_OK)
        die("archive_write_open_memory");
    struct archive_entry *e = archive_entry_new();
    for (size_t i = 0; i < n; i++) {
        archive_entry_clear(e);
        archive_entry_set_pathname(e, items[i].name);
        archive_entry_set_perm(e, 0644);
        switch (items[i].type) {
        case 'l':
            archive_entry_set_filetype(e, AE_IFLNK);
            archive_entry_set_symlink(e, items[i].link);
            break;
        case 'h':
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_hardlink(e, items[i].link);
            break;
        case 'c':
            archive_entry_set_filetype(e, AE_IFCHR);
            archive_entry_set_rdev(e, 0x0101);
            break;
        case 'd':
            archive_entry_set_filetype(e, AE_IFDIR);
            break;
        default:
            archive_entry_set_filetype(e, AE_IFREG);
            archive_entry_set_size(e, (la_int64_t)items[i].size);
        }
        if (archive_write_header(a, e) != ARCHIVE_OK)
            die(archive_error_string(a));
        if (items[i].type == 0 && items[i].size) {
            static const uint8_t zeros[65536];
            size_t left = items[i].size;
            const uint8_t *p = items[i].data;
            while (left) {
                size_t k = left > sizeof zeros ? sizeof zeros : left;
                if (archive_write_data(a, p ? p : zeros, k) != (la_ssize_t)k)
                    die(archive_error_string(a));
                if (p)
                    p += k;
                left -= k;
            }
        }
    }
    archive_entry_free(e);
    if (archive_write_close(a) != ARCHIVE_OK)
        die(archive_error_string(a));
    archive_write_free(a);
    *out = buf;
    *out_size = used;
}

size_t tgz_unpack(const uint8_t *data, size_t size, struct tar_item **items)
{
    struct archive *a = archive_read_new();
    archive_read_support_filter_gzip(a);
    archive_read_support_format_tar(a);
    if (archive_read_open_memory(a, data, size) != ARCHIVE_OK)
        die("archive_read_open_memory");
    struct tar_item *list = NULL;
    size_t n = 0;
    struct archive_entry *e;
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
        list = realloc(list, (n + 1) * sizeof *list);
        struct tar_item *it = &list[n++];
        memset(it, 0, sizeof *it);
        it->name = strdup(archive_entry_pathname(e));
        it->size = (size_t)archive_entry_size(e);
        uint8_t *d = malloc(it->size + 1);
        if (archive_read_data(a, d, it->size) != (la_ssize_t)it->size)
            die("archive_read_data");
        it->data = d;
    }
    archive_read_free(a);
    *items = list;
    return n;
}

void tgz_items_free(struct tar_item *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free((void *)items[i].name);
        free((void *)items[i].data);
    }
    free(items);
}

int run_capture(char *const argv[], const char *out_path, const char *err_path, int timeout_s)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out_path ? out_path : "/dev/null",
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, err_path ? err_path : "/dev/null",
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid;
    if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) != 0)
        die(argv[0]);
    posix_spawn_file_actions_destroy(&fa);
    int status = 0;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            break;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - start.tv_sec > timeout_s) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            fprintf(stderr, "%s: killed after %d s\n", argv[0], timeout_s);
            return 128 + SIGKILL;
        }
        struct timespec nap = {0, 10 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int file_contains(const char *path, const char *needle)
{
    size_t n;
    uint8_t *d = read_all(path, &n);
    int found = strstr((const char *)d, needle) != NULL;
    free(d);
    return found;
}

#include "espctl/bundle.h"

int make_bundle(const char *elf, const char *out_path, const char *key_path)
{
    struct espctl_bundle_create_options o = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_create_options)};
    o.elf_path = strchr(elf, '/') ? elf : elf_path(elf);
    o.chip = "STM32G431RB";
    o.out_path = out_path;
    o.sign_key_path = key_path;
    return espctl_bundle_create(NULL, &o, NULL);
}

const char *make_key(const char *dir)
{
    static char path[8][1024];
    static int next;
    char *p = path[next++ % 8];
    snprintf(p, 1024, "%s/key.pem", dir);
    if (espctl_keys_generate(p, NULL, NULL) != 0) {
        fprintf(stderr, "key generation failed: %s\n", espctl_last_error());
        abort();
    }
    return p;
}
