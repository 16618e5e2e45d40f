#include "esp_image.h"

#include "esp_bytes.h"

#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The ESP-IDF bootloader does not map the last MMU page of an IROM/DROM segment that ends
 * less than this many bytes past a page boundary; espflash pads such segments. */
#define MMU_TAIL_WORKAROUND 0x24u

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static int sha256(const uint8_t *data, size_t len, uint8_t out[32])
{
    unsigned int n = 0;
    return EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) == 1 && n == 32 ? 0 : -1;
}

/* ---- owned segment list ---- */

struct seg {
    uint32_t addr;
    uint8_t *data;
    size_t len;
};

struct seg_list {
    struct seg *items;
    size_t count;
};

static void segs_free(struct seg_list *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i].data);
    free(l->items);
    memset(l, 0, sizeof *l);
}

static int segs_push(struct seg_list *l, uint32_t addr, const uint8_t *data, size_t len)
{
    struct seg *grown = realloc(l->items, (l->count + 1) * sizeof *grown);
    if (!grown)
        return -1;
    l->items = grown;
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return -1;
    memcpy(copy, data, len);
    l->items[l->count++] = (struct seg){addr, copy, len};
    return 0;
}

/* Appends `len` bytes (zeros when data is NULL). */
static int seg_extend(struct seg *s, const uint8_t *data, size_t len)
{
    uint8_t *grown = realloc(s->data, s->len + len + 1);
    if (!grown)
        return -1;
    s->data = grown;
    if (data)
        memcpy(s->data + s->len, data, len);
    else
        memset(s->data + s->len, 0, len);
    s->len += len;
    return 0;
}

