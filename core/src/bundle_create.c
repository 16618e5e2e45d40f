/* espctl_bundle_create: path C — a client-built Cortex-M ELF becomes a flash bundle. */
#include "bundle_internal.h"

#include "chips.h"
#include "elf.h"
#include "ihex.h"
#include "internal.h"
#include "sign.h"

#include "espctl/plugin/ext/image_format.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* Everything gathered before the first byte is written. */
struct create_job {
    espctl_ctx *ctx;
    const struct core_chip *chip;
    uint8_t *elf;
    size_t elf_size;
    struct core_elf_image image;
    uint64_t hex_size;
    char *build_meta;
    char *sbom;
    size_t sbom_size;
    EVP_PKEY *key;
    const char *esp_chip;             /* ESP chip: the esp32 plugin builds the image */
    struct bundle_esp_image esp;
    char out_path[ESPCTL_PATH_SIZE];
    char project[256];
    char ref[64];
    char job_id[32];
    char created_at[32];
    int64_t mtime;
};

static void job_release(struct create_job *j)
{
    core_elf_release(&j->image);
    bundle_esp_release(&j->esp);
    free(j->elf);
    free(j->build_meta);
    free(j->sbom);
    EVP_PKEY_free(j->key);
}

static int check_chip(struct create_job *j, const char *name)
{
    if (core_chip_is_esp(name)) {
        j->esp_chip = name;
        return 0;
    }
    j->chip = core_chip_find(name);
    if (j->chip)
        return 0;
    char near[512];
    core_chip_suggest(name, near, sizeof near, 8);
    return core_error(ESPCTL_E_NOT_FOUND, "target \"%s\": rule known-chip: unknown chip%s%s", name,
                      near[0] ? "; close matches: " : " (try a name like STM32G431RB)", near);
}

static int read_build_meta(struct create_job *j, const char *path)
{
    uint8_t *data;
    size_t size;
    int rc = bundle_read_file(path, ESPCTL_BUNDLE_MAX_BUILD_META, "build-meta-size (64 KiB)", &data, &size);
    if (rc)
        return rc;
    json_t *probe = json_stringn((const char *)data, size);
    if (!probe || memchr(data, 0, size)) {
        json_decref(probe);
        free(data);
        return core_error(ESPCTL_E_INVAL, "%s: rule build-meta-text: build_meta must be UTF-8 text without NUL bytes",
                          path);
    }
    json_decref(probe);
    j->build_meta = (char *)data;
    return 0;
}

static int read_elf(struct create_job *j, const char *path, const struct espctl_bundle_create_options *o)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return core_error(errno == ENOENT ? ESPCTL_E_NOT_FOUND : ESPCTL_E_IO, "%s: cannot read the ELF: %s", path,
                          strerror(errno));
    if (!S_ISREG(st.st_mode))
        return core_error(ESPCTL_E_INVAL, "%s: not a regular file", path);
    if ((uint64_t)st.st_size > CORE_ELF_MAX_SIZE) {
        /* Run the ordered pre-flight on the header; it stops at the size rule at the latest. */
        uint8_t head[64] = {0};
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || read(fd, head, sizeof head) != (ssize_t)sizeof head) {
            if (fd >= 0)
                close(fd);
            return core_error(ESPCTL_E_IO, "%s: cannot read the ELF header", path);
        }
        close(fd);
        struct core_elf_image none;
        return core_elf_parse(&none, head, (size_t)st.st_size, path, 0);
    }
    int rc = bundle_read_file(path, CORE_ELF_MAX_SIZE, "elf-size", &j->elf, &j->elf_size);
    if (rc)
        return rc;
    if (j->esp_chip)
        return bundle_esp_build(j->ctx, j->esp_chip, j->elf, j->elf_size, o, &j->esp);
    rc = core_elf_parse(&j->image, j->elf, j->elf_size, path, ESPCTL_BUNDLE_MAX_BIN);
    if (rc)
        return rc;
    j->hex_size = core_ihex_size(&j->image);
    if (j->hex_size > ESPCTL_BUNDLE_MAX_HEX)
        return core_error(ESPCTL_E_FORMAT, "%s: rule member-cap: firmware.hex would be %llu bytes, cap %u", path,
                          (unsigned long long)j->hex_size, ESPCTL_BUNDLE_MAX_HEX);
    return 0;
}

