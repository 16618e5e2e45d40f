/* ELF32/ARM reader: pre-flight checks and the load-address view objcopy uses. */
#include "elf.h"

#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define EHDR_SIZE 52u
#define PHDR_SIZE 32u
#define SHDR_SIZE 40u
#define EM_ARM 40u
#define PT_LOAD 1u
#define SHT_NOBITS 8u
#define SHF_ALLOC 0x2u

struct phdr {
    uint32_t type, offset, vaddr, paddr, filesz, memsz;
};

struct shdr {
    uint32_t type, flags, addr, offset, size;
};

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static struct phdr read_phdr(const uint8_t *p)
{
    struct phdr h = {rd32(p), rd32(p + 4), rd32(p + 8), rd32(p + 12), rd32(p + 16), rd32(p + 20)};
    return h;
}

static struct shdr read_shdr(const uint8_t *p)
{
    struct shdr h = {rd32(p + 4), rd32(p + 8), rd32(p + 12), rd32(p + 16), rd32(p + 20)};
    return h;
}

static int preflight(const uint8_t *d, size_t size, const char *name)
{
    static const uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};
    if (size < 4 || memcmp(d, magic, 4) != 0)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: rule elf-magic: e_ident[EI_MAG0..3] at offset 0 is not 7f 45 4c 46 "
                          "(not an ELF file)", name);
    if (size < 5 || d[4] != 1)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: rule elf-class: e_ident[EI_CLASS] at offset 4 is %d, need 1 (ELFCLASS32)%s",
                          name, size < 5 ? -1 : d[4],
                          size >= 5 && d[4] == 2 ? "; this is a 64-bit ELF" : "");
    if (size < 6 || d[5] != 1)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: rule elf-data: e_ident[EI_DATA] at offset 5 is %d, need 1 (little-endian)%s",
                          name, size < 6 ? -1 : d[5],
                          size >= 6 && d[5] == 2 ? "; this is a big-endian ELF" : "");
    if (size < 20 || rd16(d + 18) != EM_ARM)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: rule elf-machine: e_machine at offset 18 is %d, need 40 (EM_ARM)",
                          name, size < 20 ? -1 : rd16(d + 18));
    if (size > CORE_ELF_MAX_SIZE)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: rule elf-size: file is %zu bytes, limit is %u (16 MiB): data beyond offset %u",
                          name, size, CORE_ELF_MAX_SIZE,
                          CORE_ELF_MAX_SIZE);
    if (size < EHDR_SIZE)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: rule elf-structure: ELF header (offset 0) needs %u bytes, file has %zu",
                          name, EHDR_SIZE, size);
    return 0;
}

static int table_inside(const char *name, const char *what, uint64_t off, uint64_t count,
                        uint64_t entsize, size_t size, const char *field, unsigned field_off)
{
    if (off + count * entsize > size)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: rule elf-structure: %s (%s at offset %u = 0x%llx, %llu entries) "
                          "extends beyond the file (%zu bytes)",
                          name, what, field, field_off, (unsigned long long)off,
                          (unsigned long long)count, size);
    return 0;
}

static int cmp_run(const void *a, const void *b)
{
    const struct core_elf_run *x = a, *y = b;
    return x->lma < y->lma ? -1 : x->lma > y->lma;
}

/* Load address of a section the way BFD assigns it: through the PT_LOAD segment
 * that holds it (when any segment has a non-zero p_paddr), else its address. */
static uint64_t section_lma(const struct shdr *s, const struct phdr *ph, size_t phnum, int use_paddr)
{
    if (!use_paddr)
        return s->addr;
    for (size_t i = 0; i < phnum; i++) {
        const struct phdr *p = &ph[i];
        if (p->type != PT_LOAD)
            continue;
        if ((uint64_t)s->offset < p->offset ||
            (uint64_t)s->offset + s->size > (uint64_t)p->offset + p->filesz)
            continue;
        if (s->addr < p->vaddr || (uint64_t)s->addr + s->size > (uint64_t)p->vaddr + p->memsz)
            continue;
        return (uint64_t)p->paddr + (s->offset - p->offset);
    }
    return s->addr;
}

