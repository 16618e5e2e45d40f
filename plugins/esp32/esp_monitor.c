#include "esp_monitor.h"

#include <string.h>

int esp_monitor_open(struct esp_session *s, uint32_t baud, uint32_t flags)
{
    if (!baud)
        baud = s->monitor_baud;
    if (s->connected) {
        /* leave the loader: the configured after action (hard reset, soft without RTS) */
        enum esp_after keep = s->after;
        if (s->after == ESP_AFTER_NO_RESET)
            s->after = ESP_AFTER_HARD;
        int rc = esp_session_after(s);
        s->after = keep;
        if (rc)
            return esp_fail(&s->env, rc, "monitor: reset: %s", esp_last_error());
    } else if (s->before != ESP_BEFORE_NO_RESET && s->before != ESP_BEFORE_NO_RESET_NO_SYNC) {
        esp_session_hard_reset(s); /* restart the app to show its boot; without RTS it just runs on */
    }
    s->connected = 0; /* the chip runs the app now */
    int rc = esp_port_set_baud(&s->env, s->port, baud);
    if (rc)
        return esp_fail(&s->env, rc, "monitor: %s", esp_last_error());
    s->loader.rlen = s->loader.rpos = 0;
    s->monitoring = 1;
    s->monitor_line_mode = (flags & ESP32_MONITOR_LINES) != 0;
    esp_emit(&s->env, ESPCTL_EVENT_STAGE_BEGIN, "monitor", 0, 0, ESPCTL_NO_ADDRESS, 0, s->port->name);
    return 0;
}

/* Loader buffer reused as the line buffer: rbuf[0..rlen) holds bytes not yet returned. */
static uint32_t take(struct esp_session *s, uint8_t *buf, uint32_t cap, int whole_lines)
{
    struct esp_loader *l = &s->loader;
    size_t n = l->rlen < cap ? l->rlen : cap;
    if (whole_lines && n == l->rlen && l->rlen < sizeof l->rbuf) {
        size_t last = n;
        while (last && l->rbuf[last - 1] != '\n')
            last--;
        n = last;
    }
    memcpy(buf, l->rbuf, n);
    memmove(l->rbuf, l->rbuf + n, l->rlen - n);
    l->rlen -= n;
    return (uint32_t)n;
}

int esp_monitor_read(struct esp_session *s, uint8_t *buf, uint32_t cap, uint32_t *got, uint32_t timeout_ms)
{
    *got = 0;
    if (!s->monitoring)
        return esp_fail(&s->env, ESPCTL_E_INVAL, "monitor: not open");
    struct esp_loader *l = &s->loader;
    uint64_t deadline = esp_now_ms(&s->env) + timeout_ms;
    for (;;) {
        if (l->rlen && (*got = take(s, buf, cap, s->monitor_line_mode)))
            return 0;
        uint64_t now = esp_now_ms(&s->env);
        if (now >= deadline || esp_cancelled(&s->env))
            return 0;
        size_t n = 0;
        int rc = esp_port_read(&s->env, s->port, l->rbuf + l->rlen, sizeof l->rbuf - l->rlen, &n,
                               (uint32_t)(deadline - now));
        if (rc)
            return esp_fail(&s->env, rc, "monitor: %s", esp_last_error());
        l->rlen += n;
    }
}

int esp_monitor_write(struct esp_session *s, const uint8_t *buf, uint32_t len)
{
    if (!s->monitoring)
        return esp_fail(&s->env, ESPCTL_E_INVAL, "monitor: not open");
    int rc = esp_port_write(&s->env, s->port, buf, len, 2000);
    return rc ? esp_fail(&s->env, rc, "monitor: %s", esp_last_error()) : 0;
}

void esp_monitor_close(struct esp_session *s)
{
    if (!s->monitoring)
        return;
    s->monitoring = 0;
    s->loader.rlen = s->loader.rpos = 0;
    esp_emit(&s->env, ESPCTL_EVENT_STAGE_END, "monitor", 0, 0, ESPCTL_NO_ADDRESS, 0, NULL);
}