/* `git rev-parse --short HEAD` in `dir`, or "unknown". */
static void git_ref(const char *dir, char *out, size_t size)
{
    snprintf(out, size, "unknown");
    int fds[2];
    if (pipe(fds) != 0)
        return;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    char *argv[] = {"git", "-C", (char *)dir, "rev-parse", "--short", "HEAD", NULL};
    pid_t pid;
    int spawned = posix_spawnp(&pid, "git", &fa, NULL, argv, environ) == 0;
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    char buf[64];
    size_t got = 0;
    ssize_t n;
    while (spawned && got < sizeof buf - 1 && (n = read(fds[0], buf + got, sizeof buf - 1 - got)) > 0)
        got += (size_t)n;
    close(fds[0]);
    int status = 0;
    if (!spawned || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return;
    while (got && (buf[got - 1] == '\n' || buf[got - 1] == '\r'))
        got--;
    buf[got] = '\0';
    if (got < 4 || strspn(buf, "0123456789abcdef") != got)
        return;
    snprintf(out, size, "%s", buf);
}

static int plan_paths(struct create_job *j, const struct espctl_bundle_create_options *o)
{
    char copy[ESPCTL_PATH_SIZE];
    if (snprintf(copy, sizeof copy, "%s", o->elf_path) >= (int)sizeof copy)
        return core_error(ESPCTL_E_INVAL, "%s: path too long", o->elf_path);
    char stem[ESPCTL_PATH_SIZE];
    snprintf(stem, sizeof stem, "%s", basename(copy));
    size_t len = strlen(stem);
    if (len > 4 && strcmp(stem + len - 4, ".elf") == 0)
        stem[len - 4] = '\0';
    snprintf(copy, sizeof copy, "%s", o->elf_path);
    const char *dir = dirname(copy);
    if (o->out_path) {
        if (snprintf(j->out_path, sizeof j->out_path, "%s", o->out_path) >= (int)sizeof j->out_path)
            return core_error(ESPCTL_E_INVAL, "%s: path too long", o->out_path);
    } else if (snprintf(j->out_path, sizeof j->out_path, "%s/%s-flash-bundle.tar.gz", dir, stem) >=
               (int)sizeof j->out_path) {
        return core_error(ESPCTL_E_INVAL, "%s: output path too long", o->elf_path);
    }
    const char *project = o->project ? o->project : stem;
    if (!*project || snprintf(j->project, sizeof j->project, "%s", project) >= (int)sizeof j->project)
        return core_error(ESPCTL_E_INVAL, "project name must be 1..255 bytes");
    git_ref(dir, j->ref, sizeof j->ref);
    return 0;
}

static int prepare(struct create_job *j, const struct espctl_bundle_create_options *o)
{
    int from_env;
    int64_t now;
    int rc = bundle_source_date((int64_t)time(NULL), &now, &from_env);
    if (rc)
        return rc;
    j->mtime = from_env ? now : 0;
    time_t t = (time_t)now;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(j->created_at, sizeof j->created_at, "%Y-%m-%dT%H:%M:%SZ", &tm);

    if ((rc = check_chip(j, o->chip)))
        return rc;
    if (o->build_meta_path && (rc = read_build_meta(j, o->build_meta_path)))
        return rc;
    const char *key_path = o->sign_key_path;
    if (!key_path && j->ctx)
        key_path = espctl_config_get(j->ctx, "keys.signing_key");
    if (key_path && (rc = core_key_load_private(&j->key, key_path)))
        return rc;
    if ((rc = plan_paths(j, o)))
        return rc;
    if ((rc = bundle_sbom_build(o->dependencies_path, j->project, &j->sbom, &j->sbom_size)))
        return rc;
    core_stage_begin(j->ctx, "read-elf", 0);
    rc = read_elf(j, o->elf_path, o);
    if (!rc)
        core_progress(j->ctx, "read-elf", j->elf_size, j->elf_size, ESPCTL_NO_ADDRESS);
    core_stage_end(j->ctx, "read-elf", rc);
    if (rc)
        return rc;
    core_stage_begin(j->ctx, "hash", j->elf_size);
    unsigned char md[32];
    unsigned int mdlen = 0;
    char hex[CORE_SHA256_HEX];
    EVP_Digest(j->elf, j->elf_size, md, &mdlen, EVP_sha256(), NULL);
    core_sha256_hex(md, hex);
    snprintf(j->job_id, sizeof j->job_id, "local-%.16s", hex);
    core_progress(j->ctx, "hash", j->elf_size, j->elf_size, ESPCTL_NO_ADDRESS);
    core_stage_end(j->ctx, "hash", 0);
    return 0;
}

/* Forwards image bytes into the archive and reports progress every MiB. */
struct progress_sink {
    struct create_job *job;
    struct core_tar_writer *w;
    uint64_t done, total, next_report;
};

static int progress_write(void *user, const void *data, size_t size)
{
    struct progress_sink *s = user;
    int rc = core_tar_data(s->w, data, size);
    s->done += size;
    if (!rc && s->done >= s->next_report) {
        core_progress(s->job->ctx, "convert", s->done, s->total, ESPCTL_NO_ADDRESS);
        s->next_report = s->done + (1u << 20);
    }
    if (!rc && s->job->ctx && espctl_cancelled(s->job->ctx))
        rc = core_error(ESPCTL_E_CANCELLED, "cancelled");
    return rc;
}

static int finish_bundle(struct create_job *j, struct core_tar_writer *w, int rc,
                         const struct core_manifest_input *in, int *is_signed);

/* ESP bundles: firmware.bin is the merged image the esp32 plugin built; no HEX. */
static int write_bundle_esp(struct create_job *j, struct core_tar_writer *w, int *is_signed)
{
    const struct espctl_segment *seg = &j->esp.image->segments[0];
    struct core_manifest_file files[3];
    char sha[3][CORE_SHA256_HEX];
    unsigned char md[32];
    core_stage_begin(j->ctx, "convert", seg->size);
    int rc = core_tar_add(w, ESPCTL_BUNDLE_BIN, seg->data, (size_t)seg->size, md);
    if (!rc)
        core_sha256_hex(md, sha[0]);
    files[0] = (struct core_manifest_file){ESPCTL_BUNDLE_BIN, seg->size, sha[0]};
    if (!rc && !(rc = core_tar_add(w, ESPCTL_BUNDLE_ELF, j->elf, j->elf_size, md)))
        core_sha256_hex(md, sha[1]);
    files[1] = (struct core_manifest_file){ESPCTL_BUNDLE_ELF, j->elf_size, sha[1]};
    EVP_Digest(j->sbom, j->sbom_size, md, NULL, EVP_sha256(), NULL);
    core_sha256_hex(md, sha[2]);
    files[2] = (struct core_manifest_file){ESPCTL_BUNDLE_SBOM, j->sbom_size, sha[2]};
    if (!rc)
        core_progress(j->ctx, "convert", seg->size, seg->size, ESPCTL_NO_ADDRESS);
    core_stage_end(j->ctx, "convert", rc);
    const char *idf_version = NULL;
    json_t *build = j->esp.image->build_json ? json_loads(j->esp.image->build_json, 0, NULL) : NULL;
    if (json_is_string(json_object_get(build, "idf_version")))
        idf_version = json_string_value(json_object_get(build, "idf_version"));
    struct core_manifest_input in = {
        .job_id = j->job_id, .project = j->project, .ref = j->ref, .chip = j->esp_chip,
        .created_at = j->created_at, .build_meta = j->build_meta, .image_offset = seg->address,
        .files = files, .file_count = 3, .target_json = j->esp.image->target_json, .idf_version = idf_version};
    rc = finish_bundle(j, w, rc, &in, is_signed);
    json_decref(build);
    return rc;
}

static int write_bundle(struct create_job *j, int fd, int *is_signed)
{
    struct core_tar_writer *w = NULL;
    int rc = core_tar_open(&w, fd, j->mtime, BUNDLE_GZIP_LEVEL, bundle_threads());
    if (rc)
        return rc;
    struct core_manifest_file files[4];
    char sha[4][CORE_SHA256_HEX];
    unsigned char md[32];
    struct progress_sink sink = {.job = j, .w = w, .total = j->image.span + j->hex_size};

    if (j->esp_chip)
        return write_bundle_esp(j, w, is_signed);
    core_stage_begin(j->ctx, "convert", sink.total);
    rc = core_tar_begin(w, ESPCTL_BUNDLE_BIN, j->image.span);
    if (!rc)
        rc = core_elf_write_bin(&j->image, progress_write, &sink);
    if (!rc && !(rc = core_tar_end(w, md)))
        core_sha256_hex(md, sha[0]);
    files[0] = (struct core_manifest_file){ESPCTL_BUNDLE_BIN, j->image.span, sha[0]};
    if (!rc && !(rc = core_tar_add(w, ESPCTL_BUNDLE_ELF, j->elf, j->elf_size, md)))
        core_sha256_hex(md, sha[1]);
    files[1] = (struct core_manifest_file){ESPCTL_BUNDLE_ELF, j->elf_size, sha[1]};
    core_tar_set_level(w, BUNDLE_GZIP_LEVEL_HEX); /* at the same point as bundle_repack */
    if (!rc)
        rc = core_tar_begin(w, ESPCTL_BUNDLE_HEX, j->hex_size);
    if (!rc)
        rc = core_ihex_write(&j->image, progress_write, &sink);
    if (!rc && !(rc = core_tar_end(w, md)))
        core_sha256_hex(md, sha[2]);
    core_tar_set_level(w, BUNDLE_GZIP_LEVEL);
    files[2] = (struct core_manifest_file){ESPCTL_BUNDLE_HEX, j->hex_size, sha[2]};
    EVP_Digest(j->sbom, j->sbom_size, md, NULL, EVP_sha256(), NULL);
    core_sha256_hex(md, sha[3]);
    files[3] = (struct core_manifest_file){ESPCTL_BUNDLE_SBOM, j->sbom_size, sha[3]};
    if (!rc)
        core_progress(j->ctx, "convert", sink.done, sink.total, ESPCTL_NO_ADDRESS);
    core_stage_end(j->ctx, "convert", rc);

    struct core_manifest_input in = {
        .job_id = j->job_id, .project = j->project, .ref = j->ref, .chip = j->chip->name,
        .probe_rs_chip = j->chip->probe_rs_chip, .created_at = j->created_at,
        .build_meta = j->build_meta, .image_offset = j->image.base, .files = files, .file_count = 4};
    return finish_bundle(j, w, rc, &in, is_signed);
}

/* Manifest, signature and sbom members, then close (or abort on rc). */
static int finish_bundle(struct create_job *j, struct core_tar_writer *w, int rc,
                         const struct core_manifest_input *in, int *is_signed)
{
    unsigned char md[32];
    char *manifest = NULL, *sig = NULL;
    size_t manifest_size = 0, sig_size = 0;
    if (!rc)
        rc = core_manifest_build(in, &manifest, &manifest_size);
    if (!rc && j->key) {
        core_stage_begin(j->ctx, "sign", manifest_size);
        rc = core_sign_member(j->key, manifest, manifest_size, &sig, &sig_size);
        core_stage_end(j->ctx, "sign", rc);
        *is_signed = !rc;
    }
    core_stage_begin(j->ctx, "write", 0);
    if (!rc)
        rc = core_tar_add(w, ESPCTL_BUNDLE_MANIFEST, manifest, manifest_size, md);
    if (!rc && sig)
        rc = core_tar_add(w, ESPCTL_BUNDLE_SIGNATURE, sig, sig_size, md);
    if (!rc)
        rc = core_tar_add(w, ESPCTL_BUNDLE_SBOM, j->sbom, j->sbom_size, md);
    if (rc)
        core_tar_abort(w);
    else
        rc = core_tar_close(w);
    free(manifest);
    free(sig);
    return rc;
}

ESPCTL_API int espctl_bundle_create(espctl_ctx *ctx, const struct espctl_bundle_create_options *opts,
                                    struct espctl_bundle_create_result *result)
{
    if (!opts || opts->hdr.struct_size < offsetof(struct espctl_bundle_create_options, dependencies_path))
        return core_error(ESPCTL_E_INVAL, "espctl_bundle_create: options missing or hdr.struct_size too small");
    if (opts->hdr.abi_major != ESPCTL_PLUGIN_ABI_MAJOR)
        return core_error(ESPCTL_E_ABI, "espctl_bundle_create: options of ABI major %u, library has %u",
                          opts->hdr.abi_major, ESPCTL_PLUGIN_ABI_MAJOR);
    struct espctl_bundle_create_options o = {0};
    memcpy(&o, opts, opts->hdr.struct_size < sizeof o ? opts->hdr.struct_size : sizeof o);
    if (!o.elf_path || !o.chip)
        return core_error(ESPCTL_E_INVAL, "espctl_bundle_create: elf_path and chip are required");
    if (result && result->hdr.struct_size < sizeof result->hdr)
        return core_error(ESPCTL_E_INVAL, "espctl_bundle_create: result hdr.struct_size too small");

    struct create_job *j = calloc(1, sizeof *j);
    if (!j)
        return core_error(ESPCTL_E_NOMEM, "out of memory");
    j->ctx = ctx;
    int rc = prepare(j, &o);
    int fd = -1, is_signed = 0;
    char *tmp = NULL;
    if (!rc)
        rc = bundle_temp_create(j->out_path, &fd, &tmp);
    if (!rc) {
        rc = write_bundle(j, fd, &is_signed);
        if (rc) {
            bundle_temp_discard(fd, tmp);
        } else {
            rc = bundle_temp_commit(fd, tmp, j->out_path, 0644);
        }
        core_stage_end(ctx, "write", rc);
    }
    if (!rc && result) {
        struct espctl_bundle_create_result full;
        memset(&full, 0, sizeof full);
        snprintf(full.path, sizeof full.path, "%s", j->out_path);
        full.is_signed = is_signed;
        full.image_size = j->esp_chip ? j->esp.image->segments[0].size : j->image.span;
        full.image_address = j->esp_chip ? j->esp.image->segments[0].address : j->image.base;
        struct stat st;
        full.bundle_size = stat(j->out_path, &st) == 0 ? (uint64_t)st.st_size : 0;
        struct espctl_abi_hdr keep = result->hdr;
        memcpy(result, &full, keep.struct_size < sizeof full ? keep.struct_size : sizeof full);
        result->hdr = keep;
    }
    job_release(j);
    free(j);
    return rc;
}
