/*
 * cortexm over a probe that writes flash itself and controls the run state itself (a
 * GDB server such as QEMU's gdbstub or Black Magic Probe): no DP/AP members, the
 * run-control and flash-writer extensions, DHCSR and DBGMCU_IDCODE reading as 0.
 * Covers: caps/extensions read only after connect, halt/reset through run control
 * (never a DHCSR/AIRCR write), the chip from cortexm's own table (--chip), erase by the
 * chip's sector map (no memory map) or by the probe's region blocks, one done() per
 * flash, verify by read-back, skip of unchanged sectors, reset leaving the core running.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "espctl/plugin/ext/flash_writer.h"
#include "espctl/plugin/ext/run_control.h"
#include "fake_host.h"
#include "fake_target.h"

#include <stdlib.h>
#include <string.h>

#define GF_FLASH 0x08000000u
#define GF_FLASH_SIZE (1024u * 1024u)
#define GF_RAM 0x20000000u
#define GF_RAM_SIZE (128u * 1024u)
#define GF_DHCSR 0xE000EDF0u
#define GF_AIRCR 0xE000ED0Cu
#define GF_CPUID 0xE000ED00u

struct gdb_fake {
    int with_map;            /* offer a memory map (one region, 2 KiB blocks) */
    uint8_t flash[GF_FLASH_SIZE];
    uint8_t ram[GF_RAM_SIZE];
    int connected, halted;
    int caps_before_connect, ext_before_connect;
    int halts, resumes, reset_halts, sys_writes;
    int erases, writes, dones, pending; /* pending: writes since the last done */
    uint64_t erase_addr[64], erase_len[64];
    int fail_done;
};

static struct gdb_fake *gf;

static int gf_enumerate(void *d, espctl_probe_found_fn found, void *user)
{
    (void)d;
    struct espctl_probe_info info = {.hdr = ESPCTL_ABI_HDR(struct espctl_probe_info),
                                     .driver = "gdbfake", .selector = "gdbfake:0",
                                     .flags = ESPCTL_PROBE_NETWORK};
    return found(user, &info) ? 0 : 0;
}

static int gf_open(void *d, const char *sel, void **probe)
{
    (void)d;
    (void)sel;
    *probe = gf;
    return 0;
}

static void gf_close(void *probe) { (void)probe; }

static int gf_caps(void *probe, struct espctl_probe_caps *caps)
{
    struct gdb_fake *g = probe;
    if (!g->connected)
        g->caps_before_connect++;
    caps->flags = ESPCTL_PROBE_CAP_MEM | (g->connected ? ESPCTL_PROBE_CAP_FLASH_WRITE : 0);
    caps->max_mem_block = 1023;
    return 0;
}

static int gf_connect(void *probe, uint32_t flags)
{
    (void)flags;
    struct gdb_fake *g = probe;
    g->connected = 1;
    g->halted = 1;
    return 0;
}

static int gf_disconnect(void *probe)
{
    struct gdb_fake *g = probe;
    g->halted = 0;
    return 0;
}

static uint8_t *where(struct gdb_fake *g, uint64_t addr, uint32_t len)
{
    if (addr >= GF_FLASH && addr + len <= GF_FLASH + GF_FLASH_SIZE)
        return g->flash + (addr - GF_FLASH);
    if (addr >= GF_RAM && addr + len <= GF_RAM + GF_RAM_SIZE)
        return g->ram + (addr - GF_RAM);
    return NULL;
}

static int gf_mem_read(void *probe, uint32_t ap, uint64_t addr, uint32_t width, uint8_t *buf,
                       uint32_t len)
{
    (void)ap;
    (void)width;
    struct gdb_fake *g = probe;
    uint8_t *p = where(g, addr, len);
    if (p) {
        memcpy(buf, p, len);
        return 0;
    }
    if (addr == GF_CPUID && len == 4) {
        const uint8_t cpuid[4] = {0x40, 0xC2, 0x0F, 0x41};
        memcpy(buf, cpuid, 4);
        return 0;
    }
    memset(buf, 0, len); /* DHCSR, DBGMCU_IDCODE...: QEMU reads them as 0 */
    return 0;
}

static int gf_mem_write(void *probe, uint32_t ap, uint64_t addr, uint32_t width, const uint8_t *buf,
                        uint32_t len)
{
    (void)ap;
    (void)width;
    struct gdb_fake *g = probe;
    if (addr == GF_DHCSR || addr == GF_AIRCR)
        g->sys_writes++;
    uint8_t *p = where(g, addr, len);
    if (p && addr < GF_RAM)
        return ESPCTL_E_TARGET; /* flash only through the writer */
    if (p)
        memcpy(p, buf, len);
    return 0;
}

