/* manifest.json v1: strict parser and canonical writer (jansson). */
#include "manifest.h"

#include "espctl/bundle.h"
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#define M "manifest.json"

static const char *const known_members[] = {
    ESPCTL_BUNDLE_BIN, ESPCTL_BUNDLE_ELF,       ESPCTL_BUNDLE_HEX,
    ESPCTL_BUNDLE_MANIFEST, ESPCTL_BUNDLE_SIGNATURE, ESPCTL_BUNDLE_SBOM,
};

int core_manifest_known_member(const char *path)
{
    for (size_t i = 0; i < sizeof known_members / sizeof known_members[0]; i++) {
        if (strcmp(path, known_members[i]) == 0)
            return 1;
    }
    return 0;
}

void core_sha256_hex(const unsigned char digest[32], char out[CORE_SHA256_HEX])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[64] = '\0';
}

/* ---- parsing ---------------------------------------------------------------- */

static int only_keys(json_t *obj, const char *where, const char *const *keys, size_t n)
{
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value) {
        (void)value;
        size_t i = 0;
        while (i < n && strcmp(key, keys[i]) != 0)
            i++;
        if (i == n)
            return core_error(ESPCTL_E_FORMAT, M ": field %s%s%s: unknown member (manifest v1)",
                              where, *where ? "." : "", key);
    }
    return 0;
}

/* A string member; nullable allows JSON null (→ NULL). */
static int get_str(json_t *obj, const char *where, const char *key, int nullable, const char **out)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return core_error(ESPCTL_E_FORMAT, M ": field %s.%s: missing", where, key);
    if (json_is_null(v) && nullable) {
        *out = NULL;
        return 0;
    }
    if (!json_is_string(v))
        return core_error(ESPCTL_E_FORMAT, M ": field %s.%s: must be a string%s", where, key,
                          nullable ? " or null" : "");
    *out = json_string_value(v);
    if (!nullable && !**out)
        return core_error(ESPCTL_E_FORMAT, M ": field %s.%s: must not be empty", where, key);
    return 0;
}

