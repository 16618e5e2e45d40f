#include "support.h"

#include "esp_chip.h"
#include "esp_image.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

/* ---- fake host ---- */

static struct fake_host *of(const struct espctl_host *h)
{
    return (struct fake_host *)h;
}

static void h_log(const struct espctl_host *h, int32_t level, const char *msg)
{
    if (level >= ESPCTL_LOG_WARN)
        of(h)->warnings++;
    if (getenv("ESP32_TEST_VERBOSE"))
        fprintf(stderr, "[log %d] %s\n", level, msg);
}

static void h_emit(const struct espctl_host *h, const struct espctl_event *e)
{
    struct fake_host *fh = of(h);
    if (fh->event_count == FAKE_MAX_EVENTS)
        return;
    struct fake_event *f = &fh->events[fh->event_count++];
    memset(f, 0, sizeof *f);
    f->kind = e->kind;
    f->status = e->status;
    snprintf(f->stage, sizeof f->stage, "%s", e->stage ? e->stage : "");
    snprintf(f->message, sizeof f->message, "%s", e->message ? e->message : "");
    f->done = e->done;
    f->total = e->total;
    f->address = e->address;
}

static int h_set_error(const struct espctl_host *h, int code, const char *msg)
{
    snprintf(of(h)->last_error, sizeof of(h)->last_error, "%s", msg);
    of(h)->last_code = code;
    return code;
}

static const char *h_config(const struct espctl_host *h, const char *key)
{
    struct fake_host *fh = of(h);
    for (int i = 0; i < fh->config_count; i++)
        if (!strcmp(fh->keys[i], key))
            return fh->values[i];
    return NULL;
}

static int32_t h_cancelled(const struct espctl_host *h)
{
    (void)h;
    return 0;
}

static uint64_t h_now(const struct espctl_host *h)
{
    (void)h;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int h_sleep(const struct espctl_host *h, uint64_t us)
{
    (void)h;
    struct timespec ts = {(time_t)(us / 1000000u), (long)(us % 1000000u) * 1000L};
    while (nanosleep(&ts, &ts))
        ;
    return 0;
}

static uint32_t h_zero(const struct espctl_host *h)
{
    (void)h;
    return 0;
}

void fake_host_init(struct fake_host *h)
{
    memset(h, 0, sizeof *h);
    h->host.hdr = (struct espctl_abi_hdr)ESPCTL_ABI_HDR(struct espctl_host);
    h->host.log = h_log;
    h->host.emit = h_emit;
    h->host.set_error = h_set_error;
    h->host.config_get = h_config;
    h->host.cancelled = h_cancelled;
    h->host.now_us = h_now;
    h->host.sleep_us = h_sleep;
    h->host.probe_driver_count = h_zero;
    h->host.chip_family_count = h_zero;
}

void fake_host_set(struct fake_host *h, const char *key, const char *value)
{
    for (int i = 0; i < h->config_count; i++)
        if (!strcmp(h->keys[i], key)) {
            h->values[i] = value;
            return;
        }
    assert_true(h->config_count < FAKE_MAX_CONFIG);
    h->keys[h->config_count] = key;
    h->values[h->config_count++] = value;
}

int fake_host_count(const struct fake_host *h, int32_t kind, const char *stage)
{
    int n = 0;
    for (int i = 0; i < h->event_count; i++)
        if (h->events[i].kind == kind && (!stage || !strcmp(h->events[i].stage, stage)))
            n++;
    return n;
}

int fake_host_message_contains(const struct fake_host *h, const char *needle)
{
    for (int i = 0; i < h->event_count; i++)
        if (h->events[i].kind == ESPCTL_EVENT_MESSAGE && strstr(h->events[i].message, needle))
            return 1;
    return 0;
}

/* ---- ELF writer ---- */

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}
static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

