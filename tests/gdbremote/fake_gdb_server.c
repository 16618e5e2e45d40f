#include "fake_gdb_server.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_PACKET 0x10000

struct conn {
    struct fake_server *s;
    int fd;
    size_t packets;
    int silent;
};

static void send_raw(struct conn *c, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len) {
        ssize_t n = c->s->pty_master >= 0 ? write(c->fd, p, len) : send(c->fd, p, len, MSG_NOSIGNAL);
        if (n <= 0)
            return;
        p += n;
        len -= (size_t)n;
    }
}

static void send_packet(struct conn *c, const char *payload, size_t len)
{
    char *frame = malloc(len + 5);
    uint8_t sum = 0;
    frame[0] = '$';
    for (size_t i = 0; i < len; i++) {
        frame[1 + i] = payload[i];
        sum = (uint8_t)(sum + (uint8_t)payload[i]);
    }
    snprintf(frame + 1 + len, 4, "#%02x", sum);
    send_raw(c, frame, len + 4);
    free(frame);
}

static void reply(struct conn *c, const char *text) { send_packet(c, text, strlen(text)); }

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

static uint8_t *model(struct fake_server *s, unsigned long addr, unsigned long len)
{
    if (addr >= FAKE_FLASH_BASE && addr + len <= FAKE_FLASH_BASE + FAKE_FLASH_SIZE)
        return s->flash + (addr - FAKE_FLASH_BASE);
    if (addr >= FAKE_RAM_BASE && addr + len <= FAKE_RAM_BASE + FAKE_RAM_SIZE)
        return s->ram + (addr - FAKE_RAM_BASE);
    return NULL;
}

static size_t unescape(const char *in, size_t len, uint8_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        out[n++] = in[i] == '}' && i + 1 < len ? (uint8_t)(in[++i] ^ 0x20) : (uint8_t)in[i];
    return n;
}

static const char memory_map[] =
    "<memory-map><memory type=\"flash\" start=\"0x8000000\" length=\"0x8000\">"
    "<property name=\"blocksize\">0x800</property></memory>"
    "<memory type=\"ram\" start=\"0x20000000\" length=\"0x1000\"/></memory-map>";

