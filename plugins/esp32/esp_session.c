#include "esp_session.h"

#include "esp_bytes.h"

#include <stdlib.h>
#include <string.h>

#define CONNECT_ATTEMPTS 7
#define SYNC_ATTEMPTS 5
#define SYNC_PAUSE_MS 50
#define RESET_HOLD_MS 100
#define BAUD_SETTLE_MS 50

int esp_session_open(const struct esp_env *env, const char *port, struct esp_session **out)
{
    struct esp_session *s = calloc(1, sizeof *s);
    if (!s)
        return esp_fail(env, ESPCTL_E_NOMEM, "connect: out of memory");
    s->env = *env;
    int rc = esp_port_open(env, port, ESP_ROM_BAUD, &s->port);
    if (rc) {
        free(s);
        return rc;
    }
    esp_loader_init(&s->loader, env, s->port);
    s->monitor_baud = ESP_ROM_BAUD;
    *out = s;
    return 0;
}

void esp_session_close(struct esp_session *s)
{
    if (!s)
        return;
    if (s->connected && !s->failed && !s->monitoring && esp_session_after(s))
        esp_log(&s->env, ESPCTL_LOG_WARN, "after-flash %s reset failed: %s", esp_after_name(s->after), esp_last_error());
    esp_loader_fini(&s->loader);
    esp_port_close(s->port);
    free(s);
}

/* ---- control lines ---- */

static void lines_unsupported(struct esp_session *s)
{
    if (!s->reset_warned && !s->port->is_socket)
        esp_log(&s->env, ESPCTL_LOG_WARN, "%s has no DTR/RTS control lines: the chip was NOT reset (use --before no-reset to silence this)",
                s->port->name);
    s->reset_warned = 1;
}

static int set_lines(struct esp_session *s, int dtr, int rts)
{
    if (esp_port_set_lines(s->port, dtr, rts)) {
        lines_unsupported(s);
        return ESPCTL_E_NOT_SUPPORTED;
    }
    return 0;
}

/* DTR drives IO0 (boot strap) low, RTS drives EN low, through the usual two-transistor circuit. */
static int classic_reset(struct esp_session *s, uint32_t delay_ms)
{
    if (esp_port_set_dtr(s->port, 0) || esp_port_set_rts(s->port, 1)) {
        lines_unsupported(s);
        return ESPCTL_E_NOT_SUPPORTED;
    }
    int rc = esp_sleep_ms(&s->env, RESET_HOLD_MS);
    esp_port_set_dtr(s->port, 1);
    esp_port_set_rts(s->port, 0);
    if (!rc)
        rc = esp_sleep_ms(&s->env, delay_ms);
    esp_port_set_dtr(s->port, 0);
    return rc;
}

static int unix_tight_reset(struct esp_session *s, uint32_t delay_ms)
{
    if (set_lines(s, 0, 0))
        return ESPCTL_E_NOT_SUPPORTED;
    set_lines(s, 1, 1);
    set_lines(s, 0, 1);
    int rc = esp_sleep_ms(&s->env, RESET_HOLD_MS);
    set_lines(s, 1, 0);
    if (!rc)
        rc = esp_sleep_ms(&s->env, delay_ms);
    set_lines(s, 0, 0);
    esp_port_set_dtr(s->port, 0);
    return rc;
}

/* USB-JTAG-serial peripheral: the sequence passes through (1,1), never (0,0), while in reset. */
static int usb_jtag_reset(struct esp_session *s)
{
    if (esp_port_set_rts(s->port, 0) || esp_port_set_dtr(s->port, 0)) {
        lines_unsupported(s);
        return ESPCTL_E_NOT_SUPPORTED;
    }
    int rc = esp_sleep_ms(&s->env, RESET_HOLD_MS);
    esp_port_set_dtr(s->port, 1);
    esp_port_set_rts(s->port, 0);
    if (!rc)
        rc = esp_sleep_ms(&s->env, RESET_HOLD_MS);
    esp_port_set_rts(s->port, 1);
    esp_port_set_dtr(s->port, 0);
    esp_port_set_rts(s->port, 1);
    if (!rc)
        rc = esp_sleep_ms(&s->env, RESET_HOLD_MS);
    esp_port_set_dtr(s->port, 0);
    esp_port_set_rts(s->port, 0);
    return rc;
}

