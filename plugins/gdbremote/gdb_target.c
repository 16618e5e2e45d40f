/* Handshake, all-stop run control, monitor commands and the memory map. */
#include "gdb_target.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char hex_digits[] = "0123456789abcdef";

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The value of feature `name=` in a qSupported reply, copied into val. */
static int feature_value(const char *reply, const char *name, char *val, size_t cap)
{
    size_t n = strlen(name);
    for (const char *p = reply; *p;) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > n && strncmp(p, name, n) == 0 && p[n] == '=') {
            size_t vlen = len - n - 1;
            if (vlen >= cap)
                vlen = cap - 1;
            memcpy(val, p + n + 1, vlen);
            val[vlen] = '\0';
            return 1;
        }
        p += len + (end ? 1 : 0);
    }
    return 0;
}

static int feature_on(const char *reply, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = reply; *p;) {
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len == n + 1 && strncmp(p, name, n) == 0 && p[n] == '+')
            return 1;
        p += len + (end ? 1 : 0);
    }
    return 0;
}

static int handshake(struct gdb_target *t)
{
    /* No multiprocess+: QEMU would then want "D;pid" and thread ids with pids. */
    int rc = gdb_rsp_transact(&t->rsp, "qSupported:swbreak+;xmlRegisters=arm", NULL, 0,
                              t->env.timeout_ms);
    if (rc)
        return rc;
    char value[32];
    t->packet_size = GDB_DEFAULT_PACKET_SIZE;
    if (feature_value(t->rsp.reply, "PacketSize", value, sizeof value)) {
        char *end = NULL;
        unsigned long size = strtoul(value, &end, 16);
        if (!*value || *end || size < 64 || size > GDB_MAX_REPLY)
            gdb_log(&t->env, ESPCTL_LOG_WARN, "GDB server %s: ignoring PacketSize=%s",
                    t->rsp.io.peer, value);
        else
            t->packet_size = (uint32_t)size;
    }
    t->offers_memory_map = feature_on(t->rsp.reply, "qXfer:memory-map:read");
    if (feature_on(t->rsp.reply, "QStartNoAckMode")) {
        rc = gdb_rsp_transact(&t->rsp, "QStartNoAckMode", NULL, 0, t->env.timeout_ms);
        if (rc)
            return rc;
        if (strcmp(t->rsp.reply, "OK") == 0)
            t->rsp.ack_mode = 0;
    }
    /* Only QEMU's gdbstub answers its own single-step query; others reply empty. */
    rc = gdb_rsp_transact(&t->rsp, "qqemu.sstepbits", NULL, 0, t->env.timeout_ms);
    if (rc)
        return rc;
    t->is_qemu = strncmp(t->rsp.reply, "ENABLE=", 7) == 0;
    gdb_log(&t->env, ESPCTL_LOG_DEBUG, "GDB server %s: PacketSize %u, %s, %s%s", t->rsp.io.peer,
            t->packet_size, t->rsp.ack_mode ? "ack mode" : "no-ack mode",
            t->is_qemu ? "QEMU gdbstub" : "generic server",
            t->offers_memory_map ? ", memory map offered" : "");
    return 0;
}

int gdb_target_open(const struct gdb_env *env, const struct gdb_io *io, struct gdb_target **out)
{
    *out = NULL;
    struct gdb_target *t = calloc(1, sizeof *t);
    if (!t) {
        struct gdb_io copy = *io;
        gdb_io_close(&copy);
        return gdb_fail(env, ESPCTL_E_NOMEM, "out of memory");
    }
    t->env = *env;
    int rc = gdb_rsp_init(&t->rsp, env, io);
    if (rc == 0)
        rc = handshake(t);
    if (rc) {
        gdb_target_close(t);
        return rc;
    }
    *out = t;
    return 0;
}

void gdb_target_close(struct gdb_target *t)
{
    if (!t)
        return;
    gdb_rsp_free(&t->rsp);
    free(t);
}

/* Interpret a stop reply: 0 halted, else an error naming what the server said. */
static int stop_reply(struct gdb_target *t, const char *context)
{
    const char *r = t->rsp.reply;
    if (r[0] == 'T' || r[0] == 'S')
        return 0;
    if (r[0] == 'W' || r[0] == 'X')
        return gdb_fail(&t->env, ESPCTL_E_TARGET, "GDB server %s: %s: target is gone ('%.32s')",
                        t->rsp.io.peer, context, r);
    return gdb_fail(&t->env, ESPCTL_E_PROTOCOL, "GDB server %s: %s: expected a stop reply, got '%.32s'",
                    t->rsp.io.peer, context, r);
}