static int rc_halt(void *probe) { gf->halts++; ((struct gdb_fake *)probe)->halted = 1; return 0; }
static int rc_resume(void *probe) { gf->resumes++; ((struct gdb_fake *)probe)->halted = 0; return 0; }
static int rc_is_halted(void *probe, int32_t *h) { *h = ((struct gdb_fake *)probe)->halted; return 0; }
static int rc_reset_and_halt(void *probe) { gf->reset_halts++; ((struct gdb_fake *)probe)->halted = 1; return 0; }

static const struct espctl_run_control run_control = {
    .hdr = ESPCTL_ABI_HDR(struct espctl_run_control), .flags = ESPCTL_RUN_CONTROL_ALL_STOP,
    .halt = rc_halt, .resume = rc_resume, .is_halted = rc_is_halted,
    .reset_and_halt = rc_reset_and_halt};

static uint32_t fw_region_count(void *probe) { return ((struct gdb_fake *)probe)->with_map ? 1 : 0; }

static int fw_region(void *probe, uint32_t index, struct espctl_flash_region *r)
{
    struct gdb_fake *g = probe;
    if (!g->with_map || index > 0)
        return ESPCTL_E_NOT_FOUND;
    r->start = GF_FLASH;
    r->length = 64u * 1024u;
    r->block_size = 2048;
    return 0;
}

static int fw_erase(void *probe, uint64_t addr, uint64_t len)
{
    struct gdb_fake *g = probe;
    uint8_t *p = where(g, addr, (uint32_t)len);
    if (!p || g->erases == 64)
        return ESPCTL_E_INVAL;
    g->erase_addr[g->erases] = addr;
    g->erase_len[g->erases++] = len;
    memset(p, 0xFF, len);
    return 0;
}

static int fw_write(void *probe, uint64_t addr, const uint8_t *data, uint32_t len)
{
    struct gdb_fake *g = probe;
    uint8_t *p = where(g, addr, len);
    if (!p || addr >= GF_RAM)
        return ESPCTL_E_INVAL;
    for (uint32_t i = 0; i < len; i++)
        p[i] &= data[i]; /* flash semantics: programming only clears bits */
    g->writes++;
    g->pending++;
    return 0;
}

static int fw_done(void *probe)
{
    struct gdb_fake *g = probe;
    g->dones++;
    g->pending = 0;
    return g->fail_done ? ESPCTL_E_TIMEOUT : 0;
}

static const struct espctl_flash_writer flash_writer_nomap = {
    .hdr = ESPCTL_ABI_HDR(struct espctl_flash_writer), .flags = ESPCTL_FLASH_WRITER_NO_MAP,
    .region_count = fw_region_count, .region = fw_region, .erase = fw_erase, .write = fw_write,
    .done = fw_done};
static const struct espctl_flash_writer flash_writer_map = {
    .hdr = ESPCTL_ABI_HDR(struct espctl_flash_writer), .flags = 0,
    .region_count = fw_region_count, .region = fw_region, .erase = fw_erase, .write = fw_write,
    .done = fw_done};

static const void *gf_get_extension(void *probe, const char *id)
{
    struct gdb_fake *g = probe;
    if (!g->connected)
        g->ext_before_connect++;
    if (!strcmp(id, ESPCTL_EXT_RUN_CONTROL))
        return &run_control;
    if (!strcmp(id, ESPCTL_EXT_FLASH_WRITER) && g->connected)
        return g->with_map ? (const void *)&flash_writer_map : (const void *)&flash_writer_nomap;
    return NULL;
}

static int gf_reset(void *probe, int32_t kind)
{
    (void)probe;
    (void)kind;
    return ESPCTL_E_NOT_SUPPORTED;
}

static const char *const gf_prefixes[] = {"gdbfake:", NULL};
static const struct espctl_probe_driver gf_driver = {
    .hdr = ESPCTL_ABI_HDR(struct espctl_probe_driver),
    .name = "gdbfake",
    .selector_prefixes = gf_prefixes,
    .enumerate = gf_enumerate,
    .open = gf_open,
    .close = gf_close,
    .caps = gf_caps,
    .connect = gf_connect,
    .disconnect = gf_disconnect,
    .mem_read = gf_mem_read,
    .mem_write = gf_mem_write,
    .reset = gf_reset,
    .get_extension = gf_get_extension,
};

struct fx {
    struct fake_host *h;
    void *session;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    gf = calloc(1, sizeof *gf);
    f->h = malloc(sizeof *f->h);
    if (!f || !gf || !f->h)
        return -1;
    memset(gf->flash, 0x00, sizeof gf->flash); /* QEMU's flash model starts at zero */
    fake_host_init(f->h);
    f->h->drivers[0] = &gf_driver;
    f->h->driver_count = 1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    if (f->session)
        f->h->target->close(f->session);
    fake_host_fini(f->h);
    free(f->h);
    free(gf);
    free(f);
    return 0;
}