static int check_segments(const struct phdr *ph, size_t phnum, uint32_t phoff, size_t size,
                          const char *name)
{
    for (size_t i = 0; i < phnum; i++) {
        const struct phdr *p = &ph[i];
        unsigned at = (unsigned)(phoff + i * PHDR_SIZE);
        if (p->type != PT_LOAD)
            continue;
        if ((uint64_t)p->offset + p->filesz > size)
            return core_error(ESPCTL_E_FORMAT,
                              "%s: rule elf-structure: program header %zu (offset %u): p_offset 0x%x + "
                              "p_filesz 0x%x lies beyond the file (%zu bytes)",
                              name, i, at, p->offset, p->filesz, size);
        if (p->filesz > p->memsz)
            return core_error(ESPCTL_E_FORMAT,
                              "%s: rule elf-structure: program header %zu (offset %u): p_filesz 0x%x "
                              "exceeds p_memsz 0x%x", name, i, at, p->filesz, p->memsz);
        if ((uint64_t)p->paddr + p->filesz > 0x100000000ull)
            return core_error(ESPCTL_E_FORMAT,
                              "%s: rule elf-structure: program header %zu (offset %u): p_paddr 0x%x + "
                              "p_filesz 0x%x wraps the 32-bit address space", name, i, at, p->paddr,
                              p->filesz);
        if (p->filesz == 0)
            continue;
        for (size_t j = 0; j < i; j++) {
            const struct phdr *q = &ph[j];
            if (q->type != PT_LOAD || q->filesz == 0)
                continue;
            if (p->paddr < (uint64_t)q->paddr + q->filesz && q->paddr < (uint64_t)p->paddr + p->filesz)
                return core_error(ESPCTL_E_FORMAT,
                                  "%s: rule elf-overlap: loadable segment %zu (program header at offset "
                                  "%u, p_paddr 0x%x..0x%llx) overlaps segment %zu (p_paddr 0x%x..0x%llx)",
                                  name, i, at, p->paddr, (unsigned long long)p->paddr + p->filesz, j,
                                  q->paddr, (unsigned long long)q->paddr + q->filesz);
        }
    }
    return 0;
}

static int collect_runs(struct core_elf_image *image, const uint8_t *d, size_t size,
                        const struct phdr *ph, size_t phnum, uint32_t phoff, uint32_t shoff, size_t shnum,
                        const char *name)
{
    int use_paddr = 0;
    for (size_t i = 0; i < phnum; i++)
        use_paddr |= ph[i].type == PT_LOAD && ph[i].paddr != 0;

    size_t cap = shnum ? shnum : phnum;
    image->runs = calloc(cap ? cap : 1, sizeof *image->runs);
    if (!image->runs)
        return core_error(ESPCTL_E_NOMEM, "%s: out of memory", name);
    if (shnum) {
        for (size_t i = 0; i < shnum; i++) {
            unsigned at = (unsigned)(shoff + i * SHDR_SIZE);
            struct shdr s = read_shdr(d + at);
            if (!(s.flags & SHF_ALLOC) || s.type == SHT_NOBITS || s.size == 0)
                continue;
            if ((uint64_t)s.offset + s.size > size)
                return core_error(ESPCTL_E_FORMAT,
                                  "%s: rule elf-structure: section header %zu (offset %u): sh_offset "
                                  "0x%x + sh_size 0x%x lies beyond the file (%zu bytes)",
                                  name, i, at, s.offset, s.size, size);
            uint64_t lma = section_lma(&s, ph, phnum, use_paddr);
            if (lma + s.size > 0x100000000ull)
                return core_error(ESPCTL_E_FORMAT,
                                  "%s: rule elf-structure: section header %zu (offset %u): load address "
                                  "0x%llx + size 0x%x wraps the 32-bit address space",
                                  name, i, at, (unsigned long long)lma, s.size);
            image->runs[image->run_count++] =
                (struct core_elf_run){(uint32_t)lma, s.size, d + s.offset, at};
        }
    } else {
        for (size_t i = 0; i < phnum; i++) {
            if (ph[i].type != PT_LOAD || ph[i].filesz == 0)
                continue;
            image->runs[image->run_count++] =
                (struct core_elf_run){ph[i].paddr, ph[i].filesz, d + ph[i].offset,
                                      (uint32_t)(phoff + i * PHDR_SIZE)};
        }
    }
    qsort(image->runs, image->run_count, sizeof *image->runs, cmp_run);
    for (size_t i = 1; i < image->run_count; i++) {
        const struct core_elf_run *a = &image->runs[i - 1], *b = &image->runs[i];
        if ((uint64_t)a->lma + a->size > b->lma)
            return core_error(ESPCTL_E_FORMAT,
                              "%s: rule elf-overlap: loadable range 0x%x..0x%llx (header at offset %u) overlaps "
                              "0x%x..0x%llx (header at offset %u)",
                              name, a->lma, (unsigned long long)a->lma + a->size, a->header_offset, b->lma,
                              (unsigned long long)b->lma + b->size, b->header_offset);
    }
    return 0;
}

