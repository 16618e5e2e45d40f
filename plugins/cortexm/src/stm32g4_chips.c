/* STM32G4 chip table and identification by DBGMCU_IDCODE. */
#include "stm32g4.h"

#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* One product line: part names are "stm32g" line package size, e.g. stm32g431rb. */
struct g4_line {
    const char *line;
    uint32_t device_id;
    uint32_t ram_kib; /* SRAM1 + SRAM2, contiguous from 0x20000000 */
    const char *packages;
    const char *sizes;
};

static const struct g4_line lines[] = {
    {"431", G4_DEV_G43X_G44X, 22, "CKMRV", "68B"},
    {"441", G4_DEV_G43X_G44X, 22, "CKMRV", "B"},
    {"471", G4_DEV_G47X_G48X, 96, "CMQRV", "CE"},
    {"473", G4_DEV_G47X_G48X, 96, "CMQRV", "BCE"},
    {"474", G4_DEV_G47X_G48X, 96, "CMQRV", "BCE"},
    {"491", G4_DEV_G49X_G4AX, 96, "CKMRV", "CE"},
    {"4a1", G4_DEV_G49X_G4AX, 96, "CKMRV", "E"},
};

static uint32_t size_kib(char code)
{
    switch (code) {
    case '6': return 32;
    case '8': return 64;
    case 'B': return 128;
    case 'C': return 256;
    case 'E': return 512;
    default: return 0;
    }
}

uint32_t g4_max_flash(uint32_t device_id)
{
    switch (device_id) {
    case G4_DEV_G43X_G44X: return 128u * 1024u;
    case G4_DEV_G47X_G48X:
    case G4_DEV_G49X_G4AX: return 512u * 1024u;
    default: return 0;
    }
}

static int g4_identify(void *family_data, const struct espctl_target_mem *mem,
                       const struct espctl_chip_desc **chip)
{
    struct g4_family *fam = family_data;
    uint32_t idcode = 0;
    int rc = mem->read32(mem->ctx, G4_DBGMCU_IDCODE, &idcode);
    if (rc)
        return rc;
    uint32_t dev = idcode & 0xFFFu;
    /* The largest part of the line stands for it; the size register tells the rest. */
    const struct espctl_chip_desc *best = NULL;
    for (const struct espctl_chip_desc *const *d = fam->list; *d; d++)
        if ((*d)->device_id == dev && (!best || (*d)->flash_size > best->flash_size))
            best = *d;
    if (!best)
        return cm_error(fam->host, ESPCTL_E_NOT_FOUND,
                        "identify: DBGMCU_IDCODE 0x%08x (device id 0x%03x) is not an STM32G4",
                        idcode, dev);
    *chip = best;
    return 0;
}

static void add_part(struct g4_family *fam, size_t *n, const struct g4_line *l, char pkg,
                     char size)
{
    if (*n >= G4_MAX_CHIPS)
        return;
    size_t i = (*n)++;
    char lower_pkg = (char)tolower((unsigned char)pkg), lower_size = (char)tolower((unsigned char)size);
    snprintf(fam->names[i], sizeof fam->names[i], "stm32g%s%c%c", l->line, lower_pkg, lower_size);
    char upper_line[8];
    size_t k = 0;
    for (; l->line[k] && k + 1 < sizeof upper_line; k++)
        upper_line[k] = (char)toupper((unsigned char)l->line[k]);
    upper_line[k] = '\0';
    snprintf(fam->probe_rs_names[i], sizeof fam->probe_rs_names[i], "STM32G%s%c%cTx", upper_line,
             pkg, size);
    uint32_t flash = size_kib(size) * 1024u;
    fam->regions[i][0] = (struct espctl_mem_region){G4_FLASH_BASE, flash, ESPCTL_MEM_FLASH, 0};
    fam->regions[i][1] =
        (struct espctl_mem_region){G4_RAM_BASE, (uint64_t)l->ram_kib * 1024u, ESPCTL_MEM_RAM, 0};
    fam->descs[i] = (struct espctl_chip_desc){
        .hdr = ESPCTL_ABI_HDR(struct espctl_chip_desc),
        .name = fam->names[i],
        .probe_rs_name = fam->probe_rs_names[i],
        .device_id = l->device_id,
        .flash_size = flash,
        .region_count = 2,
        .regions = fam->regions[i],
    };
    fam->list[i] = &fam->descs[i];
}

void g4_family_init(struct g4_family *fam, const struct espctl_host *host,
                    struct espctl_chip_family *vt)
{
    memset(fam, 0, sizeof *fam);
    fam->host = host;
    size_t n = 0;
    for (size_t li = 0; li < sizeof lines / sizeof lines[0]; li++)
        for (const char *p = lines[li].packages; *p; p++)
            for (const char *s = lines[li].sizes; *s; s++)
                add_part(fam, &n, &lines[li], *p, *s);
    fam->list[n] = NULL;
    *vt = (struct espctl_chip_family){
        .hdr = ESPCTL_ABI_HDR(struct espctl_chip_family),
        .name = "stm32g4",
        .description = "STM32G4 (G431/G441/G471/G473/G474/G491/G4A1) flash controller",
        .arch = "cortexm",
        .family_data = fam,
        .chips = fam->list,
        .identify = g4_identify,
        .flash_open = g4_flash_open,
        .sector_at = g4_sector_at,
        .erase_sector = g4_erase_sector,
        .mass_erase = g4_mass_erase,
        .program = g4_program,
        .flash_close = g4_flash_close,
    };
}
