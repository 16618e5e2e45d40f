/* elaphureLink server side: 12-byte big-endian handshake, then either bare DAP packets (one
 * per TCP segment, legacy v0) or, after the vendor scope-enter command, 4-byte framed
 * packets (0x88, type/status, len u16 BE). */
#include <string.h>

#include "dap_front.h"

static uint32_t be32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void put_be32(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
}

static struct el_step handshake(struct el_session *s, const uint8_t *rx, size_t have, uint8_t *reply)
{
    struct el_step st = {0};
    if (have < EL_HANDSHAKE_SIZE)
        return st;
    if (be32(rx) != EL_IDENTIFIER || be32(rx + 4) != 0) {
        st.close = 1;
        return st;
    }
    put_be32(reply, EL_IDENTIFIER);
    put_be32(reply + 4, 0);
    put_be32(reply + 8, s->server_version);
    st.consumed = EL_HANDSHAKE_SIZE;
    st.reply_len = EL_HANDSHAKE_SIZE;
    s->state = (s->server_version >> 16) >= 1 ? EL_FRAMED_PENDING : EL_BARE;
    return st;
}

static struct el_step framed(struct el_session *s, struct dapsim_probe *p, const uint8_t *rx, size_t have,
                             uint8_t *reply)
{
    struct el_step st = {0};
    if (have < 4)
        return st;
    if (rx[0] != EL_VENDOR) {
        st.close = 1;
        return st;
    }
    size_t len = (size_t)(rx[2] << 8 | rx[3]);
    if (rx[1] == EL_SCOPE_ENTER || rx[1] == EL_SCOPE_EXIT) {
        /* vendor commands without payload: answered 0x88 00 00 00 */
        if (len != 0) {
            st.close = 1;
            return st;
        }
        s->state = rx[1] == EL_SCOPE_ENTER ? EL_FRAMED : EL_FRAMED_PENDING;
        reply[0] = EL_VENDOR;
        reply[1] = reply[2] = reply[3] = 0;
        st.consumed = 4;
        st.reply_len = 4;
        return st;
    }
    if (rx[1] != EL_PASSTHROUGH || s->state != EL_FRAMED || len == 0 || len > p->packet_size) {
        st.close = 1;
        return st;
    }
    if (have < 4 + len)
        return st;
    size_t n = dapsim_execute(p, rx + 4, len, reply + 4, p->packet_size);
    reply[0] = EL_VENDOR;
    reply[1] = 0;
    reply[2] = (uint8_t)(n >> 8);
    reply[3] = (uint8_t)n;
    st.consumed = 4 + len;
    st.reply_len = 4 + n;
    st.is_dap = 1;
    st.dap_in = len;
    st.dap_out = n;
    return st;
}

struct el_step el_consume(struct el_session *s, struct dapsim_probe *p, const uint8_t *rx, size_t have,
                          uint8_t *reply)
{
    struct el_step st = {0};
    switch (s->state) {
    case EL_WANT_HANDSHAKE:
        return handshake(s, rx, have, reply);
    case EL_BARE: {
        if (!have)
            return st;
        size_t len = have > p->packet_size ? p->packet_size : have;
        st.reply_len = dapsim_execute(p, rx, len, reply, p->packet_size);
        st.consumed = have; /* one segment is one packet; excess bytes are dropped, as on the ESP */
        st.is_dap = 1;
        st.dap_in = len;
        st.dap_out = st.reply_len;
        return st;
    }
    default:
        return framed(s, p, rx, have, reply);
    }
}
