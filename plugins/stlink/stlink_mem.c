/* MEM-AP memory transfers: split at the probe's limits and, where the firmware does not
 * rewrite TAR itself, at TAR auto-increment blocks; then check the last read/write status
 * of every command. */
#include "stlink_probe.h"

#include <string.h>

#define CSW_DEFAULT_HIGH 0xA20000u /* CSW bits 31:8 (HPROT, DbgSwEnable) as OpenOCD sends */

int stlink_firmware_sets_tar(const struct stlink_probe *p)
{
    return (p->features & STLINK_F_CSW) && !p->env.tar_block_configured;
}

uint32_t stlink_mem_chunk_limit(const struct stlink_probe *p, uint32_t width)
{
    uint32_t limit = STLINK_DATA_BUFFER;
    if (width == 8)
        limit = (p->features & STLINK_F_MEM8_512) ? 512u : 64u;
    if (p->t->max_data && p->t->max_data < limit)
        limit = p->t->max_data;
    if (!stlink_firmware_sets_tar(p) && p->env.tar_block < limit)
        limit = p->env.tar_block;
    return limit;
}

static int check_args(struct stlink_probe *p, uint32_t ap, uint64_t addr, uint32_t width,
                      uint32_t len)
{
    if (width != 8 && width != 16 && width != 32)
        return stlink_fail(&p->env, ESPCTL_E_INVAL, "memory access width %u (8, 16 or 32)", width);
    uint32_t unit = width / 8;
    if ((addr % unit) || (len % unit))
        return stlink_fail(&p->env, ESPCTL_E_INVAL,
                           "%u-bit access at 0x%08llx length %u is not %u-byte aligned", width,
                           (unsigned long long)addr, len, unit);
    if (addr > UINT32_MAX || addr + len - (len ? 1 : 0) > UINT32_MAX)
        return stlink_fail(&p->env, ESPCTL_E_INVAL, "address 0x%llx beyond the 32-bit bus",
                           (unsigned long long)addr);
    if (width == 16 && !(p->features & STLINK_F_MEM16))
        return stlink_fail(&p->env, ESPCTL_E_NOT_SUPPORTED,
                           "16-bit memory access needs ST-Link firmware J26 or later (have %s)",
                           p->firmware);
    if (ap != 0 && !(p->features & STLINK_F_CSW))
        return stlink_fail(&p->env, ESPCTL_E_NOT_SUPPORTED,
                           "memory access through AP %u needs ST-Link firmware J32 or later (have %s)",
                           ap, p->firmware);
    if (ap > 255)
        return stlink_fail(&p->env, ESPCTL_E_INVAL, "AP %u out of range", ap);
    return 0;
}

/* Bytes of the next command: within the limit, and inside the current TAR block unless
 * the firmware rewrites TAR itself. */
static uint32_t next_chunk(const struct stlink_probe *p, uint32_t addr, uint32_t left,
                           uint32_t width)
{
    uint32_t n = stlink_mem_chunk_limit(p, width);
    if (!stlink_firmware_sets_tar(p)) {
        uint32_t to_block_end = p->env.tar_block - (addr & (p->env.tar_block - 1u));
        n = n < to_block_end ? n : to_block_end;
    }
    return n < left ? n : left;
}

static void fill_cdb(const struct stlink_probe *p, uint8_t cdb[STLINK_CDB_SIZE], uint8_t op,
                     uint32_t ap, uint32_t addr, uint32_t len)
{
    memset(cdb, 0, STLINK_CDB_SIZE);
    cdb[0] = 0xF2;
    cdb[1] = op;
    stlink_put32(cdb + 2, addr);
    stlink_put16(cdb + 6, len);
    if (p->features & STLINK_F_CSW) {
        cdb[8] = (uint8_t)ap;
        cdb[9] = (uint8_t)CSW_DEFAULT_HIGH;
        cdb[10] = (uint8_t)(CSW_DEFAULT_HIGH >> 8);
        cdb[11] = (uint8_t)(CSW_DEFAULT_HIGH >> 16);
    }
}

/* Status of the last memory command: 0 OK, 1 WAIT, else negative with detail. */
static int last_rw_status(struct stlink_probe *p, const char *what, uint32_t addr)
{
    uint8_t cdb[STLINK_CDB_SIZE] = {0xF2, 0x3B};
    uint8_t reply[12] = {0};
    uint32_t reply_len = 2;
    if (p->features & STLINK_F_RW_STATUS2) {
        cdb[1] = 0x3E;
        reply_len = 12;
    }
    int rc = stlink_cmd_raw(p, cdb, STLINK_DIR_IN, reply, reply_len);
    if (rc < 0)
        return rc;
    int cls = stlink_status_class(reply[0]);
    if (cls >= 0)
        return cls;
    uint32_t fault_addr = reply_len == 12 ? stlink_get32(reply + 4) : 0;
    if (!fault_addr)
        fault_addr = addr;
    if (cls == ESPCTL_E_TARGET)
        stlink_clear_sticky(p);
    return stlink_fail(&p->env, cls, "%s at 0x%08x: ST-Link status 0x%02x (%s)", what, fault_addr,
                       reply[0], stlink_status_name(reply[0]));
}

static uint8_t op_for(uint32_t width, int write)
{
    if (width == 8)
        return write ? 0x0D : 0x0C;
    if (width == 16)
        return write ? 0x48 : 0x47;
    return write ? 0x08 : 0x07;
}

