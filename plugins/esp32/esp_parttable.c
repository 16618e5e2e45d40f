#include "esp_parttable.h"

#include "esp_bytes.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define APP_ALIGN 0x10000u
#define DATA_ALIGN 0x1000u
#define MAX_APP_SIZE (16u * 1000u * 1024u)

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

struct name_code {
    const char *name;
    uint8_t code;
};
static const struct name_code data_subtypes[] = {
    {"ota", 0x00}, {"phy", 0x01}, {"nvs", 0x02}, {"coredump", 0x03}, {"nvs_keys", 0x04},
    {"efuse", 0x05}, {"undefined", 0x06}, {"esphttpd", 0x80}, {"fat", 0x81}, {"spiffs", 0x82},
    {"littlefs", 0x83}, {NULL, 0}};

const char *esp_pt_type_name(uint8_t type)
{
    return type == ESP_PT_TYPE_APP ? "app" : type == ESP_PT_TYPE_DATA ? "data" : NULL;
}

const char *esp_pt_subtype_name(uint8_t type, uint8_t subtype)
{
    if (type == ESP_PT_TYPE_APP) {
        if (subtype == 0)
            return "factory";
        if (subtype == 0x20)
            return "test";
        if (subtype >= 0x10 && subtype < 0x18) {
            /* ota_0..ota_7 by name; higher slots are reported numerically */
            static const char *const names[] = {"ota_0", "ota_1", "ota_2", "ota_3",
                                                "ota_4", "ota_5", "ota_6", "ota_7"};
            return names[subtype - 0x10];
        }
        return NULL;
    }
    if (type == ESP_PT_TYPE_DATA)
        for (const struct name_code *n = data_subtypes; n->name; n++)
            if (n->code == subtype)
                return n->name;
    return NULL;
}

static void add(struct esp_pt *pt, const char *label, uint8_t type, uint8_t subtype, uint32_t offset,
                uint32_t size)
{
    struct esp_partition *p = &pt->entries[pt->count++];
    memset(p, 0, sizeof *p);
    snprintf(p->label, sizeof p->label, "%s", label);
    p->type = type;
    p->subtype = subtype;
    p->offset = offset;
    p->size = size;
}

void esp_pt_default(struct esp_pt *pt, uint32_t flash_size)
{
    pt->count = 0;
    add(pt, "nvs", ESP_PT_TYPE_DATA, 0x02, 0x9000, 0x6000);
    add(pt, "phy_init", ESP_PT_TYPE_DATA, 0x01, 0xF000, 0x1000);
    uint32_t app = flash_size > 0x10000 ? flash_size - 0x10000 : 0;
    add(pt, "factory", ESP_PT_TYPE_APP, ESP_PT_SUBTYPE_FACTORY, 0x10000, app < MAX_APP_SIZE ? app : MAX_APP_SIZE);
}

/* gen_esp32part.py number syntax: decimal or 0x hex, optional K or M suffix. */
static int parse_number(const char *s, uint32_t *out)
{
    size_t n = strlen(s);
    uint64_t mult = 1;
    if (n && (s[n - 1] == 'k' || s[n - 1] == 'K'))
        mult = 1024;
    else if (n && (s[n - 1] == 'm' || s[n - 1] == 'M'))
        mult = 1024 * 1024;
    if (mult != 1)
        n--;
    if (n == 0 || n > 20)
        return -1;
    char buf[24];
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    errno = 0;
    unsigned long long v = strtoull(buf, &end, 0);
    if (*end || errno || buf[0] == '-' || v * mult > UINT32_MAX)
        return -1;
    *out = (uint32_t)(v * mult);
    return 0;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static int parse_type(const char *s, uint8_t *out)
{
    uint32_t v;
    if (!strcmp(s, "app"))
        *out = ESP_PT_TYPE_APP;
    else if (!strcmp(s, "data"))
        *out = ESP_PT_TYPE_DATA;
    else if (parse_number(s, &v) == 0 && v <= 0xFE)
        *out = (uint8_t)v;
    else
        return -1;
    return 0;
}

static int parse_subtype(uint8_t type, const char *s, uint8_t *out)
{
    uint32_t v;
    if (!*s) {
        *out = 0;
        return 0;
    }
    if (type == ESP_PT_TYPE_APP) {
        if (!strcmp(s, "factory")) {
            *out = 0;
            return 0;
        }
        if (!strcmp(s, "test")) {
            *out = 0x20;
            return 0;
        }
        if (!strncmp(s, "ota_", 4) && parse_number(s + 4, &v) == 0 && v < 16 && isdigit((unsigned char)s[4])) {
            *out = (uint8_t)(0x10 + v);
            return 0;
        }
    } else if (type == ESP_PT_TYPE_DATA) {
        for (const struct name_code *n = data_subtypes; n->name; n++)
            if (!strcmp(n->name, s)) {
                *out = n->code;
                return 0;
            }
    }
    if (parse_number(s, &v) == 0 && v <= 0xFE) {
        *out = (uint8_t)v;
        return 0;
    }
    return -1;
}

static int parse_flags(const char *s, uint32_t *out)
{
    *out = 0;
    char buf[128];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *save = NULL, *tok = strtok_r(buf, ":", &save); tok; tok = strtok_r(NULL, ":", &save)) {
        char *t = trim(tok);
        if (!strcmp(t, "encrypted"))
            *out |= ESP_PT_FLAG_ENCRYPTED;
        else if (!strcmp(t, "readonly"))
            *out |= ESP_PT_FLAG_READONLY;
        else if (*t)
            return -1;
    }
    return 0;
}

