/* sbom.json: the bundle's software bill of materials (format "espctl-sbom-1"). */
#include "bundle_internal.h"

#include "internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Declared dependencies: a JSON array of {"name","version"[,"purl"]} objects. */
static int load_deps(const char *path, json_t **deps)
{
    json_error_t jerr;
    json_t *arr = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!arr)
        return core_error(ESPCTL_E_FORMAT, "%s: line %d column %d: %s", path, jerr.line, jerr.column, jerr.text);
    if (!json_is_array(arr) || json_array_size(arr) > 4096) {
        json_decref(arr);
        return core_error(ESPCTL_E_FORMAT, "%s: rule sbom-dependencies: must be an array of at most 4096 "
                                           "{name, version[, purl]} objects", path);
    }
    json_t *out = json_array();
    for (size_t i = 0; out && i < json_array_size(arr); i++) {
        const char *name = NULL, *version = NULL, *purl = NULL;
        if (json_unpack(json_array_get(arr, i), "{s:s, s:s, s?s !}", "name", &name, "version", &version,
                        "purl", &purl) != 0 || !*name) {
            json_decref(arr);
            json_decref(out);
            return core_error(ESPCTL_E_FORMAT,
                              "%s: rule sbom-dependencies: entry %zu needs string name and version "
                              "(and optional purl), nothing else", path, i);
        }
        json_t *d = json_pack("{s:s, s:s}", "name", name, "version", version);
        if (d && purl)
            json_object_set_new(d, "purl", json_string(purl));
        json_array_append_new(out, d);
    }
    json_decref(arr);
    if (!out)
        return core_error(ESPCTL_E_NOMEM, "out of memory");
    *deps = out;
    return 0;
}

int bundle_sbom_build(const char *deps_path, const char *project, char **out, size_t *size)
{
    json_t *deps = NULL;
    if (deps_path) {
        int rc = load_deps(deps_path, &deps);
        if (rc)
            return rc;
    } else {
        deps = json_array();
    }
    json_t *root = json_pack("{s:s, s:s, s:{}, s:o}", "format", "espctl-sbom-1", "component", project,
                             "toolchain", "dependencies", deps);
    if (!root)
        return core_error(ESPCTL_E_INVAL, "sbom.json: could not build (project name not UTF-8?)");
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    json_decref(root);
    if (!text)
        return core_error(ESPCTL_E_NOMEM, "out of memory");
    size_t n = strlen(text);
    char *buf = realloc(text, n + 2);
    if (!buf) {
        free(text);
        return core_error(ESPCTL_E_NOMEM, "out of memory");
    }
    buf[n] = '\n';
    buf[n + 1] = '\0';
    if (n + 1 > ESPCTL_BUNDLE_MAX_SBOM) {
        free(buf);
        return core_error(ESPCTL_E_INVAL, "sbom.json: rule member-cap: over %u bytes", ESPCTL_BUNDLE_MAX_SBOM);
    }
    *out = buf;
    *size = n + 1;
    return 0;
}
