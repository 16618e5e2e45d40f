/* Helpers for the esp32 plugin tests: a fake host, an ELF writer, bootloader images,
 * files, the espctl-sim process and the plugin loaded through its real entry point. */
#ifndef TEST_ESP32_SUPPORT_H
#define TEST_ESP32_SUPPORT_H

#include "espctl/plugin.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define FAKE_MAX_EVENTS 8192
#define FAKE_MAX_CONFIG 16

struct fake_event {
    int32_t kind, status;
    char stage[16];
    char message[160];
    uint64_t done, total, address;
};

struct fake_host {
    struct espctl_host host;
    const char *keys[FAKE_MAX_CONFIG], *values[FAKE_MAX_CONFIG];
    int config_count;
    struct fake_event events[FAKE_MAX_EVENTS];
    int event_count;
    char last_error[1024];
    int last_code;
    int warnings;
};

void fake_host_init(struct fake_host *h);
void fake_host_set(struct fake_host *h, const char *key, const char *value);
/** Number of events of `kind` in `stage` (NULL = any stage). */
int fake_host_count(const struct fake_host *h, int32_t kind, const char *stage);
/** 1 when a MESSAGE event's text contains `needle`. */
int fake_host_message_contains(const struct fake_host *h, const char *needle);

/** One section of a generated ELF. flags: SHF_ bits (2 = ALLOC, 4 = EXEC). */
struct test_section {
    const char *name;
    uint32_t addr;
    const uint8_t *data;
    uint32_t size;
    uint32_t flags;
};
/** Writes a little-endian ELF32 with the sections (PROGBITS), .shstrtab and one PT_LOAD per section. */
uint8_t *test_elf(uint16_t machine, uint32_t entry, const struct test_section *secs, int count, size_t *len);

/** A minimal valid bootloader image for `chip` (one 64-byte IRAM segment), made with the plugin's writer. */
uint8_t *test_bootloader(const char *chip, size_t *len);
/** Deterministic bytes, roughly half compressible. */
void test_fill(uint8_t *buf, size_t len, uint32_t seed);

int test_write_file(const char *path, const void *data, size_t len);
uint8_t *test_read_file(const char *path, size_t *len);
/** mkdtemp under TMPDIR; path buffer of 256. */
void test_tmpdir(char *path);
void test_rmtree(const char *path);

struct sim {
    pid_t pid;
    char endpoint[160]; /* "/dev/pts/N" or "socket://127.0.0.1:PORT" */
    char flash_out[300], stats[300];
};
/** Starts `espctl-sim esp --chip CHIP (--pty|--tcp 0) --flash-out DIR/flash.bin --stats DIR/stats.json EXTRA...`. */
void sim_start(struct sim *s, const char *dir, const char *chip, int pty, const char *const *extra);
/** SIGTERM and wait (outputs are written on exit). */
void sim_stop(struct sim *s);
/** Integer field of the stats JSON (-1 when absent); commands."0x11" style keys via `cmd`. */
long long sim_stat(const struct sim *s, const char *field);
long long sim_command_count(const struct sim *s, uint8_t op);

struct loaded_plugin {
    void *dl;
    const struct espctl_plugin_entry *entry;
    void *data;
    const struct espctl_flash_target *target;
    const struct espctl_probe_driver *serial;
};
/** dlopen(ESP32_PLUGIN_PATH), init with the fake host, find both components. */
void plugin_load(struct loaded_plugin *p, struct fake_host *h);
void plugin_unload(struct loaded_plugin *p);

#endif