static void bmp_packet(struct conn *c, char *p, size_t len)
{
    struct fake_server *s = c->s;
    unsigned long addr = 0, n = 0;
    p[len] = '\0';
    if (!strncmp(p, "qSupported", 10)) {
        reply(c, "PacketSize=400;qXfer:memory-map:read+;qXfer:features:read+;QStartNoAckMode+");
    } else if (!strcmp(p, "QStartNoAckMode")) {
        reply(c, "OK");
        s->noack = 1;
    } else if (!strcmp(p, "?")) {
        reply(c, "T05");
    } else if (sscanf(p, "qXfer:memory-map:read::%lx,%lx", &addr, &n) == 2) {
        size_t total = sizeof memory_map - 1;
        if (addr >= total) {
            reply(c, "l");
        } else {
            size_t take = total - addr < n ? total - addr : n;
            char *out = malloc(take + 2);
            out[0] = addr + take == total ? 'l' : 'm';
            memcpy(out + 1, memory_map + addr, take);
            send_packet(c, out, take + 1);
            free(out);
        }
    } else if (p[0] == 'm' && sscanf(p, "m%lx,%lx", &addr, &n) == 2) {
        uint8_t *m = model(s, addr, n);
        if (!m) {
            reply(c, "E01");
            return;
        }
        char *out = malloc(2 * n + 1);
        for (unsigned long i = 0; i < n; i++)
            snprintf(out + 2 * i, 3, "%02x", m[i]);
        send_packet(c, out, 2 * n);
        free(out);
    } else if (p[0] == 'X' && sscanf(p, "X%lx,%lx:", &addr, &n) == 2) {
        const char *data = strchr(p, ':') + 1;
        uint8_t *bin = malloc(len + 1);
        size_t got = unescape(data, len - (size_t)(data - p), bin);
        uint8_t *m = model(s, addr, n);
        if (got != n || (n && !m)) {
            reply(c, "E02");
        } else {
            memcpy(m ? m : bin, bin, n);
            s->x_packets += n > 0;
            s->last_x_len = n < sizeof s->last_x ? n : sizeof s->last_x;
            memcpy(s->last_x, bin, s->last_x_len);
            reply(c, "OK");
        }
        free(bin);
    } else if (p[0] == 'M' && sscanf(p, "M%lx,%lx:", &addr, &n) == 2) {
        s->m_writes++;
        reply(c, "E03"); /* this server wants X */
    } else if (sscanf(p, "vFlashErase:%lx,%lx", &addr, &n) == 2) {
        uint8_t *m = model(s, addr, n);
        if (!m || addr < FAKE_FLASH_BASE || addr % FAKE_FLASH_BLOCK || n % FAKE_FLASH_BLOCK) {
            reply(c, "EFF");
            return;
        }
        memset(m, 0xff, n);
        s->erases++;
        reply(c, "OK");
    } else if (sscanf(p, "vFlashWrite:%lx:", &addr) == 1) {
        const char *data = strchr(p + 12, ':') + 1;
        uint8_t *bin = malloc(len + 1);
        size_t got = unescape(data, len - (size_t)(data - p), bin);
        uint8_t *m = model(s, addr, got);
        if (!m || addr < FAKE_FLASH_BASE) {
            reply(c, "EFF");
        } else {
            for (size_t i = 0; i < got; i++)
                m[i] &= bin[i]; /* flash only clears bits */
            s->flash_writes++;
            reply(c, "OK");
        }
        free(bin);
    } else if (!strcmp(p, "vFlashDone")) {
        s->dones++;
        reply(c, "OK");
    } else if (!strncmp(p, "qRcmd,", 6)) {
        char command[64] = {0};
        for (size_t i = 0; i < sizeof command - 1 && p[6 + 2 * i] && p[7 + 2 * i]; i++)
            command[i] = (char)(hexval(p[6 + 2 * i]) << 4 | hexval(p[7 + 2 * i]));
        if (!strcmp(command, "reset")) {
            s->resets++;
            reply(c, "O5265736574\n"); /* console text "Reset" */
            reply(c, "OK");
        } else {
            reply(c, "O4661696c65640a"); /* "Failed\n" */
            reply(c, "OK");
        }
    } else if (!strcmp(p, "c")) {
        s->continues++;
        s->running = 1;
    } else if (p[0] == 'k' || !strncmp(p, "vKill", 5)) {
        s->saw_kill = 1;
    } else {
        reply(c, "");
    }
}

static void handle_packet(struct conn *c, char *payload, size_t len)
{
    struct fake_server *s = c->s;
    if (s->mode == FAKE_SCRIPT) {
        const char *raw = c->packets < s->script_count ? s->script[c->packets] : NULL;
        c->packets++;
        if (!raw) {
            c->silent = 1;
            return;
        }
        send_raw(c, raw, strlen(raw));
        return;
    }
    bmp_packet(c, payload, len);
}

