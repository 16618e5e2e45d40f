/* The flash front-end API: choose the flash-target component, open a session, and
 * pass flash/verify/erase/reset/read through to it. */
#include "flash_internal.h"

#include "chips.h"

#include <ctype.h>

#include <stdlib.h>
#include <string.h>

_Static_assert(ESPCTL_FLASH_CONNECT_UNDER_RESET == ESPCTL_TARGET_CONNECT_UNDER_RESET, "flags");
_Static_assert(ESPCTL_FLASH_ATTACH_NO_RESET == ESPCTL_TARGET_NO_RESET, "flags");
_Static_assert(ESPCTL_FLASH_WRITE_NO_VERIFY == ESPCTL_FLASH_NO_VERIFY, "flags");
_Static_assert(ESPCTL_FLASH_WRITE_NO_SKIP == ESPCTL_FLASH_NO_SKIP, "flags");
_Static_assert(ESPCTL_FLASH_WRITE_CHIP_ERASE == ESPCTL_FLASH_CHIP_ERASE, "flags");
_Static_assert(ESPCTL_FLASH_RESET_HW_PULSE == ESPCTL_RESET_HW_PULSE, "reset kinds");
_Static_assert(ESPCTL_FLASH_RESET_SYSTEM == ESPCTL_RESET_SYSTEM, "reset kinds");
_Static_assert(sizeof(struct espctl_flash_segment) == sizeof(struct espctl_segment), "segment");
_Static_assert(offsetof(struct espctl_flash_segment, data) == offsetof(struct espctl_segment, data),
               "segment");

static const struct espctl_flash_target *vt(const struct core_component *c)
{
    return &c->vtable.flash_target;
}

static const struct core_component *target_named(const espctl_ctx *ctx, const char *kind)
{
    for (uint32_t i = 0; i < ctx->flash_targets.count; i++) {
        const struct core_component *c = ctx->flash_targets.items[i];
        if (c->name && strcmp(c->name, kind) == 0)
            return c;
    }
    return NULL;
}

static int supports(const struct core_component *c, const char *chip)
{
    return vt(c)->supports_chip && vt(c)->supports_chip(vt(c)->target_data, chip) == 1;
}

/* No kind and no chip: the flash target that loaded chip families name as their
 * architecture, when exactly one does. */
static int target_by_arch(const espctl_ctx *ctx, const struct core_component **out)
{
    const struct core_component *found = NULL;
    for (uint32_t i = 0; i < ctx->chip_families.count; i++) {
        const struct core_component *fam = ctx->chip_families.items[i];
        const char *arch = fam->vtable.chip_family.arch;
        const struct core_component *t = arch ? target_named(ctx, arch) : NULL;
        if (!t || t == found)
            continue;
        if (found)
            return core_error(ESPCTL_E_INVAL, "connect: several flash targets (%s, %s) could serve; "
                              "name the chip with --chip", found->name, t->name);
        found = t;
    }
    if (!found)
        return core_error(ESPCTL_E_INVAL,
                          "connect: no chip named and no chip family loaded; name the chip with --chip");
    *out = found;
    return 0;
}

/* A chip the core's table knows but whose chip-family plugin is not loaded: name the
 * plugin to install ("stm32h7" for family "STM32H7"). */
static int missing_family(const char *chip)
{
    const struct core_chip *k = core_chip_find(chip);
    if (!k)
        return 0;
    char name[32], plugin[32];
    size_t i = 0;
    for (; k->name[i] && i + 1 < sizeof name; i++)
        name[i] = (char)tolower((unsigned char)k->name[i]);
    name[i] = '\0';
    for (i = 0; k->family[i] && i + 1 < sizeof plugin; i++)
        plugin[i] = (char)tolower((unsigned char)k->family[i]);
    plugin[i] = '\0';
    return core_error(ESPCTL_E_INVAL, "no flash driver for chip %s; install the %s plugin", name,
                      plugin);
}

static int choose_target(const espctl_ctx *ctx, const char *kind, const char *chip,
                         const struct core_component **out)
{
    if (kind) {
        const struct core_component *c = target_named(ctx, kind);
        if (!c)
            return core_error(ESPCTL_E_NOT_FOUND,
                              "connect: no flash target '%s' is loaded (is its plugin installed?)", kind);
        if (chip && vt(c)->supports_chip && !supports(c, chip)) {
            int rc = missing_family(chip);
            if (rc)
                return rc;
            return core_error(ESPCTL_E_INVAL, "connect: unknown chip '%s' for flash target '%s'", chip,
                              kind);
        }
        *out = c;
        return 0;
    }
    if (!chip)
        return target_by_arch(ctx, out);
    for (uint32_t i = 0; i < ctx->flash_targets.count; i++) {
        const struct core_component *c = ctx->flash_targets.items[i];
        if (supports(c, chip)) {
            *out = c;
            return 0;
        }
    }
    int rc = missing_family(chip);
    if (rc)
        return rc;
    return core_error(ESPCTL_E_INVAL, "connect: unknown chip '%s' (no loaded flash target supports it)",
                      chip);
}

/* Make sure the detail names the stage: plugin or probe-driver text that does not
 * start with "connect" gets the prefix. */