uint8_t *test_elf(uint16_t machine, uint32_t entry, const struct test_section *secs, int count, size_t *len)
{
    /* Layout: ELF header, program headers, section data, .shstrtab, section headers. */
    size_t ph_off = 52, data_off = ph_off + 32u * (size_t)count;
    size_t total_data = 0, names = 1 + strlen(".shstrtab") + 1;
    for (int i = 0; i < count; i++) {
        total_data += (secs[i].size + 3u) & ~3u;
        names += strlen(secs[i].name) + 1;
    }
    size_t str_off = data_off + total_data;
    size_t sh_off = (str_off + names + 3) & ~(size_t)3;
    int shnum = count + 2;
    *len = sh_off + 40u * (size_t)shnum;
    uint8_t *e = calloc(1, *len);
    assert_non_null(e);
    memcpy(e, "\x7f" "ELF", 4);
    e[4] = 1; /* 32-bit */
    e[5] = 1; /* little-endian */
    e[6] = 1;
    put16(e + 16, 2); /* ET_EXEC */
    put16(e + 18, machine);
    put32(e + 20, 1);
    put32(e + 24, entry);
    put32(e + 28, (uint32_t)ph_off);
    put32(e + 32, (uint32_t)sh_off);
    put16(e + 40, 52);
    put16(e + 42, 32);
    put16(e + 44, (uint16_t)count);
    put16(e + 46, 40);
    put16(e + 48, (uint16_t)shnum);
    put16(e + 50, (uint16_t)(shnum - 1));
    size_t off = data_off, name_at = 1;
    char *strtab = (char *)e + str_off;
    for (int i = 0; i < count; i++) {
        memcpy(e + off, secs[i].data, secs[i].size);
        uint8_t *ph = e + ph_off + 32u * (size_t)i;
        put32(ph, 1); /* PT_LOAD */
        put32(ph + 4, (uint32_t)off);
        put32(ph + 8, secs[i].addr);
        put32(ph + 12, secs[i].addr);
        put32(ph + 16, secs[i].size);
        put32(ph + 20, secs[i].size);
        put32(ph + 24, 5);
        uint8_t *sh = e + sh_off + 40u * (size_t)(i + 1);
        strcpy(strtab + name_at, secs[i].name);
        put32(sh, (uint32_t)name_at);
        name_at += strlen(secs[i].name) + 1;
        put32(sh + 4, 1); /* SHT_PROGBITS */
        put32(sh + 8, secs[i].flags);
        put32(sh + 12, secs[i].addr);
        put32(sh + 16, (uint32_t)off);
        put32(sh + 20, secs[i].size);
        put32(sh + 32, 4);
        off += (secs[i].size + 3u) & ~3u;
    }
    uint8_t *sh = e + sh_off + 40u * (size_t)(shnum - 1);
    strcpy(strtab + name_at, ".shstrtab");
    put32(sh, (uint32_t)name_at);
    put32(sh + 4, 3); /* SHT_STRTAB */
    put32(sh + 16, (uint32_t)str_off);
    put32(sh + 20, (uint32_t)names);
    return e;
}

uint8_t *test_bootloader(const char *chip_name, size_t *len)
{
    const struct esp_chip_info *chip = esp_chip_by_name(chip_name);
    assert_non_null(chip);
    uint8_t code[64];
    for (int i = 0; i < 64; i++)
        code[i] = (uint8_t)(0x30 + i);
    uint32_t iram = chip->elf_machine == ESP_EM_XTENSA ? 0x40080400u : 0x403C7A00u;
    struct esp_image_seg seg = {iram, sizeof code, code};
    struct esp_image_params p = {.chip = chip, .flash_mode = 2, .size_code = 1, .freq_code = 0, .entry = iram};
    struct esp_vec out = {0};
    char err[256];
    assert_int_equal(esp_image_write_plain(&p, &seg, 1, &out, err, sizeof err), 0);
    *len = out.len;
    return out.data;
}

void test_fill(uint8_t *buf, size_t len, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < len; i++) {
        if ((i / 64) % 2) {
            buf[i] = (uint8_t)(i / 64); /* runs: compressible */
        } else {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            buf[i] = (uint8_t)x;
        }
    }
}

/* ---- files ---- */

int test_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t n = fwrite(data, 1, len, f);
    return fclose(f) == 0 && n == len ? 0 : -1;
}

uint8_t *test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    *len = buf ? fread(buf, 1, (size_t)n, f) : 0;
    fclose(f);
    return buf;
}

void test_tmpdir(char *path)
{
    const char *t = getenv("TMPDIR");
    snprintf(path, 256, "%s/espctl-esp32-XXXXXX", t && *t ? t : "/tmp");
    assert_non_null(mkdtemp(path));
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(p);
}

