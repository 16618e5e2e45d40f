/*
 * Transport for the engine. What the simulator can and cannot observe of the host:
 *  - pty: the host's line rate (the master reads the slave's termios), input flushes
 *    (TIOCPKT_FLUSHREAD via packet mode) and whether the slave is open (POLLHUP). DTR/RTS
 *    do not exist on a pty (TIOCMSET fails there), so the reset into download mode is
 *    modelled as the host's input flush that every flasher does right after its reset
 *    sequence, and as the opening of the port (a fresh session = a freshly powered board).
 *  - TCP: no control lines and no line rate: a new connection is the reset; the rate is the
 *    one agreed with CHANGE_BAUDRATE.
 */
#include "esp_server.h"

#include "esp_output.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define IDLE_POLL_MS 20
#define MAX_PENDING_OUTPUT (1u << 20) /* stop reading while a silent host has this much unread */

struct server {
    struct esp_server_config *cfg;
    struct esp_transport_stats ts;
    int sig_fd, listen_fd, io_fd; /* io_fd: pty master or the TCP client */
    int session_open;
    int sessions_ended;
    struct esp_buf out;
    int stall_started;
    double stall_deadline;        /* CLOCK_MONOTONIC seconds; < 0 = forever */
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint32_t speed_to_baud(speed_t s)
{
    static const struct { speed_t code; uint32_t baud; } table[] = {
        {B9600, 9600}, {B19200, 19200}, {B38400, 38400}, {B57600, 57600}, {B115200, 115200},
        {B230400, 230400}, {B460800, 460800}, {B500000, 500000}, {B576000, 576000},
        {B921600, 921600}, {B1000000, 1000000}, {B1152000, 1152000}, {B1500000, 1500000},
        {B2000000, 2000000}, {B2500000, 2500000}, {B3000000, 3000000}, {B3500000, 3500000},
        {B4000000, 4000000},
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].code == s)
            return table[i].baud;
    return 0;
}

static void save_outputs(struct server *s)
{
    struct esp_server_config *c = s->cfg;
    if (c->flash_out_path && esp_flash_save(c->flash, c->flash_out_path))
        fprintf(stderr, "espctl-sim esp: cannot write %s: %s\n", c->flash_out_path, strerror(errno));
    if (c->stats_path &&
        esp_stats_save(c->stats_path, c->engine, c->chip, c->flash, c->faults, &s->ts))
        fprintf(stderr, "espctl-sim esp: cannot write %s: %s\n", c->stats_path, strerror(errno));
}

static void start_session(struct server *s)
{
    s->session_open = 1;
    s->ts.sessions++;
    esp_buf_clear(&s->out);
    /*
     * A new session is a freshly powered board in download mode. With resets modelled the
     * line carries the boot text too, and on a pty the board boots the app: it enters the
     * loader only on the host's reset (seen as its input flush). TCP has no such signal,
     * so there the connection itself is the reset into download mode.
     */
    int download = !(s->cfg->require_reset && s->cfg->use_pty);
    esp_engine_reset(s->cfg->engine, download, &s->out);
    if (!s->cfg->require_reset)
        esp_buf_clear(&s->out);
}

static void end_session(struct server *s)
{
    s->session_open = 0;
    s->sessions_ended++;
    save_outputs(s);
}

static int setup_pty(struct server *s)
{
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0 || grantpt(m) || unlockpt(m)) {
        perror("espctl-sim esp: posix_openpt");
        return -1;
    }
    struct termios t;
    if (tcgetattr(m, &t) == 0) {
        cfmakeraw(&t);
        cfsetspeed(&t, B115200);
        tcsetattr(m, TCSANOW, &t);
    }
    int one = 1;
    if (ioctl(m, TIOCPKT, &one)) {
        perror("espctl-sim esp: TIOCPKT");
        return -1;
    }
    fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK);
    s->io_fd = m;
    printf("pty %s\n", ptsname(m));
    fflush(stdout);
    return 0;
}

static int setup_tcp(struct server *s)
{
    struct esp_server_config *c = s->cfg;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(c->tcp_port)};
    if (inet_pton(AF_INET, c->listen_addr, &a.sin_addr) != 1 || ntohl(a.sin_addr.s_addr) >> 24 != 127) {
        fprintf(stderr, "espctl-sim esp: --listen must be a loopback IPv4 address, not '%s'\n", c->listen_addr);
        return -2;
    }
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    socklen_t alen = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) || listen(fd, 1) ||
        getsockname(fd, (struct sockaddr *)&a, &alen)) {
        perror("espctl-sim esp: tcp");
        if (fd >= 0)
            close(fd);
        return -1;
    }
    s->listen_fd = fd;
    printf("listening on %s:%u\n", c->listen_addr, (unsigned)ntohs(a.sin_port));
    fflush(stdout);
    return 0;
}

static void start_stall_if_due(struct server *s)
{
    struct esp_faults *f = s->cfg->faults;
    if (s->stall_started || f->stall_after == FAULT_NEVER ||
        esp_engine_command_count(s->cfg->engine) < f->stall_after)
        return;
    s->stall_started = 1;
    s->ts.stalls++;
    s->stall_deadline = f->stall_ms < 0 ? -1.0 : now_seconds() + f->stall_ms / 1000.0;
    if (f->stall_ms > 0)
        esp_engine_add_stall(s->cfg->engine, f->stall_ms / 1000.0);
}

static int stalled(struct server *s)
{
    if (!s->stall_started)
        return 0;
    if (s->stall_deadline < 0)
        return 1;
    return now_seconds() < s->stall_deadline;
}