/* Attempt n of the default strategy: UnixTight(50), UnixTight(550), Classic(50), Classic(550)... */
static int reset_attempt(struct esp_session *s, unsigned attempt)
{
    int rc = 0;
    if (s->port->is_socket)
        return 0; /* no control lines on a raw TCP port: esptool forces no-reset too */
    switch (s->before) {
    case ESP_BEFORE_DEFAULT: {
        uint32_t delay = attempt % 2 ? 550 : 50;
        rc = (attempt / 2) % 2 ? classic_reset(s, delay) : unix_tight_reset(s, delay);
        break;
    }
    case ESP_BEFORE_USB: rc = usb_jtag_reset(s); break;
    default: return 0;
    }
    return rc == ESPCTL_E_CANCELLED ? rc : 0;
}

/* ---- sync and detection ---- */

static int sync_once(struct esp_session *s)
{
    uint8_t payload[36] = {0x07, 0x07, 0x12, 0x20};
    memset(payload + 4, 0x55, 32);
    struct esp_reply r;
    s->sync_attempts++;
    return esp_command(&s->loader, ESP_OP_SYNC, payload, sizeof payload, 0,
                       ESP_SYNC_TIMEOUT_MS > s->loader.min_timeout_ms ? s->loader.min_timeout_ms : ESP_SYNC_TIMEOUT_MS,
                       &r);
}

/* Reads and drops the rest of the ROM's 8 SYNC replies (until the line is quiet). */
static void drain(struct esp_session *s, uint32_t quiet_ms)
{
    uint8_t buf[512];
    size_t got;
    do {
        got = 0;
        if (esp_port_read(&s->env, s->port, buf, sizeof buf, &got, quiet_ms))
            break;
    } while (got);
    s->loader.rlen = s->loader.rpos = 0;
    esp_slip_decoder_init(&s->loader.dec);
}

static int reset_and_sync(struct esp_session *s)
{
    if (s->before == ESP_BEFORE_NO_RESET_NO_SYNC)
        return 0;
    for (unsigned attempt = 0; attempt < CONNECT_ATTEMPTS; attempt++) {
        s->connect_attempts++;
        int rc = reset_attempt(s, attempt);
        if (rc)
            return rc;
        /* After the reset: discard boot text (on a pty this flush is also what the simulator
         * takes as the reset into download mode). */
        esp_loader_flush(&s->loader);
        for (unsigned k = 0; k < SYNC_ATTEMPTS; k++) {
            rc = sync_once(s);
            if (rc == 0) {
                drain(s, 20);
                return 0;
            }
            if (rc == ESPCTL_E_CANCELLED || rc == ESPCTL_E_NO_DEVICE || rc == ESPCTL_E_IO)
                return rc;
            if ((rc = esp_sleep_ms(&s->env, SYNC_PAUSE_MS)))
                return rc;
        }
    }
    return esp_fail(&s->env, ESPCTL_E_TIMEOUT,
                    "connect: no SYNC reply from the ROM loader on %s after %u resets x %u attempts (before=%s): is the chip in download mode, the port right, the cable a data cable?",
                    s->port->name, CONNECT_ATTEMPTS, SYNC_ATTEMPTS, esp_before_name(s->before));
}

/* Idempotent commands are retried on timeouts and on frame/checksum damage. */
static int retried(struct esp_session *s, uint8_t op, const uint8_t *data, size_t len, uint32_t timeout_ms,
                   struct esp_reply *r)
{
    int rc = 0;
    for (int attempt = 0; attempt < 3; attempt++) {
        if (attempt)
            s->loader.retries++;
        rc = esp_command(&s->loader, op, data, len, 0, timeout_ms, r);
        if (rc == 0 || rc == ESPCTL_E_CANCELLED || rc == ESPCTL_E_IO || rc == ESPCTL_E_NO_DEVICE)
            return rc;
        if (rc == ESPCTL_E_TARGET && r->error != 0x05 && r->error != 0x07)
            return rc;
    }
    return rc;
}

int esp_session_command(struct esp_session *s, uint8_t op, const uint8_t *data, size_t len,
                        uint32_t timeout_ms, struct esp_reply *r)
{
    return retried(s, op, data, len, timeout_ms, r);
}