int core_elf_parse(struct core_elf_image *image, const uint8_t *d, size_t size, const char *name,
                   uint64_t max_span)
{
    memset(image, 0, sizeof *image);
    int rc = preflight(d, size, name);
    if (rc)
        return rc;
    uint32_t phoff = rd32(d + 28), shoff = rd32(d + 32);
    uint16_t ehsize = rd16(d + 40), phentsize = rd16(d + 42), phnum = rd16(d + 44);
    uint16_t shentsize = rd16(d + 46), shnum = rd16(d + 48);
    if (ehsize < EHDR_SIZE)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: rule elf-structure: e_ehsize at offset 40 is %u, need >= %u", name,
                          ehsize, EHDR_SIZE);
    if (phnum && phentsize != PHDR_SIZE)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: rule elf-structure: e_phentsize at offset 42 is %u, need %u", name,
                          phentsize, PHDR_SIZE);
    if (shnum && shentsize != SHDR_SIZE)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: rule elf-structure: e_shentsize at offset 46 is %u, need %u", name,
                          shentsize, SHDR_SIZE);
    if (phnum == 0)
        return core_error(ESPCTL_E_FORMAT,
                          "%s: rule elf-structure: e_phnum at offset 44 is 0 (no program headers; "
                          "not a linked executable)", name);
    if ((rc = table_inside(name, "program header table", phoff, phnum, PHDR_SIZE, size, "e_phoff", 28)))
        return rc;
    if ((rc = table_inside(name, "section header table", shoff, shnum, SHDR_SIZE, size, "e_shoff", 32)))
        return rc;

    struct phdr *ph = calloc(phnum, sizeof *ph);
    if (!ph)
        return core_error(ESPCTL_E_NOMEM, "%s: out of memory", name);
    for (size_t i = 0; i < phnum; i++)
        ph[i] = read_phdr(d + phoff + i * PHDR_SIZE);
    rc = check_segments(ph, phnum, phoff, size, name);
    if (!rc)
        rc = collect_runs(image, d, size, ph, phnum, phoff, shoff, shnum, name);
    free(ph);
    if (rc) {
        core_elf_release(image);
        return rc;
    }
    if (image->run_count == 0) {
        core_elf_release(image);
        return core_error(ESPCTL_E_FORMAT,
                          "%s: rule elf-structure: no loadable section with contents (empty image; headers at "
                          "offset %u)", name, shoff ? shoff : phoff);
    }
    const struct core_elf_run *last = &image->runs[image->run_count - 1];
    image->base = image->runs[0].lma;
    image->span = (uint64_t)last->lma + last->size - image->base;
    image->entry = rd32(d + 24);
    if (image->span > max_span) {
        uint64_t span = image->span;
        uint32_t base = image->base;
        core_elf_release(image);
        return core_error(ESPCTL_E_FORMAT,
                          "%s: rule image-span: loadable bytes span 0x%x..0x%llx (%llu bytes), limit "
                          "is %llu; the binary image would be mostly gap (program headers at offset %u)",
                          name, base, (unsigned long long)base + span, (unsigned long long)span,
                          (unsigned long long)max_span, phoff);
    }
    return 0;
}

void core_elf_release(struct core_elf_image *image)
{
    free(image->runs);
    memset(image, 0, sizeof *image);
}

int core_elf_write_bin(const struct core_elf_image *image, core_sink_fn sink, void *user)
{
    static const uint8_t zeros[65536];
    uint64_t at = image->base;
    for (size_t i = 0; i < image->run_count; i++) {
        const struct core_elf_run *r = &image->runs[i];
        while (at < r->lma) {
            size_t n = r->lma - at > sizeof zeros ? sizeof zeros : (size_t)(r->lma - at);
            int rc = sink(user, zeros, n);
            if (rc)
                return rc;
            at += n;
        }
        int rc = sink(user, r->data, r->size);
        if (rc)
            return rc;
        at += r->size;
    }
    return 0;
}
