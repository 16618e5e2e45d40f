#include "fake_mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static struct fake_mem *from_host(const struct espctl_host *h)
{
    return (struct fake_mem *)h->host_data;
}

static void h_log(const struct espctl_host *h, int32_t level, const char *msg)
{
    (void)h;
    (void)level;
    (void)msg;
}

static int h_set_error(const struct espctl_host *h, int code, const char *msg)
{
    struct fake_mem *fm = from_host(h);
    snprintf(fm->last_error, sizeof fm->last_error, "%s", msg);
    fm->last_code = code;
    return code;
}

static uint64_t h_now(const struct espctl_host *h)
{
    return from_host(h)->now_us;
}

static int h_sleep(const struct espctl_host *h, uint64_t us)
{
    from_host(h)->now_us += us;
    return 0;
}

static int32_t h_cancelled(const struct espctl_host *h)
{
    (void)h;
    return 0;
}

static int in_ram(uint64_t address, uint32_t length)
{
    return address >= FM_RAM_BASE && address + length <= (uint64_t)FM_RAM_BASE + FM_RAM_SIZE;
}

static int access_ok(struct fake_mem *fm)
{
    if (fm->all_stop && !fm->halted) {
        fm->running_accesses++;
        return 0;
    }
    return 1;
}

static int m_read(void *ctx, uint64_t address, uint8_t *buf, uint32_t length)
{
    struct fake_mem *fm = ctx;
    if (fm->hook)
        fm->hook(fm);
    fm->reads++;
    if (!access_ok(fm) || !in_ram(address, length))
        return ESPCTL_E_TARGET;
    memcpy(buf, fm->ram + (address - FM_RAM_BASE), length);
    return 0;
}

static int m_write(void *ctx, uint64_t address, const uint8_t *buf, uint32_t length, uint32_t width)
{
    struct fake_mem *fm = ctx;
    fm->writes++;
    if ((width != 8 && width != 16 && width != 32) || (address | length) & (width / 8 - 1))
        return ESPCTL_E_INVAL;
    if (!access_ok(fm) || !in_ram(address, length))
        return ESPCTL_E_TARGET;
    memcpy(fm->ram + (address - FM_RAM_BASE), buf, length);
    return 0;
}

static int m_read32(void *ctx, uint64_t address, uint32_t *value)
{
    uint8_t b[4] = {0};
    int rc = m_read(ctx, address, b, 4);
    *value = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return rc;
}

static int m_write32(void *ctx, uint64_t address, uint32_t value)
{
    uint8_t b[4] = {(uint8_t)value, (uint8_t)(value >> 8), (uint8_t)(value >> 16), (uint8_t)(value >> 24)};
    return m_write(ctx, address, b, 4, 32);
}

static struct fake_mem *from_probe(void *probe)
{
    return probe;
}

static int rc_halt(void *probe)
{
    from_probe(probe)->halted = 1;
    from_probe(probe)->halts++;
    return 0;
}

static int rc_resume(void *probe)
{
    from_probe(probe)->halted = 0;
    from_probe(probe)->resumes++;
    return 0;
}

static int rc_is_halted(void *probe, int32_t *halted)
{
    *halted = from_probe(probe)->halted;
    return 0;
}

static const void *drv_extension(void *probe, const char *id)
{
    struct fake_mem *fm = probe;
    return fm->all_stop && strcmp(id, ESPCTL_EXT_RUN_CONTROL) == 0 ? &fm->rc : NULL;
}

void fm_init(struct fake_mem *fm)
{
    memset(fm, 0, sizeof *fm);
    for (size_t i = 0; i < sizeof fm->ram; i++)
        fm->ram[i] = (uint8_t)(i * 7u + 3u);
    fm->now_us = 1000000;
    fm->host = (struct espctl_host){
        .hdr = ESPCTL_ABI_HDR(struct espctl_host),
        .host_data = fm,
        .log = h_log,
        .set_error = h_set_error,
        .cancelled = h_cancelled,
        .now_us = h_now,
        .sleep_us = h_sleep,
    };
    fm->mem = (struct espctl_target_mem){
        .hdr = ESPCTL_ABI_HDR(struct espctl_target_mem),
        .ctx = fm,
        .read32 = m_read32,
        .write32 = m_write32,
        .read = m_read,
        .write = m_write,
    };
    fm->regions[0] = (struct espctl_mem_region){0x08000000u, 0x20000u, ESPCTL_MEM_FLASH, 0};
    fm->regions[1] = (struct espctl_mem_region){FM_RAM_BASE, FM_RAM_SIZE, ESPCTL_MEM_RAM, 0};
    fm->chip = (struct espctl_chip_desc){
        .hdr = ESPCTL_ABI_HDR(struct espctl_chip_desc),
        .name = "fake",
        .region_count = 2,
        .regions = fm->regions,
    };
    fm->rc = (struct espctl_run_control){
        .hdr = ESPCTL_ABI_HDR(struct espctl_run_control),
        .flags = ESPCTL_RUN_CONTROL_ALL_STOP,
        .halt = rc_halt,
        .resume = rc_resume,
        .is_halted = rc_is_halted,
    };
    fm->drv = (struct espctl_probe_driver){
        .hdr = ESPCTL_ABI_HDR(struct espctl_probe_driver),
        .name = "fake",
        .get_extension = drv_extension,
    };
}

uint32_t fm_get32(const struct fake_mem *fm, uint32_t address)
{
    const uint8_t *p = fm->ram + (address - FM_RAM_BASE);
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void fm_put32(struct fake_mem *fm, uint32_t address, uint32_t value)
{
    uint8_t *p = fm->ram + (address - FM_RAM_BASE);
    p[0] = (uint8_t)value;
    p[1] = (uint8_t)(value >> 8);
    p[2] = (uint8_t)(value >> 16);
    p[3] = (uint8_t)(value >> 24);
}

uint32_t fm_desc(uint32_t block, int dir)
{
    return block + 24u + (dir ? 24u : 0u);
}

void fm_make_block(struct fake_mem *fm, uint32_t block, uint32_t up_size, uint32_t down_size)
{
    uint32_t name = block + 72u, up = block + 88u, down = up + up_size;
    memset(fm->ram + (block - FM_RAM_BASE), 0, 88);
    memcpy(fm->ram + (name - FM_RAM_BASE), "Terminal", 9);
    fm_put32(fm, block + 16, 1);
    fm_put32(fm, block + 20, 1);
    uint32_t d = fm_desc(block, 0);
    fm_put32(fm, d + 0, name);
    fm_put32(fm, d + 4, up);
    fm_put32(fm, d + 8, up_size);
    fm_put32(fm, d + 20, 2);
    d = fm_desc(block, 1);
    fm_put32(fm, d + 0, name);
    fm_put32(fm, d + 4, down);
    fm_put32(fm, d + 8, down_size);
    memcpy(fm->ram + (block - FM_RAM_BASE), "SEGGER RTT\0\0\0\0\0\0", 16);
}

uint32_t fm_produce(struct fake_mem *fm, uint32_t block, const uint8_t *data, uint32_t len)
{
    uint32_t d = fm_desc(block, 0);
    uint32_t buf = fm_get32(fm, d + 4), size = fm_get32(fm, d + 8);
    uint32_t wr = fm_get32(fm, d + 12), rd = fm_get32(fm, d + 16);
    uint32_t n = 0;
    while (n < len) {
        uint32_t next = wr + 1 == size ? 0 : wr + 1;
        if (next == rd)
            break;
        fm->ram[buf - FM_RAM_BASE + wr] = data[n++];
        wr = next;
    }
    fm_put32(fm, d + 12, wr);
    return n;
}
