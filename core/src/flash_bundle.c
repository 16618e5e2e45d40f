/* Flashing from a bundle: the signature policy, the manifest's target and chip, and
 * the segments' bytes taken from the bundle's members. */
#include "flash_internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static int config_true(espctl_ctx *ctx, const char *key)
{
    const char *v = espctl_config_get(ctx, key);
    return v && (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "yes"));
}

static int check_signature(espctl_ctx *ctx, const espctl_bundle *bundle,
                           struct espctl_bundle_verify_result *out)
{
    struct espctl_bundle_verify_result r = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_verify_result)};
    core_stage_begin(ctx, "signature", 0);
    /* No context: the bundle API's own "verify" events would read like a failed
     * read-back here; the trusted directory comes from this context's config. */
    int rc = espctl_bundle_verify(NULL, bundle, espctl_config_get(ctx, "keys.trusted_dir"), &r);
    if (rc == ESPCTL_E_UNSIGNED && !config_true(ctx, "keys.require_signed")) {
        core_message(ctx, "signature", "bundle is unsigned: flashing without a signature check "
                                       "(set keys.require_signed = true to refuse)");
        memset(r.key_id, 0, sizeof r.key_id);
        rc = 0;
    } else if (rc == 0) {
        core_message(ctx, "signature", "signed by trusted key %s", r.key_id);
    } else {
        char *detail = strdup(espctl_last_error());
        if (rc == ESPCTL_E_UNSIGNED)
            core_error(rc, "signature: bundle is unsigned and keys.require_signed is set");
        else
            core_error(rc, "signature: %s", detail && *detail ? detail : espctl_strerror(rc));
        free(detail);
    }
    core_stage_end(ctx, "signature", rc);
    if (out && rc == 0) {
        out->hdr = r.hdr;
        memcpy(out->key_id, r.key_id, sizeof out->key_id);
        memcpy(out->trusted_key, r.trusted_key, sizeof out->trusted_key);
    }
    return rc;
}

/* The manifest's "target" object as compact JSON text (malloc'd), or NULL. */
static char *target_json(const struct espctl_bundle_info *info)
{
    if (!info->manifest_json)
        return NULL;
    json_t *root = json_loadb(info->manifest_json, (size_t)info->manifest_size, 0, NULL);
    json_t *target = root ? json_object_get(root, "target") : NULL;
    char *text = target ? json_dumps(target, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(root);
    return text;
}

int espctl_flash_open_bundle(espctl_ctx *ctx, const espctl_bundle *bundle,
                             const struct espctl_flash_open_options *opts,
                             espctl_flash_session **session, struct espctl_bundle_verify_result *signer)
{
    if (!ctx || !bundle || !session)
        return core_error(ESPCTL_E_INVAL, "espctl_flash_open_bundle: NULL argument");
    struct espctl_bundle_info info = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_info)};
    int rc = espctl_bundle_get_info(bundle, &info);
    if (rc)
        return rc;
    if (!info.target_kind)
        return core_error(ESPCTL_E_FORMAT, "manifest.json: field target.kind is missing");
    struct espctl_flash_open_options o = {.hdr = ESPCTL_ABI_HDR(struct espctl_flash_open_options)};
    if (opts)
        o = *opts;
    if (o.target_kind && strcmp(o.target_kind, info.target_kind) != 0)
        return core_error(ESPCTL_E_INVAL, "connect: the bundle is for target '%s', not '%s'",
                          info.target_kind, o.target_kind);
    o.target_kind = info.target_kind;
    if (!o.chip || !*o.chip)
        o.chip = info.probe_rs_chip ? info.probe_rs_chip : info.chip;
    rc = check_signature(ctx, bundle, signer);
    if (rc)
        return rc;
    char *tj = target_json(&info);
    rc = core_flash_open(ctx, &o, tj, session);
    free(tj);
    return rc;
}

int espctl_flash_write_bundle(espctl_flash_session *s, const espctl_bundle *bundle, uint32_t flags)
{
    struct espctl_bundle_info info = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_info)};
    int rc = s && bundle ? espctl_bundle_get_info(bundle, &info)
                         : core_error(ESPCTL_E_INVAL, "program: no session or no bundle");
    if (rc)
        return rc;
    if (info.segment_count == 0)
        return core_error(ESPCTL_E_FORMAT, "manifest.json: field flash.segments is empty");
    struct espctl_flash_segment *segs = calloc(info.segment_count, sizeof *segs);
    if (!segs)
        return core_error(ESPCTL_E_NOMEM, "program: out of memory");
    for (uint32_t i = 0; i < info.segment_count && rc == 0; i++) {
        struct espctl_bundle_segment seg = {.hdr = ESPCTL_ABI_HDR(struct espctl_bundle_segment)};
        const void *data = NULL;
        uint64_t size = 0;
        rc = espctl_bundle_get_segment(bundle, i, &seg);
        if (rc == 0)
            rc = espctl_bundle_member_data(bundle, seg.file, &data, &size);
        if (rc == 0 && size < seg.size)
            rc = core_error(ESPCTL_E_FORMAT,
                            "manifest.json: flash.segments[%u] wants %llu bytes of %s, which has %llu",
                            i, (unsigned long long)seg.size, seg.file, (unsigned long long)size);
        segs[i] = (struct espctl_flash_segment){seg.offset, seg.size, data};
    }
    if (rc == 0)
        rc = espctl_flash_write(s, segs, info.segment_count, NULL, flags);
    free(segs);
    return rc;
}