static int detect_chip(struct esp_session *s)
{
    struct esp_reply r;
    const struct esp_chip_info *chip = NULL;
    int rc = retried(s, ESP_OP_GET_SECURITY_INFO, NULL, 0, s->loader.min_timeout_ms, &r);
    if (rc == 0 && r.data_len >= 20) {
        uint32_t id = esp_le32(r.data + 12);
        chip = esp_chip_by_id(id);
        if (!chip)
            return esp_fail(&s->env, ESPCTL_E_NOT_SUPPORTED, "connect: GET_SECURITY_INFO reports chip id %u, which this plugin does not know", id);
        if (esp_le32(r.data) & 0x4)
            esp_log(&s->env, ESPCTL_LOG_WARN, "%s is in Secure Download Mode", chip->pretty);
    } else if (rc && rc != ESPCTL_E_TARGET && rc != ESPCTL_E_TIMEOUT && rc != ESPCTL_E_NOT_SUPPORTED) {
        return rc;
    }
    if (!chip) { /* ESP32 (no GET_SECURITY_INFO) and ESP32-S2 (no chip id in it) */
        rc = retried(s, ESP_OP_READ_REG, (const uint8_t[]){0x00, 0x10, 0x00, 0x40}, 4, s->loader.min_timeout_ms, &r);
        if (rc)
            return esp_fail(&s->env, rc, "connect: chip detection failed: %s", esp_last_error());
        chip = esp_chip_by_magic(r.value);
        if (!chip)
            return esp_fail(&s->env, ESPCTL_E_NOT_SUPPORTED, "connect: unknown chip (magic word 0x%08x at 0x40001000)", r.value);
    }
    s->chip = chip;
    if (s->expected && s->expected != chip)
        return esp_fail(&s->env, ESPCTL_E_INVAL, "connect: the image is for %s but the connected chip is %s",
                        s->expected->pretty, chip->pretty);
    esp_log(&s->env, ESPCTL_LOG_INFO, "connected to %s on %s", chip->pretty, s->port->name);
    return 0;
}

static int attach_flash(struct esp_session *s)
{
    struct esp_reply r;
    uint8_t attach[8] = {0}; /* default SPI pins; the ROM wants the extra 4-byte word */
    int rc = retried(s, ESP_OP_SPI_ATTACH, attach, sizeof attach, s->loader.min_timeout_ms, &r);
    if (rc)
        return esp_fail(&s->env, rc, "connect: SPI_ATTACH: %s", esp_last_error());
    if (!s->flash_size)
        s->flash_size = s->chip->default_flash_size;
    uint8_t params[24];
    esp_put32(params, 0);
    esp_put32(params + 4, s->flash_size);
    esp_put32(params + 8, 0x10000);
    esp_put32(params + 12, 0x1000);
    esp_put32(params + 16, 0x100);
    esp_put32(params + 20, 0xFFFF);
    rc = retried(s, ESP_OP_SPI_SET_PARAMS, params, sizeof params, s->loader.min_timeout_ms, &r);
    if (rc)
        return esp_fail(&s->env, rc, "connect: SPI_SET_PARAMS (%u bytes): %s", s->flash_size, esp_last_error());
    return 0;
}

static int change_baud(struct esp_session *s)
{
    if (!s->baud || s->baud == s->port->baud)
        return 0;
    if (!s->port->is_socket && !esp_port_baud_supported(s->baud))
        return esp_fail(&s->env, ESPCTL_E_INVAL, "connect: baud rate %u is not supported by this serial driver", s->baud);
    uint8_t payload[8];
    esp_put32(payload, s->baud);
    esp_put32(payload + 4, 0); /* 0 = talking to the ROM */
    struct esp_reply r;
    int rc = esp_command(&s->loader, ESP_OP_CHANGE_BAUDRATE, payload, sizeof payload, 0, s->loader.min_timeout_ms, &r);
    if (rc)
        return esp_fail(&s->env, rc, "connect: CHANGE_BAUDRATE to %u: %s", s->baud, esp_last_error());
    if ((rc = esp_port_set_baud(&s->env, s->port, s->baud)))
        return rc;
    rc = esp_sleep_ms(&s->env, BAUD_SETTLE_MS);
    esp_loader_flush(&s->loader);
    return rc;
}

int esp_session_connect(struct esp_session *s)
{
    if (s->connected)
        return 0;
    esp_emit(&s->env, ESPCTL_EVENT_STAGE_BEGIN, "connect", 0, 0, ESPCTL_NO_ADDRESS, 0, s->port->name);
    int rc = reset_and_sync(s);
    if (!rc)
        rc = detect_chip(s);
    if (!rc)
        rc = attach_flash(s);
    if (!rc)
        rc = change_baud(s);
    if (rc)
        s->failed = 1;
    else
        s->connected = 1;
    esp_emit(&s->env, ESPCTL_EVENT_STAGE_END, "connect", 0, 0, ESPCTL_NO_ADDRESS, rc, s->chip ? s->chip->pretty : NULL);
    return rc;
}

/* ---- after actions ---- */

