#include "probe_flash.h"

#include "probe_flash_chips.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define PF_MAX_REGIONS 32u
/* Erase block when the probe has no memory map and the chip's sector map is unknown:
 * such a probe erases any range (ESPCTL_FLASH_WRITER_NO_MAP). */
#define PF_FALLBACK_BLOCK 4096u
/* Largest write unit: the engine compares and programs in multiples of it. */
#define PF_MAX_UNIT 256u
#define PF_WRITE_CHUNK 65536u

struct pf_flash {
    struct cm_link *link;
    const struct espctl_flash_writer *fw;
    const struct pf_chip *chip;
    uint64_t base, size;
    uint32_t region_count;
    struct espctl_flash_region regions[PF_MAX_REGIONS];
};

const struct espctl_flash_writer *pf_writer(const struct cm_link *link)
{
    const struct espctl_probe_driver *d = link->drv;
    struct espctl_probe_caps caps = {.hdr = ESPCTL_ABI_HDR(struct espctl_probe_caps)};
    if (!d->caps || !ESPCTL_HAS_FN(d, struct espctl_probe_driver, get_extension) ||
        !d->get_extension || d->caps(link->probe, &caps) != 0 ||
        !(caps.flags & ESPCTL_PROBE_CAP_FLASH_WRITE))
        return NULL;
    const struct espctl_flash_writer *fw = d->get_extension(link->probe, ESPCTL_EXT_FLASH_WRITER);
    if (!fw || fw->hdr.struct_size < sizeof *fw || !fw->region_count || !fw->region || !fw->erase ||
        !fw->write || !fw->done)
        return NULL;
    return fw;
}

static int pf_sector_at(void *flash, uint64_t address, uint64_t *start, uint64_t *size)
{
    struct pf_flash *f = flash;
    for (uint32_t i = 0; i < f->region_count; i++) {
        const struct espctl_flash_region *r = &f->regions[i];
        if (address >= r->start && address - r->start < r->length) {
            *start = r->start + (address - r->start) / r->block_size * r->block_size;
            *size = r->block_size;
            return 0;
        }
    }
    if (f->region_count == 0 && f->chip &&
        pf_chip_sector(f->chip, f->base, f->size, address, start, size) == 0)
        return 0;
    if (f->region_count == 0 && !f->chip && address >= f->base && address - f->base < f->size) {
        *start = address - (address - f->base) % PF_FALLBACK_BLOCK;
        *size = PF_FALLBACK_BLOCK;
        return 0;
    }
    return cm_error(f->link->host, ESPCTL_E_INVAL,
                    "layout: 0x%08llx is in no flash region the probe can write",
                    (unsigned long long)address);
}

static int pf_erase_sector(void *flash, uint64_t start)
{
    struct pf_flash *f = flash;
    uint64_t at, size;
    int rc = pf_sector_at(f, start, &at, &size);
    if (rc)
        return rc;
    return f->fw->erase(f->link->probe, at, size);
}

static int pf_mass_erase(void *flash)
{
    struct pf_flash *f = flash;
    if (f->region_count == 0)
        return f->fw->erase(f->link->probe, f->base, f->size);
    for (uint32_t i = 0; i < f->region_count; i++) {
        int rc = f->fw->erase(f->link->probe, f->regions[i].start, f->regions[i].length);
        if (rc)
            return rc;
    }
    return 0;
}

static int pf_program(void *flash, uint64_t address, const uint8_t *data, uint64_t length)
{
    struct pf_flash *f = flash;
    for (uint64_t done = 0; done < length;) {
        uint32_t n = length - done < PF_WRITE_CHUNK ? (uint32_t)(length - done) : PF_WRITE_CHUNK;
        int rc = f->fw->write(f->link->probe, address + done, data + done, n);
        if (rc)
            return rc;
        done += n;
    }
    return 0;
}

static void pf_close(void *flash)
{
    free(flash);
}

int pf_commit(void *flash)
{
    struct pf_flash *f = flash;
    return f->fw->done(f->link->probe);
}