static int open_chip(struct fx *f, const char *chip, uint32_t flags)
{
    struct espctl_target_params p = {.hdr = ESPCTL_ABI_HDR(struct espctl_target_params),
                                     .chip = chip, .probe = "gdbfake:0", .flags = flags};
    return f->h->target->open(f->h->target->target_data, &p, &f->session);
}

static uint8_t image_a[40000];

static struct espctl_flash_image one_segment(const uint8_t *data, uint64_t addr, uint64_t size,
                                             struct espctl_segment *seg)
{
    *seg = (struct espctl_segment){.address = addr,
                                   .size = size, .data = data};
    return (struct espctl_flash_image){.hdr = ESPCTL_ABI_HDR(struct espctl_flash_image),
                                       .segments = seg, .segment_count = 1};
}

static void fill(uint8_t *b, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(i * 7u + seed + (i >> 8));
}

static void table_chip_is_supported_and_opened(void **state)
{
    struct fx *f = *state;
    const struct espctl_flash_target *t = f->h->target;
    assert_int_equal(t->supports_chip(t->target_data, "stm32f405rg"), 1);
    assert_int_equal(t->supports_chip(t->target_data, "STM32F405RGTx"), 1);
    assert_int_equal(t->supports_chip(t->target_data, "STM32F407VETx"), 1);
    assert_int_equal(t->supports_chip(t->target_data, "stm32f999zz"), 0);
    assert_int_equal(open_chip(f, "STM32F405RGTx", 0), 0);
    /* caps and extensions were asked only once the probe was connected */
    assert_int_equal(gf->caps_before_connect, 0);
    assert_int_equal(gf->ext_before_connect, 0);
    /* attach: halt and a reset caught at the vector through run control, no DHCSR/AIRCR */
    assert_true(gf->halts >= 1);
    assert_int_equal(gf->reset_halts, 1);
    assert_int_equal(gf->sys_writes, 0);
    assert_true(gf->halted);
}

static void flash_uses_chip_sector_map_without_memory_map(void **state)
{
    struct fx *f = *state;
    assert_int_equal(open_chip(f, "stm32f405rg", 0), 0);
    fill(image_a, sizeof image_a, 1);
    struct espctl_segment seg;
    struct espctl_flash_image img = one_segment(image_a, GF_FLASH, sizeof image_a, &seg);
    assert_int_equal(f->h->target->flash(f->session, &img, 0), 0);
    assert_memory_equal(gf->flash, image_a, sizeof image_a);
    /* 40000 bytes cover three 16 KiB sectors of the F405 map, each erased whole */
    assert_int_equal(gf->erases, 3);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(gf->erase_addr[i], GF_FLASH + (uint64_t)i * 16384u);
        assert_int_equal(gf->erase_len[i], 16384);
    }
    /* the rest of the third sector kept its old contents (zeros) */
    for (size_t i = sizeof image_a; i < 3u * 16384u; i++)
        assert_int_equal(gf->flash[i], 0);
    assert_int_equal(gf->dones, 1);
    assert_int_equal(gf->pending, 0);
    assert_true(fake_host_count(f->h, ESPCTL_EVENT_STAGE_END, "verify") >= 1);

    /* reset: through run control, and the core runs afterwards */
    int before = gf->reset_halts;
    assert_int_equal(f->h->target->reset(f->session, ESPCTL_RESET_SYSTEM), 0);
    assert_int_equal(gf->reset_halts, before + 1);
    assert_false(gf->halted);
    assert_int_equal(gf->sys_writes, 0);
}

static void unchanged_flash_is_skipped(void **state)
{
    struct fx *f = *state;
    fill(image_a, sizeof image_a, 2);
    memcpy(gf->flash, image_a, sizeof image_a);
    assert_int_equal(open_chip(f, "stm32f405rg", 0), 0);
    struct espctl_segment seg;
    struct espctl_flash_image img = one_segment(image_a, GF_FLASH, sizeof image_a, &seg);
    assert_int_equal(f->h->target->flash(f->session, &img, 0), 0);
    assert_int_equal(gf->erases, 0);
    assert_int_equal(gf->writes, 0);
    assert_int_equal(gf->dones, 0);
}

static void sector_above_64k_is_erased_as_one(void **state)
{
    struct fx *f = *state;
    assert_int_equal(open_chip(f, "stm32f405rg", 0), 0);
    static uint8_t small[100];
    fill(small, sizeof small, 3);
    struct espctl_segment seg;
    /* 0x08030000 lies in sector 5 (128 KiB, 0x08020000..0x0803FFFF) */
    struct espctl_flash_image img = one_segment(small, GF_FLASH + 0x30000u, sizeof small, &seg);
    assert_int_equal(f->h->target->flash(f->session, &img, 0), 0);
    assert_int_equal(gf->erases, 1);
    assert_int_equal(gf->erase_addr[0], GF_FLASH + 0x20000u);
    assert_int_equal(gf->erase_len[0], 128u * 1024u);
    assert_memory_equal(gf->flash + 0x30000u, small, sizeof small);
}