static int check_layout(const struct esp_pt *pt, uint32_t flash_size, char *err, size_t errlen)
{
    if (pt->count == 0)
        return fail(err, errlen, "partition table: no partitions");
    for (unsigned i = 0; i < pt->count; i++) {
        const struct esp_partition *a = &pt->entries[i];
        if (a->type == ESP_PT_TYPE_APP && a->offset % APP_ALIGN)
            return fail(err, errlen, "partition table: app partition '%s' at 0x%x is not 64 KiB aligned", a->label, a->offset);
        if (a->offset < ESP_PT_OFFSET + 0x1000)
            return fail(err, errlen, "partition table: partition '%s' at 0x%x overlaps the table at 0x8000", a->label, a->offset);
        if (a->size == 0)
            return fail(err, errlen, "partition table: partition '%s' has size 0", a->label);
        if (flash_size && (uint64_t)a->offset + a->size > flash_size)
            return fail(err, errlen, "partition table: partition '%s' (0x%x+0x%x) ends past the %u MiB flash",
                        a->label, a->offset, a->size, flash_size >> 20);
        for (unsigned k = 0; k < i; k++) {
            const struct esp_partition *b = &pt->entries[k];
            if (a->offset < (uint64_t)b->offset + b->size && b->offset < (uint64_t)a->offset + a->size)
                return fail(err, errlen, "partition table: partitions '%s' and '%s' overlap", b->label, a->label);
            if (!strcmp(a->label, b->label))
                return fail(err, errlen, "partition table: label '%s' is used twice", a->label);
        }
    }
    return 0;
}

int esp_pt_parse_csv(const char *text, size_t len, uint32_t flash_size, struct esp_pt *pt, char *err,
                     size_t errlen)
{
    pt->count = 0;
    uint32_t next = ESP_PT_OFFSET + 0x1000;
    unsigned line_no = 0;
    size_t pos = 0;
    while (pos < len) {
        size_t eol = pos;
        while (eol < len && text[eol] != '\n')
            eol++;
        line_no++;
        char line[512];
        if (eol - pos >= sizeof line)
            return fail(err, errlen, "partition CSV line %u: longer than %zu characters", line_no, sizeof line - 1);
        memcpy(line, text + pos, eol - pos);
        line[eol - pos] = '\0';
        pos = eol + 1;
        char *s = trim(line);
        if (!*s || *s == '#')
            continue;
        char *fields[7] = {0};
        int nf = 0;
        for (char *p = s; nf < 7;) {
            fields[nf++] = p;
            char *comma = strchr(p, ',');
            if (!comma)
                break;
            *comma = '\0';
            p = comma + 1;
        }
        if (nf < 5 || nf > 6)
            return fail(err, errlen, "partition CSV line %u: %d fields, expected Name, Type, SubType, Offset, Size[, Flags]",
                        line_no, nf);
        for (int i = 0; i < nf; i++)
            fields[i] = trim(fields[i]);
        if (pt->count == ESP_PT_MAX_ENTRIES)
            return fail(err, errlen, "partition CSV line %u: more than %d partitions", line_no, ESP_PT_MAX_ENTRIES);
        struct esp_partition *e = &pt->entries[pt->count];
        memset(e, 0, sizeof *e);
        if (!*fields[0] || strlen(fields[0]) > 16)
            return fail(err, errlen, "partition CSV line %u column 1: name '%s' must be 1-16 characters", line_no, fields[0]);
        memcpy(e->label, fields[0], strlen(fields[0]));
        if (parse_type(fields[1], &e->type))
            return fail(err, errlen, "partition CSV line %u column 2: unknown type '%s'", line_no, fields[1]);
        if (parse_subtype(e->type, fields[2], &e->subtype))
            return fail(err, errlen, "partition CSV line %u column 3: unknown subtype '%s'", line_no, fields[2]);
        uint32_t align = e->type == ESP_PT_TYPE_APP ? APP_ALIGN : DATA_ALIGN;
        if (*fields[3]) {
            if (parse_number(fields[3], &e->offset))
                return fail(err, errlen, "partition CSV line %u column 4: bad offset '%s'", line_no, fields[3]);
        } else {
            e->offset = (next + align - 1) / align * align;
        }
        if (parse_number(fields[4], &e->size))
            return fail(err, errlen, "partition CSV line %u column 5: bad size '%s'", line_no, fields[4]);
        if (nf == 6 && parse_flags(fields[5], &e->flags))
            return fail(err, errlen, "partition CSV line %u column 6: unknown flag in '%s'", line_no, fields[5]);
        if ((uint64_t)e->offset + e->size > UINT32_MAX)
            return fail(err, errlen, "partition CSV line %u: offset + size overflows", line_no);
        next = e->offset + e->size;
        pt->count++;
    }
    return check_layout(pt, flash_size, err, errlen);
}

