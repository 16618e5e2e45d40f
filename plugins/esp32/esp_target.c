#include "esp_target.h"

#include "esp_flasher.h"
#include "esp_format.h"
#include "esp_monitor.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_FLASH_BAUD 460800u

static int32_t t_supports_chip(void *target_data, const char *chip)
{
    (void)target_data;
    return esp_chip_by_name(chip) != NULL;
}

static int parse_u32(const char *s, uint32_t *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (end == s || *end || v > UINT32_MAX)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

/* target_json keys the session reads; the manifest's own keys are accepted and ignored. */
struct json_opts {
    const char *chip, *flash_size, *before, *after;
};

static int read_target_json(const struct esp_env *env, json_t *root, struct json_opts *o)
{
    memset(o, 0, sizeof *o);
    if (!root)
        return 0;
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        const char **slot = !strcmp(key, "chip") ? &o->chip : !strcmp(key, "flash_size") ? &o->flash_size
                          : !strcmp(key, "before") ? &o->before : !strcmp(key, "after") ? &o->after : NULL;
        if (!slot)
            continue;
        if (!json_is_string(v))
            return esp_fail(env, ESPCTL_E_INVAL, "connect: target JSON key '%s' must be a string", key);
        *slot = json_string_value(v);
    }
    return 0;
}

/* Applies the options (precedence: params/target_json, then config, then defaults). */
static int configure(struct esp_session *s, const struct espctl_target_params *p, const struct json_opts *j)
{
    const struct esp_env *env = &s->env;
    const char *chip = p->chip ? p->chip : j->chip;
    if (chip && !(s->expected = esp_chip_by_name(chip)))
        return esp_fail(env, ESPCTL_E_INVAL, "connect: '%s' is not a chip of the esp32 target", chip);
    const char *before = j->before, *after = j->after, *v;
    int from_config = 0;
    if (!before && (before = esp_config(env, "esp32.before")))
        from_config = 1;
    if (before && esp_before_parse(before, &s->before))
        return esp_fail(env, from_config ? ESPCTL_E_CONFIG : ESPCTL_E_INVAL,
                        "connect: before '%s' is not one of default, usb, no-reset, no-reset-no-sync", before);
    if (p->flags & ESPCTL_TARGET_NO_RESET)
        s->before = s->before == ESP_BEFORE_NO_RESET_NO_SYNC ? s->before : ESP_BEFORE_NO_RESET;
    from_config = 0;
    if (!after && (after = esp_config(env, "esp32.after")))
        from_config = 1;
    if (after && esp_after_parse(after, &s->after))
        return esp_fail(env, from_config ? ESPCTL_E_CONFIG : ESPCTL_E_INVAL,
                        "connect: after '%s' is not one of hard, soft, no-reset, watchdog", after);
    const char *size = j->flash_size ? j->flash_size : esp_config(env, "esp32.flash_size");
    if (size) {
        int code = esp_flash_size_code(size);
        if (code < 0)
            return esp_fail(env, ESPCTL_E_INVAL, "connect: flash_size '%s' is not one of 1MB..128MB", size);
        s->flash_size = esp_flash_size_bytes((uint8_t)code);
    }
    s->baud = p->baud;
    if (!s->baud && (v = esp_config(env, "esp32.baud")) && parse_u32(v, &s->baud))
        return esp_fail(env, ESPCTL_E_CONFIG, "config esp32.baud '%s' is not a number", v);
    if (!s->baud)
        s->baud = DEFAULT_FLASH_BAUD;
    if ((v = esp_config(env, "esp32.monitor_baud")) && (parse_u32(v, &s->monitor_baud) || !s->monitor_baud))
        return esp_fail(env, ESPCTL_E_CONFIG, "config esp32.monitor_baud '%s' is not a baud rate", v);
    uint32_t t;
    if ((v = esp_config(env, "esp32.timeout_ms"))) {
        if (parse_u32(v, &t) || t < 50)
            return esp_fail(env, ESPCTL_E_CONFIG, "config esp32.timeout_ms '%s' must be a number >= 50", v);
        s->loader.min_timeout_ms = t;
    }
    return 0;
}

static int t_open(void *target_data, const struct espctl_target_params *p, void **session)
{
    struct esp_env env = {target_data};
    *session = NULL;
    const char *port = p->port ? p->port : esp_config(&env, "esp32.port");
    json_t *root = NULL;
    if (p->target_json) {
        json_error_t je;
        root = json_loads(p->target_json, 0, &je);
        if (!root || !json_is_object(root)) {
            json_decref(root);
            return esp_fail(&env, ESPCTL_E_INVAL, "connect: target JSON is not an object (%s)", je.text);
        }
    }
    struct json_opts j;
    int rc = read_target_json(&env, root, &j);
    struct esp_session *s = NULL;
    if (!rc)
        rc = esp_session_open(&env, port, &s);
    if (!rc && (rc = configure(s, p, &j))) {
        esp_session_close(s);
        s = NULL;
    }
    json_decref(root);
    *session = s;
    return rc;
}

static void t_close(void *session)
{
    esp_session_close(session);
}

static int check_segment(struct esp_session *s, const struct espctl_segment *seg, uint32_t i)
{
    if (seg->address > UINT32_MAX || seg->size > UINT32_MAX || seg->address + seg->size > UINT32_MAX)
        return esp_fail(&s->env, ESPCTL_E_INVAL, "program: segment %u (0x%llx + 0x%llx) is outside the 32-bit flash space", i,
                        (unsigned long long)seg->address, (unsigned long long)seg->size);
    if (seg->size && !seg->data)
        return esp_fail(&s->env, ESPCTL_E_INVAL, "program: segment %u has no data", i);
    return 0;
}