/* Receive until a stop reply, skipping console output (O packets). */
static int await_stop(struct gdb_target *t, const char *context)
{
    for (int i = 0; i < 64; i++) {
        int rc = gdb_rsp_recv(&t->rsp, t->env.timeout_ms, "stop reply");
        if (rc)
            return rc;
        if (t->rsp.reply[0] == 'O' && strcmp(t->rsp.reply, "OK") != 0)
            continue;
        return stop_reply(t, context);
    }
    return gdb_fail(&t->env, ESPCTL_E_PROTOCOL, "GDB server %s: %s: no stop reply among 64 packets",
                    t->rsp.io.peer, context);
}

int gdb_target_halt(struct gdb_target *t)
{
    if (!t->running)
        return 0;
    /* A stop reply may already be waiting (breakpoint, fault) — then no interrupt. */
    if (!gdb_rsp_pending(&t->rsp)) {
        int rc = gdb_rsp_interrupt(&t->rsp);
        if (rc)
            return rc;
    }
    int rc = await_stop(t, "halt");
    if (rc)
        return rc;
    t->running = 0;
    return 0;
}

int gdb_target_resume(struct gdb_target *t)
{
    if (t->running)
        return 0;
    int rc = gdb_rsp_send(&t->rsp, "c", NULL, 0, t->env.timeout_ms);
    if (rc)
        return rc;
    t->running = 1;
    return 0;
}

static int hex_command(struct gdb_target *t, const char *command, char *packet, size_t cap)
{
    size_t n = strlen(command);
    if (6 + 2 * n + 1 > cap)
        return gdb_fail(&t->env, ESPCTL_E_INVAL, "monitor command '%.40s...' is too long", command);
    memcpy(packet, "qRcmd,", 6);
    for (size_t i = 0; i < n; i++) {
        packet[6 + 2 * i] = hex_digits[(uint8_t)command[i] >> 4];
        packet[7 + 2 * i] = hex_digits[(uint8_t)command[i] & 15];
    }
    packet[6 + 2 * n] = '\0';
    return 0;
}

static void append_console(const char *hex, char *out, size_t cap, size_t *used)
{
    for (; hex[0] && hex[1]; hex += 2) {
        int hi = hexval(hex[0]), lo = hexval(hex[1]);
        if (hi < 0 || lo < 0)
            return;
        if (out && *used + 1 < cap)
            out[(*used)++] = (char)(hi << 4 | lo);
    }
}

static int monitor_halted(struct gdb_target *t, const char *command, char *out, size_t cap)
{
    char packet[512];
    int rc = hex_command(t, command, packet, sizeof packet);
    if (rc)
        return rc;
    size_t used = 0;
    if (out && cap)
        out[0] = '\0';
    rc = gdb_rsp_transact(&t->rsp, packet, NULL, 0, t->env.timeout_ms);
    for (int i = 0; rc == 0; i++) {
        const char *r = t->rsp.reply;
        unsigned code;
        if (strcmp(r, "OK") == 0)
            break;
        if (r[0] == '\0')
            return gdb_fail(&t->env, ESPCTL_E_NOT_SUPPORTED,
                            "GDB server %s does not run monitor commands ('%s')", t->rsp.io.peer,
                            command);
        if (gdb_rsp_is_error(r, &code))
            return gdb_fail(&t->env, ESPCTL_E_TARGET,
                            "GDB server %s: monitor '%s' failed (E%02X)%s%s", t->rsp.io.peer,
                            command, code, used ? ": " : "", used ? out : "");
        if (r[0] != 'O' || i == 1024)
            return gdb_fail(&t->env, ESPCTL_E_PROTOCOL,
                            "GDB server %s: monitor '%s': unexpected reply '%.32s'",
                            t->rsp.io.peer, command, r);
        append_console(r + 1, out, cap, &used);
        if (out && cap)
            out[used] = '\0';
        rc = gdb_rsp_recv(&t->rsp, t->env.timeout_ms, "end of monitor output");
    }
    if (rc)
        return rc;
    /* Black Magic Probe reports failures as console text ending in OK. */
    if (out && strstr(out, "Failed"))
        return gdb_fail(&t->env, ESPCTL_E_TARGET, "GDB server %s: monitor '%s': %s",
                        t->rsp.io.peer, command, out);
    return 0;
}