static int get_uint(json_t *obj, const char *where, const char *key, uint64_t max, uint64_t *out)
{
    json_t *v = json_object_get(obj, key);
    if (!v || !json_is_integer(v) || json_integer_value(v) < 0 || (uint64_t)json_integer_value(v) > max)
        return core_error(ESPCTL_E_FORMAT, M ": field %s.%s: must be an integer 0..%llu", where,
                          key, (unsigned long long)max);
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

static int check_sha(const char *where, const char *hash)
{
    size_t n = strlen(hash);
    int ok = n == 64;
    for (size_t i = 0; ok && i < n; i++)
        ok = (hash[i] >= '0' && hash[i] <= '9') || (hash[i] >= 'a' && hash[i] <= 'f');
    if (!ok)
        return core_error(ESPCTL_E_FORMAT, M ": field %s.sha256: must be 64 lower-case hex digits", where);
    return 0;
}

static int check_member_path(const char *where, const char *path)
{
    if (!core_manifest_known_member(path) || strcmp(path, ESPCTL_BUNDLE_MANIFEST) == 0 ||
        strcmp(path, ESPCTL_BUNDLE_SIGNATURE) == 0)
        return core_error(ESPCTL_E_FORMAT, M ": field %s: \"%s\" is not a member a manifest may list",
                          where, path);
    return 0;
}

static int parse_build(struct core_manifest *m, json_t *b)
{
    static const char *const keys[] = {"job_id", "project", "ref", "idf_version", "target", "created_at"};
    if (!json_is_object(b))
        return core_error(ESPCTL_E_FORMAT, M ": field build: must be an object");
    int rc = only_keys(b, "build", keys, 6);
    if (!rc) rc = get_str(b, "build", "job_id", 0, &m->job_id);
    if (!rc) rc = get_str(b, "build", "project", 0, &m->project);
    if (!rc) rc = get_str(b, "build", "ref", 0, &m->ref);
    if (!rc) rc = get_str(b, "build", "idf_version", 1, &m->idf_version);
    if (!rc) rc = get_str(b, "build", "target", 0, &m->build_target);
    if (!rc) rc = get_str(b, "build", "created_at", 0, &m->created_at);
    return rc;
}

static int parse_target(struct core_manifest *m, json_t *t)
{
    static const char *const cm_keys[] = {"kind", "chip", "probe_rs_chip", "elf"};
    static const char *const esp_keys[] = {"kind", "chip", "flash_mode", "flash_freq", "flash_size"};
    if (!json_is_object(t))
        return core_error(ESPCTL_E_FORMAT, M ": field target: must be an object");
    int rc = get_str(t, "target", "kind", 0, &m->kind);
    if (rc)
        return rc;
    if (strcmp(m->kind, "cortexm") == 0) {
        rc = only_keys(t, "target", cm_keys, 4);
        if (!rc) rc = get_str(t, "target", "chip", 0, &m->chip);
        if (!rc) rc = get_str(t, "target", "probe_rs_chip", 0, &m->probe_rs_chip);
        if (!rc) rc = get_str(t, "target", "elf", 0, &m->elf);
        if (!rc) rc = check_member_path("target.elf", m->elf);
        return rc;
    }
    if (strcmp(m->kind, "esp32") == 0) {
        rc = only_keys(t, "target", esp_keys, 5);
        if (!rc) rc = get_str(t, "target", "chip", 0, &m->chip);
        if (!rc) rc = get_str(t, "target", "flash_mode", 0, &m->flash_mode);
        if (!rc) rc = get_str(t, "target", "flash_freq", 0, &m->flash_freq);
        if (!rc) rc = get_str(t, "target", "flash_size", 0, &m->flash_size);
        return rc;
    }
    return core_error(ESPCTL_E_FORMAT, M ": field target.kind: \"%s\" is neither \"cortexm\" nor \"esp32\"",
                      m->kind);
}

static int parse_files(struct core_manifest *m, json_t *files)
{
    static const char *const keys[] = {"path", "size", "sha256"};
    if (!json_is_array(files) || json_array_size(files) == 0 || json_array_size(files) > 4)
        return core_error(ESPCTL_E_FORMAT, M ": field files: must be an array of 1..4 entries");
    m->file_count = json_array_size(files);
    m->files = calloc(m->file_count, sizeof *m->files);
    if (!m->files)
        return core_error(ESPCTL_E_NOMEM, M ": out of memory");
    for (size_t i = 0; i < m->file_count; i++) {
        char where[32];
        snprintf(where, sizeof where, "files[%zu]", i);
        json_t *f = json_array_get(files, i);
        if (!json_is_object(f))
            return core_error(ESPCTL_E_FORMAT, M ": field %s: must be an object", where);
        struct core_manifest_file *e = &m->files[i];
        int rc = only_keys(f, where, keys, 3);
        if (!rc) rc = get_str(f, where, "path", 0, &e->path);
        if (!rc) rc = check_member_path(where, e->path);
        if (!rc) rc = get_uint(f, where, "size", ESPCTL_BUNDLE_MAX_TOTAL, &e->size);
        if (!rc) rc = get_str(f, where, "sha256", 0, &e->sha256);
        if (!rc) rc = check_sha(where, e->sha256);
        if (rc)
            return rc;
        for (size_t j = 0; j < i; j++) {
            if (strcmp(m->files[j].path, e->path) == 0)
                return core_error(ESPCTL_E_FORMAT, M ": field %s.path: \"%s\" listed twice", where, e->path);
        }
    }
    return 0;
}

static const struct core_manifest_file *find_file(const struct core_manifest *m, const char *path)
{
    for (size_t i = 0; i < m->file_count; i++) {
        if (strcmp(m->files[i].path, path) == 0)
            return &m->files[i];
    }
    return NULL;
}

static int parse_flash(struct core_manifest *m, json_t *flash)
{
    static const char *const fkeys[] = {"segments"};
    static const char *const skeys[] = {"offset", "file", "size", "sha256"};
    if (!json_is_object(flash))
        return core_error(ESPCTL_E_FORMAT, M ": field flash: must be an object");
    int rc = only_keys(flash, "flash", fkeys, 1);
    if (rc)
        return rc;
    json_t *segs = json_object_get(flash, "segments");
    if (!json_is_array(segs) || json_array_size(segs) == 0 || json_array_size(segs) > 16)
        return core_error(ESPCTL_E_FORMAT, M ": field flash.segments: must be an array of 1..16 entries");
    m->segment_count = json_array_size(segs);
    m->segments = calloc(m->segment_count, sizeof *m->segments);
    if (!m->segments)
        return core_error(ESPCTL_E_NOMEM, M ": out of memory");
    for (size_t i = 0; i < m->segment_count; i++) {
        char where[40];
        snprintf(where, sizeof where, "flash.segments[%zu]", i);
        json_t *s = json_array_get(segs, i);
        if (!json_is_object(s))
            return core_error(ESPCTL_E_FORMAT, M ": field %s: must be an object", where);
        struct core_manifest_segment *e = &m->segments[i];
        rc = only_keys(s, where, skeys, 4);
        if (!rc) rc = get_uint(s, where, "offset", UINT32_MAX, &e->offset);
        if (!rc) rc = get_str(s, where, "file", 0, &e->file);
        if (!rc) rc = get_uint(s, where, "size", ESPCTL_BUNDLE_MAX_BIN, &e->size);
        if (!rc) rc = get_str(s, where, "sha256", 0, &e->sha256);
        if (!rc) rc = check_sha(where, e->sha256);
        if (rc)
            return rc;
        const struct core_manifest_file *f = find_file(m, e->file);
        if (!f)
            return core_error(ESPCTL_E_FORMAT, M ": field %s.file: \"%s\" is not listed in files", where, e->file);
        if (f->size != e->size || strcmp(f->sha256, e->sha256) != 0)
            return core_error(ESPCTL_E_FORMAT, M ": field %s: size/sha256 differ from files entry for \"%s\"",
                              where, e->file);
    }
    return 0;
}

int core_manifest_parse(struct core_manifest *m, const char *data, size_t size)
{
    static const char *const keys[] = {"schema_version", "build", "target", "flash", "files",
                                       "build_provenance", "build_meta", "sbom", "signature"};
    memset(m, 0, sizeof *m);
    json_error_t jerr;
    m->root = json_loadb(data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (!m->root)
        return core_error(ESPCTL_E_FORMAT, M ": not valid JSON at line %d column %d (offset %d): %s",
                          jerr.line, jerr.column, jerr.position, jerr.text);
    int rc = 0;
    json_t *r = m->root;
    if (!json_is_object(r)) {
        rc = core_error(ESPCTL_E_FORMAT, M ": top level must be an object");
        goto out;
    }
    json_t *v = json_object_get(r, "schema_version");
    if (!json_is_integer(v) || json_integer_value(v) != 1) {
        rc = core_error(ESPCTL_E_FORMAT, M ": field schema_version: must be 1");
        goto out;
    }
    m->schema_version = 1;
    if ((rc = only_keys(r, "", keys, 9)))
        goto out;
    if ((rc = parse_build(m, json_object_get(r, "build"))))
        goto out;
    if ((rc = parse_target(m, json_object_get(r, "target"))))
        goto out;
    if ((rc = parse_files(m, json_object_get(r, "files"))))
        goto out;
    if ((rc = parse_flash(m, json_object_get(r, "flash"))))
        goto out;
    if ((rc = get_str(r, "", "build_provenance", 0, &m->provenance)))
        goto out;
    if (strcmp(m->provenance, "client_supplied") != 0 && strcmp(m->provenance, "server_built") != 0) {
        rc = core_error(ESPCTL_E_FORMAT,
                        M ": field build_provenance: \"%s\" is neither \"client_supplied\" nor \"server_built\"",
                        m->provenance);
        goto out;
    }
    if ((rc = get_str(r, "", "build_meta", 1, &m->build_meta)))
        goto out;
    if (m->build_meta && strlen(m->build_meta) > ESPCTL_BUNDLE_MAX_BUILD_META) {
        rc = core_error(ESPCTL_E_FORMAT, M ": field build_meta: longer than 64 KiB");
        goto out;
    }
    json_t *sbom = json_object_get(r, "sbom"), *sig = json_object_get(r, "signature");
    static const char *const sbom_keys[] = {"file", "format"};
    static const char *const sig_keys[] = {"file", "algorithm"};
    const char *fmt = NULL, *alg = NULL;
    if (!json_is_object(sbom) || (rc = only_keys(sbom, "sbom", sbom_keys, 2)) ||
        (rc = get_str(sbom, "sbom", "file", 0, &m->sbom_file)) ||
        (rc = get_str(sbom, "sbom", "format", 0, &fmt))) {
        rc = rc ? rc : core_error(ESPCTL_E_FORMAT, M ": field sbom: must be an object");
        goto out;
    }
    if (strcmp(m->sbom_file, ESPCTL_BUNDLE_SBOM) != 0 || strcmp(fmt, "espctl-sbom-1") != 0 ||
        !find_file(m, ESPCTL_BUNDLE_SBOM)) {
        rc = core_error(ESPCTL_E_FORMAT,
                        M ": field sbom: must name \"sbom.json\" (listed in files) in format \"espctl-sbom-1\"");
        goto out;
    }
    if (!json_is_object(sig) || (rc = only_keys(sig, "signature", sig_keys, 2)) ||
        (rc = get_str(sig, "signature", "file", 0, &m->signature_file)) ||
        (rc = get_str(sig, "signature", "algorithm", 0, &alg))) {
        rc = rc ? rc : core_error(ESPCTL_E_FORMAT, M ": field signature: must be an object");
        goto out;
    }
    if (strcmp(m->signature_file, ESPCTL_BUNDLE_SIGNATURE) != 0 || strcmp(alg, "ed25519") != 0) {
        rc = core_error(ESPCTL_E_FORMAT,
                        M ": field signature: must be {\"file\": \"manifest.json.sig\", \"algorithm\": \"ed25519\"}");
        goto out;
    }
    if (m->elf && !find_file(m, m->elf)) {
        rc = core_error(ESPCTL_E_FORMAT, M ": field target.elf: \"%s\" is not listed in files", m->elf);
        goto out;
    }
out:
    if (rc)
        core_manifest_release(m);
    return rc;
}

void core_manifest_release(struct core_manifest *m)
{
    json_decref(m->root);
    free(m->segments);
    free(m->files);
    memset(m, 0, sizeof *m);
}

/* ---- building --------------------------------------------------------------- */

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

int core_manifest_build(const struct core_manifest_input *in, char **out, size_t *size)
{
    const struct core_manifest_file *bin = NULL;
    json_t *files = json_array();
    for (size_t i = 0; files && i < in->file_count; i++) {
        const struct core_manifest_file *f = &in->files[i];
        if (strcmp(f->path, ESPCTL_BUNDLE_BIN) == 0)
            bin = f;
        json_array_append_new(files, json_pack("{s:s, s:I, s:s}", "path", f->path, "size",
                                               (json_int_t)f->size, "sha256", f->sha256));
    }
    if (!bin) {
        json_decref(files);
        return core_error(ESPCTL_E_INVAL, M ": no firmware.bin among the files");
    }
    json_t *root = json_pack(
        "{s:i, s:{s:s, s:s, s:s, s:n, s:s, s:s}, s:{s:s, s:s, s:s, s:s}, "
        "s:{s:[{s:I, s:s, s:I, s:s}]}, s:o, s:s, s:o, s:{s:s, s:s}, s:{s:s, s:s}}",
        "schema_version", 1,
        "build", "job_id", in->job_id, "project", in->project, "ref", in->ref, "idf_version",
        "target", in->chip, "created_at", in->created_at,
        "target", "kind", "cortexm", "chip", in->chip, "probe_rs_chip",
        in->probe_rs_chip ? in->probe_rs_chip : in->chip, "elf",
        ESPCTL_BUNDLE_ELF,
        "flash", "segments", "offset", (json_int_t)in->image_offset, "file", bin->path, "size",
        (json_int_t)bin->size, "sha256", bin->sha256,
        "files", files,
        "build_provenance", "client_supplied",
        "build_meta", str_or_null(in->build_meta),
        "sbom", "file", ESPCTL_BUNDLE_SBOM, "format", "espctl-sbom-1",
        "signature", "file", ESPCTL_BUNDLE_SIGNATURE, "algorithm", "ed25519");
    if (!root)
        return core_error(ESPCTL_E_INVAL, M ": could not build the manifest (a field is not valid UTF-8?)");
    if (in->target_json) {
        json_t *target = json_loads(in->target_json, 0, NULL);
        if (!json_is_object(target)) {
            json_decref(target);
            json_decref(root);
            return core_error(ESPCTL_E_INVAL, M ": the image format's target object is not JSON");
        }
        json_object_set_new(root, "target", target);
    }
    if (in->idf_version)
        json_object_set_new(json_object_get(root, "build"), "idf_version", json_string(in->idf_version));
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    json_decref(root);
    if (!text)
        return core_error(ESPCTL_E_NOMEM, M ": out of memory");
    size_t n = strlen(text);
    char *buf = realloc(text, n + 2);
    if (!buf) {
        free(text);
        return core_error(ESPCTL_E_NOMEM, M ": out of memory");
    }
    buf[n] = '\n';
    buf[n + 1] = '\0';
    *out = buf;
    *size = n + 1;
    return 0;
}