static int seg_cmp(const void *a, const void *b)
{
    const struct seg *x = a, *y = b;
    return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/*
 * Sorts by address and merges segments that touch, or that would touch once the first is
 * padded to 4 bytes; then pads every segment to a multiple of 4 (espflash's order: merge
 * first so padding cannot create overlaps).
 */
static int segs_merge_and_align(struct seg_list *l)
{
    if (l->count == 0)
        return 0;
    qsort(l->items, l->count, sizeof *l->items, seg_cmp);
    size_t w = 0;
    for (size_t r = 1; r < l->count; r++) {
        struct seg *last = &l->items[w], *s = &l->items[r];
        uint64_t end = (uint64_t)last->addr + last->len;
        uint64_t slack = (4 - end % 4) % 4;
        if (s->addr >= end && end + slack >= s->addr) {
            if (seg_extend(last, NULL, (size_t)(s->addr - end)) || seg_extend(last, s->data, s->len))
                return -1;
            free(s->data);
            s->data = NULL;
            continue;
        }
        l->items[++w] = *s;
    }
    l->count = w + 1;
    for (size_t i = 0; i < l->count; i++)
        if (l->items[i].len % 4 && seg_extend(&l->items[i], NULL, 4 - l->items[i].len % 4))
            return -1;
    return 0;
}

/* ---- writing ---- */

static void write_header(struct esp_vec *out, const struct esp_image_params *p)
{
    uint8_t h[ESP_IMAGE_HEADER_LEN] = {0};
    h[0] = ESP_IMAGE_MAGIC;
    h[2] = p->flash_mode;
    h[3] = (uint8_t)(p->size_code << 4 | (p->freq_code & 0xF));
    esp_put32(h + 4, p->entry);
    h[8] = 0xEE; /* WP pin: disabled */
    esp_put16(h + 12, p->chip ? p->chip->chip_id : 0);
    h[14] = 0;
    esp_put16(h + 15, p->min_chip_rev_full);
    esp_put16(h + 17, 0xFFFF);
    h[23] = 1; /* SHA-256 appended */
    esp_vec_append(out, h, sizeof h);
}

static uint8_t save_segment(struct esp_vec *out, uint32_t addr, const uint8_t *data, size_t len,
                            uint8_t checksum)
{
    size_t pad = (4 - len % 4) % 4;
    esp_vec_u32(out, addr);
    esp_vec_u32(out, (uint32_t)(len + pad));
    esp_vec_append(out, data, len);
    esp_vec_fill(out, 0, pad);
    for (size_t i = 0; i < len; i++)
        checksum ^= data[i];
    return checksum;
}

/* Pads to len % 16 == 15, stores the checksum, patches the count, appends the SHA-256. */
static int finish_image(struct esp_vec *out, unsigned count, uint8_t checksum, char *err,
                        size_t errlen)
{
    if (count > ESP_IMAGE_MAX_SEGMENTS)
        return fail(err, errlen, "image: %u segments, the bootloader accepts at most %d", count,
                    ESP_IMAGE_MAX_SEGMENTS);
    esp_vec_fill(out, 0, 15 - out->len % 16);
    esp_vec_append(out, &checksum, 1);
    if (out->failed)
        return fail(err, errlen, "image: out of memory");
    out->data[1] = (uint8_t)count;
    uint8_t digest[32];
    if (sha256(out->data, out->len, digest))
        return fail(err, errlen, "image: SHA-256 failed");
    esp_vec_append(out, digest, sizeof digest);
    return out->failed ? fail(err, errlen, "image: out of memory") : 0;
}

int esp_image_write_plain(const struct esp_image_params *p, const struct esp_image_seg *segs,
                          uint32_t count, struct esp_vec *out, char *err, size_t errlen)
{
    write_header(out, p);
    uint8_t checksum = ESP_IMAGE_CHECKSUM_SEED;
    for (uint32_t i = 0; i < count; i++)
        checksum = save_segment(out, segs[i].addr, segs[i].data, segs[i].size, checksum);
    return finish_image(out, count, checksum, err, errlen);
}

/*
 * Bytes of data to put before the next segment header so that the segment's data lands at a
 * file offset congruent to its address modulo `page`; never 1..8 (room for a padding header).
 */
static uint32_t segment_padding(size_t offset, uint32_t addr, uint32_t page)
{
    uint32_t align_past = (addr - ESP_IMAGE_SEGMENT_HEADER_LEN) % page;
    uint32_t pad = ((page - (uint32_t)(offset % page)) + align_past) % page;
    if (pad == 0)
        return 0;
    if (pad > ESP_IMAGE_SEGMENT_HEADER_LEN)
        return pad - ESP_IMAGE_SEGMENT_HEADER_LEN;
    return pad + page - ESP_IMAGE_SEGMENT_HEADER_LEN;
}

static int split_chunks(const struct esp_image_params *p, const struct esp_elf *elf,
                        struct seg_list *flash, struct seg_list *ram)
{
    for (uint32_t i = 0; i < elf->chunk_count; i++) {
        const struct esp_elf_chunk *c = &elf->chunks[i];
        struct seg_list *l = esp_chip_addr_is_flash(p->chip, c->addr) ? flash : ram;
        if (segs_push(l, c->addr, c->data, c->size))
            return -1;
    }
    return segs_merge_and_align(flash) || segs_merge_and_align(ram) ? -1 : 0;
}

static int valid_page(const struct esp_chip_info *chip, uint32_t page)
{
    if (page == ESP_MMU_PAGE)
        return 1;
    /* Chips with a configurable MMU page (esptool/espflash: C2 16-64 KiB, C6/H2 8-64 KiB). */
    if (chip->chip_id == 12)
        return page == 0x4000 || page == 0x8000;
    if (chip->chip_id == 13 || chip->chip_id == 16)
        return page == 0x2000 || page == 0x4000 || page == 0x8000;
    return 0;
}

/*
 * When the ELF has an app descriptor (.flash.appdesc), moves the flash segment holding it to
 * the front, stores the ELF's SHA-256 in it and takes the MMU page size from it (or from its
 * alignment). *page stays 64 KiB otherwise.
 */
static int handle_app_desc(const struct esp_image_params *p, const struct esp_elf *elf,
                           const uint8_t *elf_bytes, size_t elf_size, struct seg_list *flash,
                           uint32_t *page, char *err, size_t errlen)
{
    *page = ESP_MMU_PAGE;
    const struct esp_elf_chunk *desc = NULL;
    for (uint32_t i = 0; i < elf->chunk_count; i++)
        if (!strcmp(elf->chunks[i].name, ".flash.appdesc"))
            desc = &elf->chunks[i];
    if (!desc)
        return 0;
    size_t pos = flash->count;
    for (size_t i = 0; i < flash->count; i++)
        if (flash->items[i].addr <= desc->addr && desc->addr < flash->items[i].addr + flash->items[i].len)
            pos = i;
    if (pos == flash->count)
        return fail(err, errlen, "ELF section .flash.appdesc at 0x%08x is not in a flash-mapped range of %s",
                    desc->addr, p->chip->pretty);
    struct seg moved = flash->items[pos];
    memmove(flash->items + 1, flash->items, pos * sizeof *flash->items);
    flash->items[0] = moved;
    size_t off = desc->addr - moved.addr;
    if (moved.len - off < 256)
        return fail(err, errlen, "ELF section .flash.appdesc at 0x%08x: app descriptor needs 256 bytes, %zu present",
                    desc->addr, moved.len - off);
    uint8_t *d = moved.data + off;
    if (esp_le32(d) != ESP_APP_DESC_MAGIC)
        return fail(err, errlen, "ELF section .flash.appdesc at 0x%08x: magic word 0x%08x is not 0x%08x",
                    desc->addr, esp_le32(d), ESP_APP_DESC_MAGIC);
    if (d[180]) {
        *page = d[180] < 32 ? 1u << d[180] : 0;
    } else {
        static const uint32_t sizes[] = {0x10000, 0x8000, 0x4000, 0x2000};
        *page = 0;
        for (size_t i = 0; i < 4 && !*page; i++)
            if (valid_page(p->chip, sizes[i]) && (desc->addr - 32) % sizes[i] == 0)
                *page = sizes[i];
    }
    if (!*page || !valid_page(p->chip, *page))
        return fail(err, errlen, "ELF section .flash.appdesc at 0x%08x: MMU page size (byte 180 = %u) is not valid for %s",
                    desc->addr, d[180], p->chip->pretty);
    if (sha256(elf_bytes, elf_size, d + 144))
        return fail(err, errlen, "image: SHA-256 failed");
    return 0;
}

int esp_image_build_app(const struct esp_image_params *p, const struct esp_elf *elf,
                        const uint8_t *elf_bytes, size_t elf_size, struct esp_vec *out, char *err,
                        size_t errlen)
{
    struct seg_list flash = {0}, ram = {0};
    uint32_t page = ESP_MMU_PAGE;
    int rc = -1;
    if (split_chunks(p, elf, &flash, &ram)) {
        fail(err, errlen, "image: out of memory");
        goto done;
    }
    if (handle_app_desc(p, elf, elf_bytes, elf_size, &flash, &page, err, errlen))
        goto done;
    write_header(out, p);
    uint8_t checksum = ESP_IMAGE_CHECKSUM_SEED;
    unsigned count = 0;
    size_t ram_next = 0, ram_used = 0; /* first RAM segment not yet written, bytes of it used */
    for (size_t i = 0; i < flash.count; i++) {
        struct seg *s = &flash.items[i];
        for (;;) {
            uint32_t pad = segment_padding(out->len, s->addr, page);
            if (pad == 0)
                break;
            if (pad > ESP_IMAGE_SEGMENT_HEADER_LEN && ram_next < ram.count) {
                /* Fill the gap with RAM data rather than zeros. */
                struct seg *r = &ram.items[ram_next];
                size_t take = r->len - ram_used < pad ? r->len - ram_used : pad;
                checksum = save_segment(out, r->addr + (uint32_t)ram_used, r->data + ram_used, take, checksum);
                ram_used += take;
                if (ram_used == r->len) {
                    ram_next++;
                    ram_used = 0;
                }
            } else {
                esp_vec_u32(out, 0);
                esp_vec_u32(out, pad);
                esp_vec_fill(out, 0, pad);
            }
            count++;
            if (out->failed)
                break;
        }
        uint32_t tail = (uint32_t)((out->len + s->len + ESP_IMAGE_SEGMENT_HEADER_LEN) % page);
        if (tail < MMU_TAIL_WORKAROUND && seg_extend(s, NULL, MMU_TAIL_WORKAROUND - tail)) {
            fail(err, errlen, "image: out of memory");
            goto done;
        }
        checksum = save_segment(out, s->addr, s->data, s->len, checksum);
        count++;
    }
    for (; ram_next < ram.count; ram_next++, ram_used = 0) {
        struct seg *r = &ram.items[ram_next];
        checksum = save_segment(out, r->addr + (uint32_t)ram_used, r->data + ram_used, r->len - ram_used, checksum);
        count++;
    }
    rc = finish_image(out, count, checksum, err, errlen);
done:
    segs_free(&flash);
    segs_free(&ram);
    return rc;
}

/* ---- reading ---- */

int esp_image_parse(const uint8_t *data, size_t size, struct esp_image_info *info, char *err,
                    size_t errlen)
{
    memset(info, 0, sizeof *info);
    if (size < ESP_IMAGE_HEADER_LEN)
        return fail(err, errlen, "image: %zu bytes, shorter than the 24-byte header", size);
    if (data[0] != ESP_IMAGE_MAGIC)
        return fail(err, errlen, "image: magic 0x%02x at offset 0 is not 0xe9", data[0]);
    info->segment_count = data[1];
    if (info->segment_count > ESP_IMAGE_MAX_SEGMENTS)
        return fail(err, errlen, "image: segment count %u at offset 1 exceeds %d", data[1],
                    ESP_IMAGE_MAX_SEGMENTS);
    info->flash_mode = data[2];
    info->size_code = data[3] >> 4;
    info->freq_code = data[3] & 0xF;
    info->entry = esp_le32(data + 4);
    info->chip_id = esp_le16(data + 12);
    info->min_rev = data[14];
    info->min_chip_rev_full = esp_le16(data + 15);
    info->max_chip_rev_full = esp_le16(data + 17);
    info->hash_appended = data[23];
    if (info->hash_appended > 1)
        return fail(err, errlen, "image: hash_appended %u at offset 23 is neither 0 nor 1", data[23]);
    size_t off = ESP_IMAGE_HEADER_LEN;
    uint8_t checksum = ESP_IMAGE_CHECKSUM_SEED;
    for (unsigned i = 0; i < info->segment_count; i++) {
        if (size - off < ESP_IMAGE_SEGMENT_HEADER_LEN)
            return fail(err, errlen, "image: segment %u header at offset 0x%zx runs past the end (%zu bytes)", i, off, size);
        uint32_t addr = esp_le32(data + off), len = esp_le32(data + off + 4);
        off += ESP_IMAGE_SEGMENT_HEADER_LEN;
        if (len > size - off)
            return fail(err, errlen, "image: segment %u (header at offset 0x%zx) length 0x%x runs past the end (%zu bytes)",
                        i, off - 8, len, size);
        info->segs[i] = (struct esp_image_seg_info){addr, len, (uint32_t)off};
        for (uint32_t k = 0; k < len; k++)
            checksum ^= data[off + k];
        off += len;
    }
    off += 15 - off % 16;
    if (off >= size)
        return fail(err, errlen, "image: checksum byte at offset 0x%zx is past the end (%zu bytes)", off, size);
    info->checksum = data[off];
    info->computed_checksum = checksum;
    off++;
    info->sha256_ok = -1;
    if (info->hash_appended) {
        if (size - off < 32)
            return fail(err, errlen, "image: SHA-256 at offset 0x%zx runs past the end (%zu bytes)", off, size);
        uint8_t digest[32];
        if (sha256(data, off, digest))
            return fail(err, errlen, "image: SHA-256 failed");
        info->sha256_ok = !memcmp(digest, data + off, 32);
        off += 32;
    }
    info->length = (uint32_t)off;
    return 0;
}

int esp_image_valid(const struct esp_image_info *info)
{
    return info->checksum == info->computed_checksum && info->sha256_ok != 0;
}

int esp_image_patch_flash_params(uint8_t *data, size_t size, uint8_t mode, uint8_t size_code,
                                 uint8_t freq_code, char *err, size_t errlen)
{
    struct esp_image_info info;
    if (esp_image_parse(data, size, &info, err, errlen))
        return -1;
    data[2] = mode;
    data[3] = (uint8_t)(size_code << 4 | (freq_code & 0xF));
    if (info.hash_appended && sha256(data, info.length - 32, data + info.length - 32))
        return fail(err, errlen, "image: SHA-256 failed");
    return 0;
}
