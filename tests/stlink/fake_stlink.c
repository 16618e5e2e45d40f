#include "fake_stlink.h"

#include "espctl/common.h"

#include <string.h>

static uint32_t g32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void p32(uint8_t *b, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

int fake_count(const struct fake_stlink *f, uint8_t b0, int b1)
{
    int n = 0;
    for (int i = 0; i < f->log_count; i++)
        if (f->log[i].cdb[0] == b0 && (b1 < 0 || f->log[i].cdb[1] == (uint8_t)b1))
            n++;
    return n;
}

/* 1 when the operation should be answered WAIT this time. */
static int take_wait(struct fake_stlink *f)
{
    if (f->wait_left == 0)
        return 0;
    if (f->wait_left > 0)
        f->wait_left--;
    return 1;
}

static int mem_cmd(struct fake_stlink *f, const uint8_t *cdb, int dir, uint8_t *data, uint32_t len)
{
    uint32_t addr = g32(cdb + 2), n = (uint32_t)(cdb[6] | cdb[7] << 8);
    if (take_wait(f)) {
        f->rw_status = 0x10;
        return 0;
    }
    if (addr < f->fault_hi && addr + n > f->fault_lo) {
        f->rw_status = f->fault_status;
        f->rw_fault_addr = addr < f->fault_lo ? f->fault_lo : addr;
        return 0;
    }
    if (addr < FAKE_RAM_BASE || addr + n > FAKE_RAM_BASE + FAKE_RAM_SIZE) {
        f->rw_status = 0x11;
        f->rw_fault_addr = addr;
        return 0;
    }
    f->rw_status = 0x80;
    uint8_t *mem = f->ram + (addr - FAKE_RAM_BASE);
    if (dir == STLINK_DIR_OUT)
        memcpy(mem, data, n < len ? n : len);
    else
        memcpy(data, mem, n < len ? n : len);
    return 0;
}

/* READDEBUGREG / WRITEDEBUGREG: one 32-bit word, status in the reply itself. */
static int debug_reg(struct fake_stlink *f, const uint8_t *cdb, uint8_t *data, int write)
{
    uint32_t addr = g32(cdb + 2);
    if (!write && addr == 0xE000ED00u && f->cpuid) {
        data[0] = 0x80;
        p32(data + 4, f->cpuid);
        return 0;
    }
    uint8_t word_cdb[STLINK_CDB_SIZE] = {0xF2, write ? 0x08 : 0x07};
    memcpy(word_cdb + 2, cdb + 2, 4);
    word_cdb[6] = 4;
    uint8_t word[4];
    memcpy(word, cdb + 6, 4);
    mem_cmd(f, word_cdb, write ? STLINK_DIR_OUT : STLINK_DIR_IN, word, 4);
    data[0] = f->rw_status;
    if (!write)
        memcpy(data + 4, word, 4);
    return 0;
}

static int debug_cmd(struct fake_stlink *f, const uint8_t *cdb, int dir, uint8_t *data, uint32_t len)
{
    switch (cdb[1]) {
    case 0x35: case 0x36:
        return debug_reg(f, cdb, data, cdb[1] == 0x35);
    case 0x07: case 0x08: case 0x0C: case 0x0D: case 0x47: case 0x48:
        return mem_cmd(f, cdb, dir, data, len);
    case 0x3E:
        data[0] = f->rw_status;
        p32(data + 4, f->rw_fault_addr);
        return 0;
    case 0x3B:
        data[0] = f->rw_status;
        return 0;
    case 0x21:
        f->mode = 1;
        return 0;
    case 0x30:
        f->mode = 2;
        data[0] = 0x80;
        return 0;
    case 0x31:
        data[0] = 0x80;
        p32(data + 4, 0x2BA01477);
        return 0;
    case 0x45: {
        if (take_wait(f)) {
            data[0] = 0x14;
            return 0;
        }
        uint16_t port = (uint16_t)(cdb[2] | cdb[3] << 8), reg = (uint16_t)(cdb[4] | cdb[5] << 8);
        data[0] = 0x80;
        p32(data + 4, port == 0xFFFF ? f->dp[(reg >> 2) & 15] : f->ap_regs[(reg >> 2) & 63]);
        return 0;
    }
    case 0x46: {
        if (take_wait(f)) {
            data[0] = 0x14;
            return 0;
        }
        uint16_t port = (uint16_t)(cdb[2] | cdb[3] << 8), reg = (uint16_t)(cdb[4] | cdb[5] << 8);
        uint32_t value = g32(cdb + 6);
        if (port == 0xFFFF) {
            if (reg == 4) /* mirror power-up requests into acks */
                value |= (value & 0x50000000u) << 1;
            f->dp[(reg >> 2) & 15] = value;
        } else {
            f->ap_regs[(reg >> 2) & 63] = value;
        }
        data[0] = 0x80;
        return 0;
    }
    case 0x62:
        memset(data, 0, len);
        data[0] = 0x80;
        data[8] = 3;
        p32(data + 12, 24000);
        p32(data + 16, 8000);
        p32(data + 20, 1000);
        return 0;
    default: /* 0x3C NRST, 0x43 freq, 0x4B/0x4C AP, 0x61 set freq */
        if (len)
            data[0] = 0x80;
        return 0;
    }
}

static int fake_xfer(struct stlink_transport *t, const uint8_t cdb[STLINK_CDB_SIZE], int dir,
                     uint8_t *data, uint32_t len)
{
    struct fake_stlink *f = (struct fake_stlink *)t;
    if (f->log_count < FAKE_LOG_MAX) {
        memcpy(f->log[f->log_count].cdb, cdb, STLINK_CDB_SIZE);
        f->log[f->log_count].dir = dir;
        f->log[f->log_count].len = len;
        f->log_count++;
    }
    if (dir == STLINK_DIR_IN)
        memset(data, 0, len);
    switch (cdb[0]) {
    case 0xF1: {
        unsigned word = f->v >= 3 ? (3u << 12) : (f->v << 12 | f->j << 6 | f->s);
        data[0] = (uint8_t)(word >> 8);
        data[1] = (uint8_t)word;
        data[2] = 0x83; data[3] = 0x04;
        data[4] = (uint8_t)f->base.pid; data[5] = (uint8_t)(f->base.pid >> 8);
        return 0;
    }
    case 0xFB:
        data[0] = (uint8_t)f->v;
        data[2] = (uint8_t)f->j;
        return 0;
    case 0xF5:
        data[0] = f->mode;
        return 0;
    case 0xF3:
        f->mode = 1;
        return 0;
    case 0xF7: /* adc0 = 1000, adc1 = 1375 -> 3.3 V */
        p32(data, 1000);
        p32(data + 4, 1375);
        return 0;
    case 0xF2:
        return debug_cmd(f, cdb, dir, data, len);
    default:
        return ESPCTL_E_PROTOCOL;
    }
}

static void fake_destroy(struct stlink_transport *t)
{
    ((struct fake_stlink *)t)->destroyed = 1;
}

static const struct stlink_transport_ops fake_ops = {fake_xfer, fake_destroy};

void fake_stlink_init(struct fake_stlink *f, unsigned v, unsigned j, unsigned s)
{
    memset(f, 0, sizeof *f);
    f->base.ops = &fake_ops;
    f->base.vid = 0x0483;
    f->base.pid = v >= 3 ? 0x374f : 0x3748;
    f->base.hw = (uint8_t)(v >= 3 ? 3 : 2);
    f->v = v;
    f->j = j;
    f->s = s;
    f->mode = 0; /* DFU */
    f->rw_status = 0x80;
}