static void serve(struct conn *c)
{
    struct fake_server *s = c->s;
    char *packet = malloc(MAX_PACKET + 1);
    size_t len = 0;
    int in_packet = 0, checksum_left = -1;
    for (;;) {
        struct pollfd pfd[2] = {{.fd = c->fd, .events = POLLIN}, {.fd = s->wake[0], .events = POLLIN}};
        if (poll(pfd, 2, -1) < 0)
            break;
        /* Drain what the client sent before honouring a stop request. */
        if (!(pfd[0].revents & (POLLIN | POLLHUP | POLLERR)))
            break;
        uint8_t buf[4096];
        ssize_t n = read(c->fd, buf, sizeof buf);
        if (n <= 0)
            break;
        if (s->mode == FAKE_SILENT || c->silent)
            continue;
        for (ssize_t i = 0; i < n; i++) {
            uint8_t b = buf[i];
            if (checksum_left > 0) {
                if (--checksum_left == 0) {
                    if (!s->noack)
                        send_raw(c, "+", 1);
                    handle_packet(c, packet, len);
                    in_packet = 0;
                    checksum_left = -1;
                }
            } else if (in_packet) {
                if (b == '#')
                    checksum_left = 2;
                else if (len < MAX_PACKET)
                    packet[len++] = (char)b;
            } else if (b == '$') {
                in_packet = 1;
                len = 0;
            } else if (b == 0x03) {
                s->interrupts++;
                if (s->mode == FAKE_BMP && s->running) {
                    s->running = 0;
                    reply(c, "T02");
                }
            } else if (b == '+' && s->noack) {
                s->acks_after_noack++;
            }
        }
    }
    free(packet);
}

static void *thread_main(void *arg)
{
    struct fake_server *s = arg;
    if (s->pty_master >= 0) {
        struct conn c = {.s = s, .fd = s->pty_master};
        serve(&c);
        return NULL;
    }
    struct pollfd pfd[2] = {{.fd = s->listen_fd, .events = POLLIN}, {.fd = s->wake[0], .events = POLLIN}};
    if (poll(pfd, 2, -1) <= 0 || (pfd[1].revents & POLLIN))
        return NULL;
    int fd = accept(s->listen_fd, NULL, NULL);
    if (fd < 0)
        return NULL;
    struct conn c = {.s = s, .fd = fd};
    serve(&c);
    close(fd);
    return NULL;
}

static void init_common(struct fake_server *s, enum fake_mode mode, const char *const *script,
                        size_t script_count)
{
    memset(s, 0, sizeof *s);
    s->mode = mode;
    s->script = script;
    s->script_count = script_count;
    s->pty_master = -1;
    s->pty_slave = -1;
    s->listen_fd = -1;
    memset(s->flash, 0xff, sizeof s->flash);
    assert_int_equal(pipe(s->wake), 0);
}

void fake_server_start_pty(struct fake_server *s, enum fake_mode mode)
{
    init_common(s, mode, NULL, 0);
    s->pty_master = posix_openpt(O_RDWR | O_NOCTTY);
    assert_true(s->pty_master >= 0);
    assert_int_equal(grantpt(s->pty_master), 0);
    assert_int_equal(unlockpt(s->pty_master), 0);
    const char *name = ptsname(s->pty_master);
    assert_non_null(name);
    snprintf(s->pty_path, sizeof s->pty_path, "%s", name);
    /* Held open so the master never sees a hang-up before the client opens the port. */
    s->pty_slave = open(s->pty_path, O_RDWR | O_NOCTTY);
    assert_true(s->pty_slave >= 0);
    assert_int_equal(pthread_create(&s->thread, NULL, thread_main, s), 0);
}

void fake_server_start(struct fake_server *s, enum fake_mode mode, const char *const *script,
                       size_t script_count)
{
    init_common(s, mode, script, script_count);
    s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s->listen_fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(s->listen_fd, 1), 0);
    socklen_t alen = sizeof a;
    assert_int_equal(getsockname(s->listen_fd, (struct sockaddr *)&a, &alen), 0);
    s->port = ntohs(a.sin_port);
    assert_int_equal(pthread_create(&s->thread, NULL, thread_main, s), 0);
}

void fake_server_stop(struct fake_server *s)
{
    ssize_t w = write(s->wake[1], "x", 1);
    (void)w;
    pthread_join(s->thread, NULL);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    if (s->pty_master >= 0)
        close(s->pty_master);
    if (s->pty_slave >= 0)
        close(s->pty_slave);
    close(s->wake[0]);
    close(s->wake[1]);
}