void test_rmtree(const char *path)
{
    nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- simulator ---- */

void sim_start(struct sim *s, const char *dir, const char *chip, int pty, const char *const *extra)
{
    memset(s, 0, sizeof *s);
    snprintf(s->flash_out, sizeof s->flash_out, "%s/flash.bin", dir);
    snprintf(s->stats, sizeof s->stats, "%s/stats.json", dir);
    const char *argv[40] = {ESPCTL_SIM_PATH, "esp", "--chip", chip};
    int n = 4;
    if (pty) {
        argv[n++] = "--pty";
    } else {
        argv[n++] = "--tcp";
        argv[n++] = "0";
    }
    argv[n++] = "--flash-out";
    argv[n++] = s->flash_out;
    argv[n++] = "--stats";
    argv[n++] = s->stats;
    for (int i = 0; extra && extra[i] && n < 38; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    int out[2];
    assert_int_equal(pipe(out), 0);
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        dup2(out[1], 1);
        close(out[0]);
        close(out[1]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(out[1]);
    char line[256];
    size_t len = 0;
    struct pollfd p = {out[0], POLLIN, 0};
    while (len < sizeof line - 1 && poll(&p, 1, 10000) == 1) {
        ssize_t r = read(out[0], line + len, 1);
        if (r <= 0 || line[len] == '\n')
            break;
        len++;
    }
    line[len] = '\0';
    close(out[0]);
    unsigned port;
    if (!strncmp(line, "pty ", 4))
        snprintf(s->endpoint, sizeof s->endpoint, "%.*s", (int)sizeof s->endpoint - 1, line + 4);
    else if (sscanf(line, "listening on 127.0.0.1:%u", &port) == 1)
        snprintf(s->endpoint, sizeof s->endpoint, "socket://127.0.0.1:%u", port);
    else
        fail_msg("espctl-sim did not announce its endpoint (got '%s')", line);
}

void sim_stop(struct sim *s)
{
    if (s->pid <= 0)
        return;
    kill(s->pid, SIGTERM);
    int status = 0;
    for (int i = 0; i < 500; i++) {
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0;
            return;
        }
        usleep(10000);
    }
    kill(s->pid, SIGKILL);
    waitpid(s->pid, &status, 0);
    s->pid = 0;
    fail_msg("espctl-sim did not exit within 5 s of SIGTERM");
}

long long sim_stat(const struct sim *s, const char *field)
{
    json_error_t je;
    json_t *root = json_load_file(s->stats, 0, &je);
    long long v = -1;
    json_t *f = root ? json_object_get(root, field) : NULL;
    if (json_is_integer(f))
        v = json_integer_value(f);
    else if (json_is_real(f))
        v = (long long)(json_real_value(f) * 1000.0); /* seconds -> ms */
    json_decref(root);
    return v;
}

long long sim_command_count(const struct sim *s, uint8_t op)
{
    json_error_t je;
    json_t *root = json_load_file(s->stats, 0, &je);
    char key[8];
    snprintf(key, sizeof key, "0x%02x", op);
    json_t *f = root ? json_object_get(json_object_get(root, "commands"), key) : NULL;
    long long v = json_is_integer(f) ? json_integer_value(f) : 0;
    json_decref(root);
    return v;
}

/* ---- plugin ---- */

void plugin_load(struct loaded_plugin *p, struct fake_host *h)
{
    memset(p, 0, sizeof *p);
    p->dl = dlopen(ESP32_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
    if (!p->dl)
        fail_msg("dlopen %s: %s", ESP32_PLUGIN_PATH, dlerror());
    espctl_plugin_entry_fn fn = (espctl_plugin_entry_fn)dlsym(p->dl, ESPCTL_PLUGIN_ENTRY_SYMBOL);
    assert_non_null(fn);
    p->entry = fn();
    assert_int_equal(p->entry->hdr.abi_major, ESPCTL_PLUGIN_ABI_MAJOR);
    assert_int_equal(p->entry->init(&h->host, &p->data), 0);
    for (const struct espctl_component *const *c = p->entry->components(p->data); *c; c++) {
        if ((*c)->kind == ESPCTL_COMPONENT_FLASH_TARGET)
            p->target = (*c)->vtable;
        else if ((*c)->kind == ESPCTL_COMPONENT_PROBE_DRIVER)
            p->serial = (*c)->vtable;
    }
    assert_non_null(p->target);
    assert_non_null(p->serial);
}

void plugin_unload(struct loaded_plugin *p)
{
    if (p->entry)
        p->entry->deinit(p->data);
    if (p->dl)
        dlclose(p->dl);
    memset(p, 0, sizeof *p);
}