static void handle_reset_event(struct server *s)
{
    struct esp_engine *e = s->cfg->engine;
    if (s->cfg->require_reset || esp_engine_mode(e) == ESP_MODE_APP)
        esp_engine_reset(e, 1, &s->out);
}

/* Feeds received bytes (after rx faults) to the engine; returns 0, or -1 when the peer went away. */
static int receive(struct server *s)
{
    uint8_t raw[4096 + 1];
    ssize_t n = read(s->io_fd, raw, sizeof raw);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
        return -1;
    if (n < 0)
        return 0;
    const uint8_t *data = raw;
    size_t len = (size_t)n;
    if (s->cfg->use_pty) { /* packet mode: first byte is 0 for data, else control flags */
        if (raw[0] != TIOCPKT_DATA) {
            if (raw[0] & TIOCPKT_FLUSHREAD)
                handle_reset_event(s);
            return 0;
        }
        data++;
        len--;
    }
    struct esp_buf in = {0};
    esp_buf_append(&in, data, len);
    esp_fault_apply(s->cfg->faults, &s->cfg->faults->rx, &in);
    if (s->cfg->use_pty && s->cfg->baud_model) {
        struct termios t;
        uint32_t host_baud = tcgetattr(s->io_fd, &t) == 0 ? speed_to_baud(cfgetospeed(&t)) : 0;
        if (!esp_engine_host_baud(s->cfg->engine, host_baud)) {
            s->ts.bytes_at_wrong_baud += in.len;
            in.len = 0;
        }
    }
    if (stalled(s)) {
        esp_buf_free(&in);
        return 0;
    }
    struct esp_buf produced = {0};
    esp_engine_input(s->cfg->engine, in.data, in.len, &produced);
    esp_buf_free(&in);
    start_stall_if_due(s);
    if (!stalled(s)) {
        esp_fault_apply(s->cfg->faults, &s->cfg->faults->tx, &produced);
        esp_buf_append(&s->out, produced.data, produced.len);
    }
    esp_buf_free(&produced);
    return 0;
}

static int transmit(struct server *s)
{
    while (s->out.len) {
        ssize_t w = write(s->io_fd, s->out.data, s->out.len);
        if (w < 0)
            return errno == EAGAIN || errno == EINTR ? 0 : -1;
        esp_buf_consume(&s->out, (size_t)w);
    }
    return 0;
}

static int setup_signals(struct server *s)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    signal(SIGPIPE, SIG_IGN);
    if (sigprocmask(SIG_BLOCK, &set, NULL))
        return -1;
    s->sig_fd = signalfd(-1, &set, SFD_CLOEXEC);
    return s->sig_fd < 0 ? -1 : 0;
}

static void close_tcp_client(struct server *s)
{
    close(s->io_fd);
    s->io_fd = -1;
    end_session(s);
}

/* One poll round; returns 1 to stop (signal or once), 0 to go on. */
static int step(struct server *s)
{
    struct pollfd p[2] = {{s->sig_fd, POLLIN, 0}, {-1, 0, 0}};
    int timeout = IDLE_POLL_MS;
    if (s->cfg->use_pty || s->io_fd >= 0) {
        p[1].fd = s->io_fd;
        p[1].events = (s->out.len < MAX_PENDING_OUTPUT ? POLLIN : 0) | (s->out.len ? POLLOUT : 0);
    } else {
        p[1].fd = s->listen_fd;
        p[1].events = POLLIN;
    }
    if (poll(p, 2, timeout) < 0)
        return errno == EINTR ? 0 : -1;
    if (p[0].revents & POLLIN)
        return 1;
    if (s->cfg->use_pty) {
        if (p[1].revents & POLLHUP && !(p[1].revents & POLLIN)) { /* no slave open */
            if (s->session_open) {
                end_session(s);
                if (s->cfg->once)
                    return 1;
            }
            poll(p, 1, IDLE_POLL_MS); /* HUP stays raised: pace the loop */
            return 0;
        }
        if (!s->session_open)
            start_session(s);
    } else if (s->io_fd < 0) {
        if (p[1].revents & POLLIN) {
            int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
            if (fd >= 0) {
                int one = 1;
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                s->io_fd = fd;
                start_session(s);
                transmit(s);
            }
        }
        return 0;
    }
    if (p[1].revents & (POLLIN | POLLERR | POLLHUP)) {
        if (receive(s) < 0 && !s->cfg->use_pty) {
            close_tcp_client(s);
            return s->cfg->once;
        }
    }
    if (s->out.len && transmit(s) < 0 && !s->cfg->use_pty) {
        close_tcp_client(s);
        return s->cfg->once;
    }
    return 0;
}

int esp_server_run(struct esp_server_config *cfg)
{
    struct server s = {.cfg = cfg, .sig_fd = -1, .listen_fd = -1, .io_fd = -1};
    s.ts.transport = cfg->use_pty ? "pty" : "tcp";
    if (setup_signals(&s)) {
        perror("espctl-sim esp: signals");
        return 1;
    }
    int rc = cfg->use_pty ? setup_pty(&s) : setup_tcp(&s);
    if (rc)
        return rc == -2 ? 2 : 1;
    int stop = 0;
    while (!stop) {
        int r = step(&s);
        if (r < 0) {
            perror("espctl-sim esp: poll");
            break;
        }
        stop = r;
    }
    if (s.session_open && !cfg->use_pty && s.io_fd >= 0)
        close(s.io_fd);
    save_outputs(&s);
    if (s.listen_fd >= 0)
        close(s.listen_fd);
    if (cfg->use_pty && s.io_fd >= 0)
        close(s.io_fd);
    close(s.sig_fd);
    esp_buf_free(&s.out);
    return 0;
}