static int t_flash(void *session, const struct espctl_flash_image *image, uint32_t flags)
{
    struct esp_session *s = session;
    int rc = esp_session_connect(s);
    if (!rc && (flags & ESPCTL_FLASH_CHIP_ERASE))
        rc = esp_flash_erase_all(s);
    for (uint32_t i = 0; !rc && i < image->segment_count; i++) {
        const struct espctl_segment *seg = &image->segments[i];
        if (!(rc = check_segment(s, seg, i)))
            rc = esp_flash_write(s, (uint32_t)seg->address, seg->data, (uint32_t)seg->size,
                                 flags | ((flags & ESPCTL_FLASH_CHIP_ERASE) ? ESPCTL_FLASH_NO_SKIP : 0));
    }
    if (rc)
        s->failed = 1;
    return rc;
}

static int t_verify(void *session, const struct espctl_flash_image *image)
{
    struct esp_session *s = session;
    int rc = esp_session_connect(s);
    for (uint32_t i = 0; !rc && i < image->segment_count; i++) {
        const struct espctl_segment *seg = &image->segments[i];
        if (!(rc = check_segment(s, seg, i)))
            rc = esp_flash_verify(s, (uint32_t)seg->address, seg->data, (uint32_t)seg->size);
    }
    return rc;
}

static int t_erase(void *session, uint64_t address, uint64_t length, uint32_t flags)
{
    struct esp_session *s = session;
    int rc = esp_session_connect(s);
    if (rc)
        return rc;
    if (flags & ESPCTL_FLASH_CHIP_ERASE)
        return esp_flash_erase_all(s);
    if (address > UINT32_MAX || length > UINT32_MAX)
        return esp_fail(&s->env, ESPCTL_E_INVAL, "erase: 0x%llx + 0x%llx is outside the 32-bit flash space",
                        (unsigned long long)address, (unsigned long long)length);
    return esp_flash_erase_region(s, (uint32_t)address, (uint32_t)length);
}

static int t_reset(void *session, int32_t kind)
{
    struct esp_session *s = session;
    int rc;
    switch (kind) {
    case ESPCTL_RESET_HW_PULSE:
        if ((rc = esp_session_hard_reset(s)))
            rc = esp_fail(&s->env, rc, "reset: %s has no RTS line to pulse EN", s->port->name);
        break;
    case ESPCTL_RESET_HW_ASSERT:
        rc = esp_port_set_rts(s->port, 1) ? esp_fail(&s->env, ESPCTL_E_NOT_SUPPORTED, "reset: %s has no RTS line", s->port->name) : 0;
        break;
    case ESPCTL_RESET_HW_DEASSERT:
        rc = esp_port_set_rts(s->port, 0) ? esp_fail(&s->env, ESPCTL_E_NOT_SUPPORTED, "reset: %s has no RTS line", s->port->name) : 0;
        break;
    case ESPCTL_RESET_SYSTEM:
        /* "reset and run": the session's after action (default hard, soft without RTS). */
        rc = esp_session_connect(s);
        if (!rc)
            rc = esp_session_after(s);
        break;
    default:
        return esp_fail(&s->env, ESPCTL_E_INVAL, "reset: unknown reset kind %d", kind);
    }
    if (!rc)
        s->connected = 0; /* the app runs now; a later operation reconnects */
    return rc;
}

static int t_read(void *session, uint64_t address, uint8_t *buf, uint64_t length)
{
    struct esp_session *s = session;
    int rc = esp_session_connect(s);
    if (rc)
        return rc;
    if (address > UINT32_MAX || length > UINT32_MAX)
        return esp_fail(&s->env, ESPCTL_E_INVAL, "read: 0x%llx + 0x%llx is outside the 32-bit flash space",
                        (unsigned long long)address, (unsigned long long)length);
    return esp_flash_read(s, (uint32_t)address, buf, (uint32_t)length);
}

static int t_monitor_open(void *session, const struct espctl_monitor_params *p)
{
    struct esp_session *s = session;
    if (p->mode != ESPCTL_MONITOR_UART)
        return esp_fail(&s->env, ESPCTL_E_NOT_SUPPORTED, "monitor: the esp32 target offers the UART monitor only (no RTT)");
    return esp_monitor_open(s, p->baud, p->flags);
}

static int t_monitor_read(void *session, uint8_t *buf, uint32_t cap, uint32_t *got, uint32_t timeout_ms)
{
    return esp_monitor_read(session, buf, cap, got, timeout_ms);
}

static int t_monitor_write(void *session, const uint8_t *buf, uint32_t len)
{
    return esp_monitor_write(session, buf, len);
}

static void t_monitor_close(void *session)
{
    esp_monitor_close(session);
}

static const void *t_get_extension(void *target_data, const char *id)
{
    (void)target_data;
    return id && !strcmp(id, ESPCTL_EXT_IMAGE_FORMAT) ? &esp_image_format : NULL;
}

void esp_target_vtable(struct espctl_flash_target *t, const struct espctl_host *host)
{
    *t = (struct espctl_flash_target){
        .hdr = ESPCTL_ABI_HDR(struct espctl_flash_target),
        .name = "esp32",
        .description = "ESP32 family through the ROM serial loader (serial port or socket://), ESP-IDF app images",
        .target_data = (void *)host,
        .supports_chip = t_supports_chip,
        .open = t_open,
        .close = t_close,
        .flash = t_flash,
        .verify = t_verify,
        .erase = t_erase,
        .reset = t_reset,
        .read = t_read,
        .monitor_open = t_monitor_open,
        .monitor_read = t_monitor_read,
        .monitor_write = t_monitor_write,
        .monitor_close = t_monitor_close,
        .get_extension = t_get_extension,
    };
}