static void memory_map_blocks_drive_the_erase(void **state)
{
    struct fx *f = *state;
    gf->with_map = 1;
    assert_int_equal(open_chip(f, "stm32f405rg", 0), 0);
    static uint8_t img5k[5000];
    fill(img5k, sizeof img5k, 4);
    struct espctl_segment seg;
    struct espctl_flash_image img = one_segment(img5k, GF_FLASH + 2048u, sizeof img5k, &seg);
    assert_int_equal(f->h->target->flash(f->session, &img, 0), 0);
    /* 0x800..0x1C08 touches blocks 1..3 of 2 KiB */
    assert_int_equal(gf->erases, 3);
    assert_int_equal(gf->erase_addr[0], GF_FLASH + 2048u);
    assert_int_equal(gf->erase_len[2], 2048);
    assert_memory_equal(gf->flash + 2048, img5k, sizeof img5k);
    assert_int_equal(gf->dones, 1);
    /* outside the probe's map: a clear layout error, nothing written */
    int writes = gf->writes;
    struct espctl_flash_image far = one_segment(img5k, GF_FLASH + 0x20000u, sizeof img5k, &seg);
    assert_int_equal(f->h->target->flash(f->session, &far, 0), ESPCTL_E_INVAL);
    assert_non_null(strstr(f->h->last_error, "outside flash"));
    assert_int_equal(gf->writes, writes);
}

static void failed_commit_fails_the_flash(void **state)
{
    struct fx *f = *state;
    gf->fail_done = 1;
    assert_int_equal(open_chip(f, "stm32f405rg", 0), 0);
    fill(image_a, sizeof image_a, 5);
    struct espctl_segment seg;
    struct espctl_flash_image img = one_segment(image_a, GF_FLASH, 1024, &seg);
    assert_int_equal(f->h->target->flash(f->session, &img, 0), ESPCTL_E_TIMEOUT);
    assert_int_equal(fake_host_count(f->h, ESPCTL_EVENT_STAGE_BEGIN, "verify"), 0);
}

static void no_reset_attach_only_halts(void **state)
{
    struct fx *f = *state;
    assert_int_equal(open_chip(f, "stm32f405rg", ESPCTL_TARGET_NO_RESET), 0);
    assert_int_equal(gf->reset_halts, 0);
    assert_true(gf->halts >= 1);
    f->h->target->close(f->session);
    f->session = NULL;
    assert_false(gf->halted); /* detach let the core run again */
    assert_true(gf->resumes >= 1);
}

static void connect_under_reset_is_refused(void **state)
{
    struct fx *f = *state;
    assert_int_equal(open_chip(f, "stm32f405rg", ESPCTL_TARGET_CONNECT_UNDER_RESET),
                     ESPCTL_E_NOT_SUPPORTED);
    assert_non_null(strstr(f->h->last_error, "under reset"));
}

static void table_chip_needs_a_flash_writing_probe(void **state)
{
    struct fx *f = *state;
    static struct fake_target g4; /* an ADIv5 probe (ST-Link-like) without a writer */
    fake_target_init(&g4);
    f->h->drivers[0] = fake_driver(&g4);
    struct espctl_target_params p = {.hdr = ESPCTL_ABI_HDR(struct espctl_target_params),
                                     .chip = "stm32f405rg", .probe = "fake:0"};
    assert_int_equal(f->h->target->open(f->h->target->target_data, &p, &f->session),
                     ESPCTL_E_NOT_SUPPORTED);
    f->session = NULL;
    assert_non_null(strstr(f->h->last_error, "probe that writes flash itself"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(table_chip_is_supported_and_opened, setup, teardown),
        cmocka_unit_test_setup_teardown(flash_uses_chip_sector_map_without_memory_map, setup, teardown),
        cmocka_unit_test_setup_teardown(unchanged_flash_is_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(sector_above_64k_is_erased_as_one, setup, teardown),
        cmocka_unit_test_setup_teardown(memory_map_blocks_drive_the_erase, setup, teardown),
        cmocka_unit_test_setup_teardown(failed_commit_fails_the_flash, setup, teardown),
        cmocka_unit_test_setup_teardown(no_reset_attach_only_halts, setup, teardown),
        cmocka_unit_test_setup_teardown(connect_under_reset_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(table_chip_needs_a_flash_writing_probe, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