static int md5(const uint8_t *data, size_t len, uint8_t out[16])
{
    unsigned int n = 0;
    return EVP_Digest(data, len, out, &n, EVP_md5(), NULL) == 1 && n == 16 ? 0 : -1;
}

int esp_pt_parse_bin(const uint8_t *data, size_t len, struct esp_pt *pt, char *err, size_t errlen)
{
    pt->count = 0;
    static const uint8_t blank[32] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                      0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                                      0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    if (len > ESP_PT_SIZE)
        len = ESP_PT_SIZE;
    size_t off = 0;
    for (; off + 32 <= len; off += 32) {
        const uint8_t *r = data + off;
        if (!memcmp(r, blank, 32))
            break;
        if (r[0] == 0xEB && r[1] == 0xEB) {
            uint8_t digest[16];
            if (md5(data, off, digest))
                return fail(err, errlen, "partition table: MD5 failed");
            if (memcmp(digest, r + 16, 16))
                return fail(err, errlen, "partition table: MD5 row at offset 0x%zx does not match the entries", off);
            continue;
        }
        if (r[0] != 0xAA || r[1] != 0x50)
            return fail(err, errlen, "partition table: entry at offset 0x%zx has magic %02x %02x, expected aa 50", off, r[0], r[1]);
        if (pt->count == ESP_PT_MAX_ENTRIES)
            return fail(err, errlen, "partition table: more than %d entries", ESP_PT_MAX_ENTRIES);
        struct esp_partition *e = &pt->entries[pt->count++];
        memset(e, 0, sizeof *e);
        e->type = r[2];
        e->subtype = r[3];
        e->offset = esp_le32(r + 4);
        e->size = esp_le32(r + 8);
        memcpy(e->label, r + 12, 16);
        e->label[16] = '\0';
        e->flags = esp_le32(r + 28);
    }
    if (off + 32 > len && off < len)
        return fail(err, errlen, "partition table: truncated entry at offset 0x%zx", off);
    return check_layout(pt, 0, err, errlen);
}

int esp_pt_to_bin(const struct esp_pt *pt, uint8_t out[ESP_PT_SIZE])
{
    memset(out, 0xFF, ESP_PT_SIZE);
    size_t off = 0;
    for (unsigned i = 0; i < pt->count; i++, off += 32) {
        const struct esp_partition *e = &pt->entries[i];
        uint8_t *r = out + off;
        r[0] = 0xAA;
        r[1] = 0x50;
        r[2] = e->type;
        r[3] = e->subtype;
        esp_put32(r + 4, e->offset);
        esp_put32(r + 8, e->size);
        memset(r + 12, 0, 16);
        memcpy(r + 12, e->label, strnlen(e->label, 16));
        esp_put32(r + 28, e->flags);
    }
    uint8_t *m = out + off;
    m[0] = m[1] = 0xEB;
    return md5(out, off, m + 16);
}

const struct esp_partition *esp_pt_app(const struct esp_pt *pt)
{
    for (unsigned i = 0; i < pt->count; i++)
        if (pt->entries[i].type == ESP_PT_TYPE_APP && pt->entries[i].subtype == ESP_PT_SUBTYPE_FACTORY)
            return &pt->entries[i];
    for (unsigned i = 0; i < pt->count; i++)
        if (pt->entries[i].type == ESP_PT_TYPE_APP)
            return &pt->entries[i];
    return NULL;
}