static const struct espctl_chip_family pf_family = {
    .hdr = ESPCTL_ABI_HDR(struct espctl_chip_family),
    .name = "probe-written flash",
    .description = "flash programmed by the probe itself (espctl.flash-writer/1)",
    .arch = "cortexm",
    .sector_at = pf_sector_at,
    .erase_sector = pf_erase_sector,
    .mass_erase = pf_mass_erase,
    .program = pf_program,
    .flash_close = pf_close,
};

static int read_regions(struct pf_flash *f)
{
    uint32_t n = f->fw->region_count(f->link->probe);
    if (n > PF_MAX_REGIONS)
        return cm_error(f->link->host, ESPCTL_E_PROTOCOL,
                        "flash: the probe reports %u flash regions (at most %u supported)", n,
                        PF_MAX_REGIONS);
    uint64_t lo = UINT64_MAX, hi = 0;
    for (uint32_t i = 0; i < n; i++) {
        struct espctl_flash_region *r = &f->regions[i];
        *r = (struct espctl_flash_region){.hdr = ESPCTL_ABI_HDR(struct espctl_flash_region)};
        int rc = f->fw->region(f->link->probe, i, r);
        if (rc)
            return rc;
        if (r->block_size == 0 || r->length == 0 || r->length % r->block_size ||
            r->start > UINT64_MAX - r->length)
            return cm_error(f->link->host, ESPCTL_E_PROTOCOL,
                            "flash: probe region %u (0x%08llx, %llu bytes, block %u) is malformed", i,
                            (unsigned long long)r->start, (unsigned long long)r->length,
                            r->block_size);
        lo = r->start < lo ? r->start : lo;
        hi = r->start + r->length > hi ? r->start + r->length : hi;
    }
    f->region_count = n;
    if (n) {
        f->base = lo;
        f->size = hi - lo;
    }
    return 0;
}

static const struct espctl_mem_region *flash_region(const struct espctl_chip_desc *chip)
{
    for (uint32_t i = 0; chip && chip->regions && i < chip->region_count; i++)
        if (chip->regions[i].kind == ESPCTL_MEM_FLASH)
            return &chip->regions[i];
    return NULL;
}

/* The largest power of two up to PF_MAX_UNIT dividing every erase block. */
static uint32_t write_unit(const struct pf_flash *f)
{
    uint32_t unit = PF_MAX_UNIT;
    for (uint32_t i = 0; i < f->region_count; i++)
        while (unit > 1 && f->regions[i].block_size % unit)
            unit /= 2;
    return unit;
}

int pf_open(struct cm_link *link, const struct espctl_flash_writer *fw,
            const struct espctl_chip_desc *chip, const struct espctl_chip_family **family,
            void **flash, struct espctl_flash_geometry *geometry)
{
    struct pf_flash *f = calloc(1, sizeof *f);
    if (!f)
        return cm_error(link->host, ESPCTL_E_NOMEM, "flash: out of memory");
    f->link = link;
    f->fw = fw;
    f->chip = chip ? pf_chip_of(chip) : NULL;
    int rc = read_regions(f);
    if (rc == 0 && f->region_count == 0) {
        const struct espctl_mem_region *r = flash_region(chip);
        if (r) {
            f->base = r->base;
            f->size = chip->flash_size ? chip->flash_size : r->size;
        } else {
            rc = cm_error(link->host, ESPCTL_E_INVAL,
                          "flash: the probe has no memory map and the chip is unknown; name it "
                          "with --chip");
        }
    }
    if (rc) {
        free(f);
        return rc;
    }
    *geometry = (struct espctl_flash_geometry){.hdr = ESPCTL_ABI_HDR(struct espctl_flash_geometry),
                                               .base = f->base, .size = f->size,
                                               .write_unit = write_unit(f), .erased_value = 0xFF,
                                               .bank_count = 1};
    *family = &pf_family;
    *flash = f;
    cm_log(link->host, ESPCTL_LOG_DEBUG,
           "flash written by the probe: 0x%08llx..0x%08llx, %s, write unit %u",
           (unsigned long long)f->base, (unsigned long long)(f->base + f->size),
           f->region_count ? "probe memory map" : f->chip ? "chip sector map" : "4 KiB blocks",
           geometry->write_unit);
    return 0;
}
