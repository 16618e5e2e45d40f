#include "esp_client.h"

#include "esp_buf.h"
#include "esp_engine.h"
#include "esp_slip.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int init(struct esp_client *c, int fd, int tty)
{
    c->fd = fd;
    c->is_tty = tty;
    c->dec = malloc(sizeof *c->dec);
    if (!c->dec)
        return -1;
    slip_decoder_init(c->dec);
    return 0;
}

static speed_t speed_code(uint32_t baud)
{
    switch (baud) {
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    case 921600: return B921600;
    case 1500000: return B1500000;
    default: return B0;
    }
}

int ec_open_pty(struct esp_client *c, const char *path)
{
    int fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct termios t;
    if (tcgetattr(fd, &t)) {
        close(fd);
        return -1;
    }
    cfmakeraw(&t);
    cfsetspeed(&t, B115200);
    tcsetattr(fd, TCSANOW, &t);
    return init(c, fd, 1);
}

int ec_open_tcp(struct esp_client *c, uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a)) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return init(c, fd, 0);
}

void ec_close(struct esp_client *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
    free(c->dec);
    c->dec = NULL;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int send_command(struct esp_client *c, uint8_t op, const void *data, size_t len, uint32_t chk)
{
    uint8_t h[8] = {0x00, op, (uint8_t)len, (uint8_t)(len >> 8), (uint8_t)chk, (uint8_t)(chk >> 8),
                    (uint8_t)(chk >> 16), (uint8_t)(chk >> 24)};
    struct esp_buf pkt = {0}, wire = {0};
    esp_buf_append(&pkt, h, 8);
    esp_buf_append(&pkt, data, len);
    slip_encode(&wire, pkt.data, pkt.len);
    int rc = write_all(c->fd, wire.data, wire.len);
    esp_buf_free(&pkt);
    esp_buf_free(&wire);
    return rc;
}

static int wait_reply(struct esp_client *c, uint8_t op, int timeout_ms)
{
    long deadline = now_ms() + timeout_ms;
    for (;;) {
        long left = deadline - now_ms();
        if (left <= 0)
            return -1;
        struct pollfd p = {c->fd, POLLIN, 0};
        int r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        uint8_t buf[512];
        ssize_t n = read(c->fd, buf, sizeof buf);
        if (n <= 0)
            return -1;
        for (ssize_t i = 0; i < n; i++) {
            if (slip_decoder_push(c->dec, buf[i]) != SLIP_FRAME)
                continue;
            const uint8_t *f = c->dec->frame;
            size_t fl = c->dec->frame_len;
            if (fl < 12 || fl > sizeof c->reply || f[0] != 0x01)
                continue;
            if (f[1] != op) {
                /* the ROM's answer to a command it lacks: error 0x05 under another opcode */
                if (f[fl - 4] == 1 && f[fl - 3] == ESP_ERR_BAD_FORMAT)
                    return -2;
                continue; /* surplus SYNC echoes */
            }
            memcpy(c->reply, f, fl);
            c->reply_len = fl;
            /* keep the rest of buf for the next call: push it through the decoder */
            for (ssize_t j = i + 1; j < n; j++)
                slip_decoder_push(c->dec, buf[j]);
            return 0;
        }
    }
}

int ec_command(struct esp_client *c, uint8_t op, const void *data, size_t len, uint32_t chk, int timeout_ms)
{
    if (send_command(c, op, data, len, chk))
        return -1;
    return wait_reply(c, op, timeout_ms);
}

int ec_status(const struct esp_client *c)
{
    return c->reply[c->reply_len - 4];
}

int ec_error(const struct esp_client *c)
{
    return c->reply[c->reply_len - 3];
}

uint32_t ec_value(const struct esp_client *c)
{
    const uint8_t *p = c->reply + 4;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int ec_sync(struct esp_client *c, int attempts)
{
    uint8_t sync[36] = {0x07, 0x07, 0x12, 0x20};
    memset(sync + 4, 0x55, 32);
    for (int i = 0; i < attempts; i++)
        if (ec_command(c, ESP_OP_SYNC, sync, sizeof sync, 0, 100) == 0 && ec_status(c) == 0)
            return 0;
    return -1;
}

int ec_change_baud(struct esp_client *c, uint32_t baud, int keep_local_rate)
{
    uint8_t p[8] = {(uint8_t)baud, (uint8_t)(baud >> 8), (uint8_t)(baud >> 16), (uint8_t)(baud >> 24)};
    if (ec_command(c, ESP_OP_CHANGE_BAUDRATE, p, 8, 0, 3000) || ec_status(c))
        return -1;
    if (c->is_tty && !keep_local_rate) {
        struct termios t;
        if (tcgetattr(c->fd, &t) || cfsetspeed(&t, speed_code(baud)) || tcsetattr(c->fd, TCSADRAIN, &t))
            return -1;
    }
    return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

int ec_flash_defl(struct esp_client *c, size_t begin_len, uint32_t offset, const uint8_t *img, size_t len,
                  unsigned *retries)
{
    const uint32_t bs = 0x400;
    uLongf zlen = compressBound(len);
    uint8_t *z = malloc(zlen);
    if (!z || compress2(z, &zlen, img, len, 9) != Z_OK) {
        free(z);
        return -1;
    }
    uint32_t blocks = (uint32_t)((zlen + bs - 1) / bs);
    uint8_t begin[20] = {0};
    put32(begin, (uint32_t)((len + bs - 1) / bs * bs));
    put32(begin + 4, blocks);
    put32(begin + 8, bs);
    put32(begin + 12, offset);
    int rc = -1;
    if (ec_command(c, ESP_OP_FLASH_DEFL_BEGIN, begin, begin_len, 0, 10000) || ec_status(c))
        goto out;
    uint8_t *pkt = malloc(16 + bs);
    if (!pkt)
        goto out;
    for (uint32_t s = 0; s < blocks; s++) {
        uint32_t n = (uint32_t)(zlen - (size_t)s * bs < bs ? zlen - (size_t)s * bs : bs);
        memset(pkt, 0, 16);
        put32(pkt, n);
        put32(pkt + 4, s);
        memcpy(pkt + 16, z + (size_t)s * bs, n);
        uint8_t chk = 0xEF;
        for (uint32_t i = 0; i < n; i++)
            chk ^= pkt[16 + i];
        int ok = 0;
        for (int attempt = 0; attempt < 3 && !ok; attempt++) {
            if (attempt && retries)
                (*retries)++;
            ok = ec_command(c, ESP_OP_FLASH_DEFL_DATA, pkt, 16 + n, chk, 1000) == 0 && ec_status(c) == 0;
        }
        if (!ok) {
            free(pkt);
            goto out;
        }
    }
    free(pkt);
    rc = 0;
out:
    free(z);
    return rc;
}

int ec_md5(struct esp_client *c, uint32_t offset, uint32_t len, char hex[33])
{
    uint8_t q[16] = {0};
    put32(q, offset);
    put32(q + 4, len);
    if (ec_command(c, ESP_OP_SPI_FLASH_MD5, q, 16, 0, 8000) || ec_status(c) || c->reply_len != 44)
        return -1;
    memcpy(hex, c->reply + 8, 32);
    hex[32] = 0;
    return 0;
}