static int connect_failed(int rc)
{
    const char *detail = espctl_last_error();
    if (strncmp(detail, "connect", 7) == 0)
        return rc;
    char *copy = strdup(detail[0] ? detail : espctl_strerror(rc));
    if (!copy)
        return rc;
    core_error(rc, "connect: %s", copy);
    free(copy);
    return rc;
}

int core_flash_open(espctl_ctx *ctx, const struct espctl_flash_open_options *opts,
                    const char *target_json, espctl_flash_session **session)
{
    if (!ctx || !opts || !session)
        return core_error(ESPCTL_E_INVAL, "espctl_flash_open: NULL argument");
    if (opts->hdr.abi_major != ESPCTL_PLUGIN_ABI_MAJOR ||
        opts->hdr.struct_size < sizeof(struct espctl_flash_open_options))
        return core_error(ESPCTL_E_ABI, "espctl_flash_open: options of an unknown version");
    *session = NULL;
    const char *chip = opts->chip && *opts->chip ? opts->chip : NULL;
    const char *kind = opts->target_kind && *opts->target_kind ? opts->target_kind : NULL;
    const struct core_component *target = NULL;
    int rc = choose_target(ctx, kind, chip, &target);
    if (rc)
        return rc;
    if (!vt(target)->open || !vt(target)->close)
        return core_error(ESPCTL_E_NOT_SUPPORTED, "connect: flash target '%s' cannot open sessions",
                          target->name);
    espctl_flash_session *s = calloc(1, sizeof *s);
    if (!s)
        return core_error(ESPCTL_E_NOMEM, "connect: out of memory");
    s->ctx = ctx;
    s->target = target;
    struct espctl_target_params params = {
        .hdr = ESPCTL_ABI_HDR(struct espctl_target_params),
        .chip = chip,
        .probe = opts->probe && *opts->probe ? opts->probe
                                             : espctl_config_get(ctx, "core.default_probe"),
        .port = opts->port,
        .baud = opts->baud,
        .flags = opts->flags,
        .target_json = target_json,
    };
    espctl_clear_error();
    rc = vt(target)->open(vt(target)->target_data, &params, &s->handle);
    if (rc) {
        free(s);
        return connect_failed(rc);
    }
    *session = s;
    return 0;
}

int espctl_flash_open(espctl_ctx *ctx, const struct espctl_flash_open_options *opts,
                      espctl_flash_session **session)
{
    return core_flash_open(ctx, opts, NULL, session);
}

void espctl_flash_close(espctl_flash_session *s)
{
    if (!s)
        return;
    char *kept = strdup(espctl_last_error());
    vt(s->target)->close(s->handle);
    if (kept) {
        core_error_str(0, kept);
        free(kept);
    }
    free(s);
}

const char *espctl_flash_target_kind(const espctl_flash_session *s)
{
    return s ? s->target->name : "";
}

/* The call a target does not offer. */
static int missing(const espctl_flash_session *s, const char *what)
{
    return core_error(ESPCTL_E_NOT_SUPPORTED, "%s: flash target '%s' does not offer it", what,
                      s->target->name);
}

int espctl_flash_write(espctl_flash_session *s, const struct espctl_flash_segment *segments,
                       uint32_t count, const char *elf_path, uint32_t flags)
{
    if (!s || (count && !segments))
        return core_error(ESPCTL_E_INVAL, "program: no session or no segments");
    if (!vt(s->target)->flash)
        return missing(s, "program");
    struct espctl_flash_image image = {
        .hdr = ESPCTL_ABI_HDR(struct espctl_flash_image),
        .segment_count = count,
        .segments = (const struct espctl_segment *)(const void *)segments,
        .elf_path = elf_path,
    };
    espctl_clear_error();
    return vt(s->target)->flash(s->handle, &image, flags);
}

int espctl_flash_verify(espctl_flash_session *s, const struct espctl_flash_segment *segments,
                        uint32_t count)
{
    if (!s || (count && !segments))
        return core_error(ESPCTL_E_INVAL, "verify: no session or no segments");
    if (!vt(s->target)->verify)
        return missing(s, "verify");
    struct espctl_flash_image image = {
        .hdr = ESPCTL_ABI_HDR(struct espctl_flash_image),
        .segment_count = count,
        .segments = (const struct espctl_segment *)(const void *)segments,
    };
    return vt(s->target)->verify(s->handle, &image);
}

int espctl_flash_erase(espctl_flash_session *s, uint64_t address, uint64_t length, uint32_t flags)
{
    if (!s)
        return core_error(ESPCTL_E_INVAL, "erase: no session");
    if (!vt(s->target)->erase)
        return missing(s, "erase");
    return vt(s->target)->erase(s->handle, address, length, flags);
}

int espctl_flash_reset(espctl_flash_session *s, int32_t kind)
{
    if (!s)
        return core_error(ESPCTL_E_INVAL, "reset: no session");
    if (!vt(s->target)->reset)
        return missing(s, "reset");
    return vt(s->target)->reset(s->handle, kind);
}

int espctl_flash_read(espctl_flash_session *s, uint64_t address, uint8_t *buf, uint64_t length)
{
    if (!s || (length && !buf))
        return core_error(ESPCTL_E_INVAL, "read: no session or no buffer");
    if (!vt(s->target)->read)
        return missing(s, "read");
    return vt(s->target)->read(s->handle, address, buf, length);
}
