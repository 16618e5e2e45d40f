/* Opening a bundle: safe read, manifest parse, member hashes; accessors; extraction. */
#include "bundle_internal.h"

#include "internal.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

const struct core_tar_member *bundle_member(const espctl_bundle *b, const char *name)
{
    for (size_t i = 0; i < b->members.count; i++) {
        if (strcmp(b->members.items[i].name, name) == 0)
            return &b->members.items[i];
    }
    return NULL;
}

static int hash_members(espctl_bundle *b)
{
    b->member_sha = calloc(b->members.count, sizeof *b->member_sha);
    if (!b->member_sha)
        return core_error(ESPCTL_E_NOMEM, "out of memory");
    for (size_t i = 0; i < b->members.count; i++) {
        unsigned char md[32];
        unsigned int len = 0;
        if (EVP_Digest(b->members.items[i].data, b->members.items[i].size, md, &len, EVP_sha256(), NULL) != 1)
            return core_error(ESPCTL_E_OTHER, "SHA-256 failed");
        core_sha256_hex(md, b->member_sha[i]);
    }
    return 0;
}

/* Every listed file present with its size and hash; every member listed. */
static int check_integrity(espctl_bundle *b)
{
    const struct core_manifest *m = &b->manifest;
    for (size_t i = 0; i < m->file_count; i++) {
        const struct core_manifest_file *f = &m->files[i];
        const struct core_tar_member *mem = bundle_member(b, f->path);
        if (!mem)
            return core_error(ESPCTL_E_INTEGRITY, "%s: listed in manifest.json but missing from the bundle",
                              f->path);
        size_t idx = (size_t)(mem - b->members.items);
        if (mem->size != f->size)
            return core_error(ESPCTL_E_INTEGRITY, "%s: size %zu differs from manifest.json (%llu): tampered",
                              f->path, mem->size, (unsigned long long)f->size);
        if (strcmp(b->member_sha[idx], f->sha256) != 0)
            return core_error(ESPCTL_E_INTEGRITY, "%s: SHA-256 %s differs from manifest.json (%s): tampered",
                              f->path, b->member_sha[idx], f->sha256);
    }
    for (size_t i = 0; i < b->members.count; i++) {
        const char *name = b->members.items[i].name;
        if (strcmp(name, ESPCTL_BUNDLE_MANIFEST) == 0 || strcmp(name, ESPCTL_BUNDLE_SIGNATURE) == 0)
            continue;
        size_t j = 0;
        while (j < m->file_count && strcmp(m->files[j].path, name) != 0)
            j++;
        if (j == m->file_count)
            return core_error(ESPCTL_E_INTEGRITY, "%s: member is not listed in manifest.json files", name);
    }
    return 0;
}

static int open_common(espctl_ctx *ctx, const char *path, const void *data, size_t size,
                       const struct espctl_bundle_open_options *opts, espctl_bundle **out)
{
    if (!out)
        return core_error(ESPCTL_E_INVAL, "espctl_bundle_open: bundle is NULL");
    *out = NULL;
    uint64_t max_total = ESPCTL_BUNDLE_MAX_TOTAL;
    if (opts && ESPCTL_HAS(opts, struct espctl_bundle_open_options, max_total_size) && opts->max_total_size)
        max_total = opts->max_total_size;
    espctl_bundle *b = calloc(1, sizeof *b);
    if (!b)
        return core_error(ESPCTL_E_NOMEM, "out of memory");
    core_stage_begin(ctx, "read-bundle", 0);
    int rc = core_tar_read(&b->members, path, data, size, max_total);
    if (!rc)
        rc = hash_members(b);
    if (!rc) {
        b->manifest_member = bundle_member(b, ESPCTL_BUNDLE_MANIFEST);
        b->signature_member = bundle_member(b, ESPCTL_BUNDLE_SIGNATURE);
        if (!b->manifest_member)
            rc = core_error(ESPCTL_E_FORMAT, "manifest.json: rule manifest-present: the bundle has no manifest");
    }
    if (!rc)
        rc = core_manifest_parse(&b->manifest, (const char *)b->manifest_member->data, b->manifest_member->size);
    if (!rc)
        rc = check_integrity(b);
    core_stage_end(ctx, "read-bundle", rc);
    if (rc) {
        espctl_bundle_free(b);
        return rc;
    }
    *out = b;
    return 0;
}

ESPCTL_API int espctl_bundle_open(espctl_ctx *ctx, const char *path,
                                  const struct espctl_bundle_open_options *opts, espctl_bundle **bundle)
{
    if (!path)
        return core_error(ESPCTL_E_INVAL, "espctl_bundle_open: path is NULL");
    return open_common(ctx, path, NULL, 0, opts, bundle);
}