int gdb_target_monitor(struct gdb_target *t, const char *command, char *out, size_t out_cap)
{
    int was_running = t->running;
    int rc = gdb_target_halt(t);
    if (rc == 0)
        rc = monitor_halted(t, command, out, out_cap);
    if (rc == 0 && was_running)
        rc = gdb_target_resume(t);
    return rc;
}

int gdb_target_reset_halt(struct gdb_target *t)
{
    int rc = gdb_target_halt(t);
    if (rc)
        return rc;
    const char *command = t->env.reset_command ? t->env.reset_command
                          : t->is_qemu          ? "system_reset"
                                                : "reset";
    char out[256];
    return monitor_halted(t, command, out, sizeof out);
}

static int load_memory_map(struct gdb_target *t)
{
    char *xml = malloc(GDB_MAX_MEMMAP_XML + 1);
    if (!xml)
        return gdb_fail(&t->env, ESPCTL_E_NOMEM, "out of memory");
    size_t len = 0;
    uint32_t chunk = t->packet_size - 8;
    int rc = 0;
    for (;;) {
        char packet[96];
        snprintf(packet, sizeof packet, "qXfer:memory-map:read::%zx,%x", len, chunk);
        rc = gdb_rsp_transact(&t->rsp, packet, NULL, 0, t->env.timeout_ms);
        if (rc)
            break;
        const char *r = t->rsp.reply;
        unsigned code;
        if (r[0] == '\0' || gdb_rsp_is_error(r, &code)) {
            rc = gdb_fail(&t->env, ESPCTL_E_NOT_SUPPORTED,
                          "GDB server %s: memory map not available ('%.8s')", t->rsp.io.peer, r);
            break;
        }
        if (r[0] != 'm' && r[0] != 'l') {
            rc = gdb_fail(&t->env, ESPCTL_E_PROTOCOL,
                          "GDB server %s: memory map reply starts with '%c'", t->rsp.io.peer, r[0]);
            break;
        }
        size_t n = t->rsp.reply_len - 1;
        if (len + n > GDB_MAX_MEMMAP_XML) {
            rc = gdb_fail(&t->env, ESPCTL_E_PROTOCOL,
                          "GDB server %s: memory map larger than %u bytes", t->rsp.io.peer,
                          GDB_MAX_MEMMAP_XML);
            break;
        }
        memcpy(xml + len, r + 1, n);
        len += n;
        if (r[0] == 'l')
            break;
        if (n == 0) {
            rc = gdb_fail(&t->env, ESPCTL_E_PROTOCOL,
                          "GDB server %s: memory map transfer made no progress", t->rsp.io.peer);
            break;
        }
    }
    if (rc == 0)
        rc = gdb_memmap_parse(&t->env, xml, len, &t->map);
    free(xml);
    if (rc == 0)
        t->map_loaded = 1;
    return rc;
}

/* Black Magic Probe starts with no target: scan SWD and attach to the first one. */
static int scan_and_attach(struct gdb_target *t)
{
    char out[512];
    int rc = monitor_halted(t, "swd_scan", out, sizeof out);
    if (rc == ESPCTL_E_TARGET || rc == ESPCTL_E_NOT_SUPPORTED)
        rc = monitor_halted(t, "swdp_scan", out, sizeof out);
    if (rc)
        return rc;
    rc = gdb_rsp_transact(&t->rsp, "vAttach;1", NULL, 0, t->env.timeout_ms);
    if (rc)
        return rc;
    return stop_reply(t, "attach");
}

int gdb_target_attach(struct gdb_target *t)
{
    int rc = gdb_target_halt(t);
    if (rc)
        return rc;
    rc = gdb_rsp_transact(&t->rsp, "?", NULL, 0, t->env.timeout_ms);
    if (rc)
        return rc;
    const char *r = t->rsp.reply;
    if (r[0] != 'T' && r[0] != 'S') {
        if (t->is_qemu)
            return stop_reply(t, "connect");
        rc = scan_and_attach(t);
        if (rc)
            return rc;
    }
    if (t->offers_memory_map && !t->map_loaded) {
        rc = load_memory_map(t);
        if (rc == ESPCTL_E_NOT_SUPPORTED)
            gdb_log(&t->env, ESPCTL_LOG_INFO, "GDB server %s: no memory map; flash writes unavailable",
                    t->rsp.io.peer);
        else if (rc)
            return rc;
    }
    return 0;
}
