/* stlink-server TCP protocol: request framing and dispatch. */
#include <stdio.h>
#include <string.h>

#include "stlink_front.h"

#define CMD_REFRESH_DEVICE_LIST 0x00
#define CMD_GET_NB_DEV          0x01
#define CMD_GET_DEV_INFO        0x02
#define CMD_OPEN_DEV            0x03
#define CMD_CLOSE_DEV           0x04
#define CMD_SEND_USB_CMD        0x05
#define CMD_GET_SERVER_VERSION  0x06

#define USB_HEADER 32u
#define DIR_WRITE 0
#define DIR_READ 1
#define DIR_READ_TRACE 3
#define DEV_INFO_SIZE 41u
#define SERVER_MAJOR 2
#define SERVER_MINOR 1
#define SERVER_BUILD 1

long stlink_tcp_frame_len(const uint8_t *buf, size_t have)
{
    if (have == 0)
        return 0;
    switch (buf[0]) {
    case CMD_REFRESH_DEVICE_LIST: return 2;
    case CMD_GET_NB_DEV: return 1;
    case CMD_GET_DEV_INFO: case CMD_OPEN_DEV: case CMD_CLOSE_DEV: return 8;
    case CMD_GET_SERVER_VERSION: return 4;
    case CMD_SEND_USB_CMD: {
        if (have < USB_HEADER)
            return 0;
        uint32_t n = sim_le_get(buf + 28, 4);
        if (buf[24] != DIR_WRITE)
            return n > STLINK_TCP_MAX_FRAME - 4 ? -1 : (long)USB_HEADER;
        return n > STLINK_TCP_MAX_FRAME - USB_HEADER ? -1 : (long)(USB_HEADER + n);
    }
    default:
        return -1;
    }
}

static size_t status_only(uint8_t *reply, uint32_t status)
{
    sim_le_put(reply, 4, status);
    return 4;
}

static size_t usb_cmd(struct stlink_probe *p, const uint8_t *req, size_t len, uint8_t *reply,
                      int *drop)
{
    uint8_t dir = req[24];
    uint32_t n = sim_le_get(req + 28, 4);
    size_t reply_len = dir == DIR_WRITE ? 4 : 4 + (size_t)n;
    memset(reply, 0, reply_len);
    if (len != (dir == DIR_WRITE ? USB_HEADER + n : USB_HEADER))
        {
        status_only(reply, STLINK_TCP_TRUNCATED);
        return reply_len;
    }
    if (!p->connect_id || sim_le_get(req + 4, 4) != p->connect_id) {
        fprintf(stderr, "espctl-sim stlink: USB command on connect id 0x%08x which is not open\n",
                sim_le_get(req + 4, 4));
        status_only(reply, STLINK_TCP_BAD_PARAM);
        return reply_len;
    }
    if (dir != DIR_WRITE && dir != DIR_READ && dir != DIR_READ_TRACE) {
        fprintf(stderr, "espctl-sim stlink: USB command with unknown direction %u\n", dir);
        status_only(reply, STLINK_TCP_BAD_PARAM);
        return reply_len;
    }
    struct sim_faults *f = &p->target->faults;
    if (f->drop_after && p->target->stats.round_trips >= f->drop_after) {
        f->drop_after = 0;
        *drop = 1;
        return 0;
    }
    if (dir == DIR_READ_TRACE) {
        sim_target_round_trip(p->target, 0, n);
        status_only(reply, STLINK_TCP_OK); /* no trace data: zeros */
        return reply_len;
    }
    uint32_t st = dir == DIR_WRITE ? stlink_usb_command(p, req + 8, req + USB_HEADER, n, NULL, 0)
                                   : stlink_usb_command(p, req + 8, NULL, 0, reply + 4, n);
    status_only(reply, st);
    return reply_len;
}

struct stlink_tcp_result stlink_tcp_handle(struct stlink_probe *p, const uint8_t *req, size_t len,
                                           uint8_t *reply)
{
    struct stlink_tcp_result res = {0, 0};
    long want = stlink_tcp_frame_len(req, len);
    if (want <= 0 || (size_t)want != len) {
        fprintf(stderr, "espctl-sim stlink: malformed request (command byte 0x%02X, %zu bytes)\n",
                len ? req[0] : 0, len);
        res.reply_len = status_only(reply, STLINK_TCP_BAD_PARAM);
        return res;
    }
    switch (req[0]) {
    case CMD_GET_SERVER_VERSION:
        sim_le_put(reply, 4, p->server_api);
        sim_le_put(reply + 4, 4, SERVER_MAJOR);
        sim_le_put(reply + 8, 4, SERVER_MINOR);
        sim_le_put(reply + 12, 4, SERVER_BUILD);
        res.reply_len = 16;
        break;
    case CMD_REFRESH_DEVICE_LIST:
        res.reply_len = status_only(reply, STLINK_TCP_OK);
        break;
    case CMD_GET_NB_DEV:
        res.reply_len = status_only(reply, 1); /* a device count, not a status */
        break;
    case CMD_GET_DEV_INFO: {
        memset(reply, 0, 4 + DEV_INFO_SIZE);
        res.reply_len = 4 + DEV_INFO_SIZE;
        if (req[1] != 0 || sim_le_get(req + 4, 4) != DEV_INFO_SIZE) {
            status_only(reply, STLINK_TCP_BAD_PARAM);
            break;
        }
        status_only(reply, STLINK_TCP_OK);
        sim_le_put(reply + 4, 4, p->device_id);
        strncpy((char *)reply + 8, p->serial, 31);
        sim_le_put(reply + 40, 2, 0x0483);
        sim_le_put(reply + 42, 2, p->identity == STLINK_V3J7 ? 0x374F : 0x3748);
        reply[44] = p->connect_id != 0;
        break;
    }
    case CMD_OPEN_DEV:
        memset(reply, 0, 8);
        res.reply_len = 8;
        if (sim_le_get(req + 4, 4) != p->device_id || p->connect_id) {
            status_only(reply, STLINK_TCP_BAD_PARAM);
            break;
        }
        p->connect_id = 0x5A170001u;
        status_only(reply, STLINK_TCP_OK);
        sim_le_put(reply + 4, 4, p->connect_id);
        break;
    case CMD_CLOSE_DEV:
        if (!p->connect_id || sim_le_get(req + 4, 4) != p->connect_id) {
            res.reply_len = status_only(reply, STLINK_TCP_BAD_PARAM);
            break;
        }
        p->connect_id = 0;
        res.reply_len = status_only(reply, STLINK_TCP_OK);
        break;
    default: /* CMD_SEND_USB_CMD: the framing accepted nothing else */
        res.reply_len = usb_cmd(p, req, len, reply, &res.drop);
        break;
    }
    return res;
}