int esp_session_hard_reset(struct esp_session *s)
{
    if (s->port->is_socket || esp_port_set_rts(s->port, 1))
        return ESPCTL_E_NOT_SUPPORTED;
    int usb = s->before == ESP_BEFORE_USB;
    int rc = esp_sleep_ms(&s->env, usb ? 200 : 100);
    esp_port_set_rts(s->port, 0);
    return rc;
}

int esp_session_soft_reset(struct esp_session *s)
{
    uint8_t begin[20] = {0};
    esp_put32(begin + 8, 0x400);
    struct esp_reply r;
    size_t len = s->chip && s->chip->flash_begin_has_encrypted ? 20 : 16;
    int rc = esp_session_command(s, ESP_OP_FLASH_BEGIN, begin, len, s->loader.min_timeout_ms, &r);
    if (rc)
        return esp_fail(&s->env, rc, "reset: FLASH_BEGIN before soft reset: %s", esp_last_error());
    uint8_t run[4] = {1, 0, 0, 0}; /* 1: leave the loader and run the app */
    rc = esp_command(&s->loader, ESP_OP_FLASH_END, run, sizeof run, 0, s->loader.min_timeout_ms, &r);
    if (rc == ESPCTL_E_TIMEOUT)
        rc = 0; /* the ROM may jump before its reply is out */
    return rc ? esp_fail(&s->env, rc, "reset: FLASH_END(run): %s", esp_last_error()) : 0;
}

struct wdt_regs {
    uint16_t chip_id;
    uint32_t config0, config1, wprotect;
};
/* RTC watchdog registers (esptool targets: watchdog_reset). */
static const struct wdt_regs wdt_table[] = {
    {2, 0x3F408094u, 0x3F408098u, 0x3F4080ACu},  /* ESP32-S2 */
    {9, 0x60008098u, 0x6000809Cu, 0x600080B0u},  /* ESP32-S3 */
    {5, 0x60008090u, 0x60008094u, 0x600080A8u},  /* ESP32-C3 */
    {13, 0x600B1C00u, 0x600B1C04u, 0x600B1C18u}, /* ESP32-C6 (LP_WDT) */
};

int esp_session_watchdog_reset(struct esp_session *s)
{
    const struct wdt_regs *w = NULL;
    for (size_t i = 0; s->chip && i < sizeof wdt_table / sizeof wdt_table[0]; i++)
        if (wdt_table[i].chip_id == s->chip->chip_id)
            w = &wdt_table[i];
    if (!w)
        return esp_fail(&s->env, ESPCTL_E_NOT_SUPPORTED, "reset: watchdog reset is not available for %s (use --after hard)",
                        s->chip ? s->chip->pretty : "this chip");
    const uint32_t writes[4][2] = {{w->wprotect, 0x50D83AA1u}, {w->config1, 2000},
                                   {w->config0, (1u << 31) | (5u << 28) | (1u << 8) | 2u}, {w->wprotect, 0}};
    for (int i = 0; i < 4; i++) {
        uint8_t p[16];
        esp_put32(p, writes[i][0]);
        esp_put32(p + 4, writes[i][1]);
        esp_put32(p + 8, 0xFFFFFFFFu);
        esp_put32(p + 12, 0);
        struct esp_reply r;
        int rc = esp_session_command(s, ESP_OP_WRITE_REG, p, sizeof p, s->loader.min_timeout_ms, &r);
        if (rc)
            return esp_fail(&s->env, rc, "reset: WRITE_REG 0x%08x for the watchdog reset: %s", writes[i][0], esp_last_error());
    }
    return 0;
}

int esp_session_after(struct esp_session *s)
{
    int rc = 0;
    switch (s->after) {
    case ESP_AFTER_HARD:
        rc = esp_session_hard_reset(s);
        if (rc == ESPCTL_E_NOT_SUPPORTED && s->connected) {
            esp_log(&s->env, ESPCTL_LOG_INFO, "no RTS line on %s: leaving the loader with a soft reset instead", s->port->name);
            rc = esp_session_soft_reset(s);
        } else if (rc == ESPCTL_E_NOT_SUPPORTED) {
            esp_log(&s->env, ESPCTL_LOG_WARN, "%s has no RTS line: the chip was NOT reset", s->port->name);
            rc = 0;
        }
        break;
    case ESP_AFTER_SOFT: rc = s->connected ? esp_session_soft_reset(s) : 0; break;
    case ESP_AFTER_WATCHDOG: rc = s->connected ? esp_session_watchdog_reset(s) : 0; break;
    case ESP_AFTER_NO_RESET: return 0;
    }
    if (!rc)
        s->connected = 0; /* the app runs now; a later operation reconnects */
    return rc;
}