/* One command, retried while the target answers WAIT. */
static int transfer_chunk(struct stlink_probe *p, uint32_t ap, uint32_t addr, uint32_t width,
                          uint8_t *data, uint32_t n, int write)
{
    const char *what = write ? "memory write" : "memory read";
    uint8_t cdb[STLINK_CDB_SIZE];
    fill_cdb(p, cdb, op_for(width, write), ap, addr, n);
    for (int attempt = 0;; attempt++) {
        int rc;
        if (write) {
            rc = stlink_cmd_raw(p, cdb, STLINK_DIR_OUT, data, n);
        } else if (n == 1) {
            uint8_t two[2]; /* the firmware answers a 1-byte read with 2 bytes */
            rc = stlink_cmd_raw(p, cdb, STLINK_DIR_IN, two, 2);
            data[0] = two[0];
        } else {
            rc = stlink_cmd_raw(p, cdb, STLINK_DIR_IN, data, n);
        }
        if (rc < 0)
            return rc;
        rc = last_rw_status(p, what, addr);
        if (rc <= 0)
            return rc;
        if (attempt >= STLINK_WAIT_RETRIES) {
            stlink_clear_sticky(p);
            return stlink_fail(&p->env, ESPCTL_E_TIMEOUT,
                               "%s at 0x%08x: target kept answering WAIT after %d retries", what,
                               addr, STLINK_WAIT_RETRIES);
        }
        const struct espctl_host *h = p->env.host;
        if ((h->cancelled && h->cancelled(h)) || h->sleep_us(h, 1000ull << attempt))
            return stlink_fail(&p->env, ESPCTL_E_CANCELLED, "%s at 0x%08x: cancelled", what, addr);
    }
}

/* One aligned 32-bit word through AP 0 with READDEBUGREG/WRITEDEBUGREG: the status
 * comes back in the same reply, so a register access costs one round trip, not two. */
static int single_word(struct stlink_probe *p, uint32_t addr, uint8_t *buf, int write)
{
    uint8_t cdb[STLINK_CDB_SIZE] = {0xF2, write ? 0x35 : 0x36};
    uint8_t reply[8];
    stlink_put32(cdb + 2, addr);
    if (write)
        memcpy(cdb + 6, buf, 4);
    int rc = stlink_cmd_status(p, cdb, reply, write ? 2 : 8, write ? "memory write" : "memory read",
                               addr);
    if (rc == 0 && !write)
        memcpy(buf, reply + 4, 4);
    return rc;
}

static int transfer(struct stlink_probe *p, uint32_t ap, uint64_t addr64, uint32_t width,
                    uint8_t *buf, uint32_t len, int write)
{
    int rc = check_args(p, ap, addr64, width, len);
    if (!rc)
        rc = stlink_ap_prepare(p, ap);
    if (rc)
        return rc;
    if (ap == 0 && width == 32 && len == 4)
        return single_word(p, (uint32_t)addr64, buf, write);
    const struct espctl_host *h = p->env.host;
    uint32_t addr = (uint32_t)addr64;
    while (len) {
        if (h->cancelled && h->cancelled(h))
            return stlink_fail(&p->env, ESPCTL_E_CANCELLED, "memory transfer at 0x%08x: cancelled", addr);
        uint32_t n = next_chunk(p, addr, len, width);
        rc = transfer_chunk(p, ap, addr, width, buf, n, write);
        if (rc)
            return rc;
        addr += n;
        buf += n;
        len -= n;
    }
    return 0;
}

int stlink_mem_read(struct stlink_probe *p, uint32_t ap, uint64_t addr, uint32_t width,
                    uint8_t *buf, uint32_t len)
{
    return transfer(p, ap, addr, width, buf, len, 0);
}

int stlink_mem_write(struct stlink_probe *p, uint32_t ap, uint64_t addr, uint32_t width,
                     const uint8_t *buf, uint32_t len)
{
    /* The transports only read from `buf` on OUT transfers. */
    return transfer(p, ap, addr, width, (uint8_t *)(uintptr_t)buf, len, 1);
}

#define CPUID_ADDR 0xE000ED00u
#define CPUID_PARTNO(v) (((v) >> 4) & 0xFFFu)
#define CPUID_ARM(v) (((v) >> 24) == 0x41u)
#define PARTNO_CORTEX_M3 0xC23u
#define PARTNO_CORTEX_M4 0xC24u

void stlink_choose_tar_block(struct stlink_probe *p)
{
    if (p->env.tar_block_configured)
        return;
    p->env.tar_block = 1024;
    if (stlink_firmware_sets_tar(p)) {
        stlink_log(&p->env, ESPCTL_LOG_DEBUG,
                   "firmware %s rewrites TAR inside memory commands: no TAR block split", p->firmware);
        return;
    }
    uint8_t word[4];
    if (stlink_ap_prepare(p, 0) != 0 || single_word(p, CPUID_ADDR, word, 0) != 0) {
        stlink_log(&p->env, ESPCTL_LOG_DEBUG, "CPUID unreadable at connect; TAR block stays 1 KiB");
        return;
    }
    uint32_t cpuid = stlink_get32(word);
    if (CPUID_ARM(cpuid) &&
        (CPUID_PARTNO(cpuid) == PARTNO_CORTEX_M3 || CPUID_PARTNO(cpuid) == PARTNO_CORTEX_M4))
        p->env.tar_block = 4096;
    stlink_log(&p->env, ESPCTL_LOG_DEBUG, "CPUID 0x%08x: TAR auto-increment block %u bytes", cpuid,
               p->env.tar_block);
}