ESPCTL_API int espctl_bundle_open_memory(espctl_ctx *ctx, const void *data, size_t size,
                                         const struct espctl_bundle_open_options *opts,
                                         espctl_bundle **bundle)
{
    if (!data && size)
        return core_error(ESPCTL_E_INVAL, "espctl_bundle_open_memory: data is NULL");
    return open_common(ctx, NULL, data ? data : "", size, opts, bundle);
}

ESPCTL_API void espctl_bundle_free(espctl_bundle *bundle)
{
    if (!bundle)
        return;
    core_manifest_release(&bundle->manifest);
    core_tar_members_release(&bundle->members);
    free(bundle->member_sha);
    free(bundle);
}

/* Copy the members of `full` that lie inside the caller's struct_size. */
static int fill_struct(void *dst, const void *full, size_t full_size, const char *fn)
{
    const struct espctl_abi_hdr *hdr = dst;
    if (!dst || hdr->struct_size < sizeof *hdr)
        return core_error(ESPCTL_E_INVAL, "%s: output is NULL or its hdr.struct_size is too small", fn);
    struct espctl_abi_hdr keep = *hdr;
    size_t n = keep.struct_size < full_size ? keep.struct_size : full_size;
    memcpy(dst, full, n);
    memcpy(dst, &keep, sizeof keep);
    return 0;
}

ESPCTL_API int espctl_bundle_get_info(const espctl_bundle *b, struct espctl_bundle_info *info)
{
    if (!b)
        return core_error(ESPCTL_E_INVAL, "espctl_bundle_get_info: bundle is NULL");
    const struct core_manifest *m = &b->manifest;
    struct espctl_bundle_info full = {
        .schema_version = m->schema_version,
        .target_kind = m->kind,
        .chip = m->chip,
        .probe_rs_chip = m->probe_rs_chip,
        .project = m->project,
        .ref = m->ref,
        .job_id = m->job_id,
        .created_at = m->created_at,
        .build_provenance = m->provenance,
        .build_meta = m->build_meta,
        .segment_count = (uint32_t)m->segment_count,
        .member_count = (uint32_t)b->members.count,
        .has_signature = b->signature_member != NULL,
        .manifest_json = (const char *)b->manifest_member->data,
        .manifest_size = b->manifest_member->size,
    };
    return fill_struct(info, &full, sizeof full, "espctl_bundle_get_info");
}

ESPCTL_API int espctl_bundle_get_segment(const espctl_bundle *b, uint32_t index,
                                         struct espctl_bundle_segment *segment)
{
    if (!b)
        return core_error(ESPCTL_E_INVAL, "espctl_bundle_get_segment: bundle is NULL");
    if (index >= b->manifest.segment_count)
        return core_error(ESPCTL_E_NOT_FOUND, "segment %u out of range (%zu segments)", index,
                          b->manifest.segment_count);
    const struct core_manifest_segment *s = &b->manifest.segments[index];
    struct espctl_bundle_segment full = {.offset = s->offset, .size = s->size, .file = s->file, .sha256 = s->sha256};
    return fill_struct(segment, &full, sizeof full, "espctl_bundle_get_segment");
}

ESPCTL_API int espctl_bundle_get_member(const espctl_bundle *b, uint32_t index,
                                        struct espctl_bundle_member *member)
{
    if (!b)
        return core_error(ESPCTL_E_INVAL, "espctl_bundle_get_member: bundle is NULL");
    if (index >= b->members.count)
        return core_error(ESPCTL_E_NOT_FOUND, "member %u out of range (%zu members)", index, b->members.count);
    struct espctl_bundle_member full = {.name = b->members.items[index].name,
                                        .size = b->members.items[index].size,
                                        .sha256 = b->member_sha[index]};
    return fill_struct(member, &full, sizeof full, "espctl_bundle_get_member");
}

ESPCTL_API int espctl_bundle_member_data(const espctl_bundle *b, const char *name, const void **data,
                                         uint64_t *size)
{
    if (!b || !name || !data || !size)
        return core_error(ESPCTL_E_INVAL, "espctl_bundle_member_data: NULL argument");
    const struct core_tar_member *m = bundle_member(b, name);
    if (!m)
        return core_error(ESPCTL_E_NOT_FOUND, "%s: no such member in the bundle", name);
    *data = m->data;
    *size = m->size;
    return 0;
}

ESPCTL_API int espctl_bundle_extract(const espctl_bundle *b, const char *name, const char *dest_path)
{
    const void *data = NULL;
    uint64_t size = 0;
    if (!dest_path)
        return core_error(ESPCTL_E_INVAL, "espctl_bundle_extract: dest_path is NULL");
    int rc = espctl_bundle_member_data(b, name, &data, &size);
    if (rc)
        return rc;
    return bundle_write_file_atomic(dest_path, data, (size_t)size, 0644);
}
