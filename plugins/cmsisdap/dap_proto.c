#include "dap_proto.h"

#include "espctl/common.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int bad(char *why, size_t why_len, const char *fmt, ...)
{
    if (why && why_len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, why_len, fmt, ap);
        va_end(ap);
    }
    return ESPCTL_E_PROTOCOL;
}

int dap_check_echo(const uint8_t *resp, size_t len, uint8_t cmd, size_t min_len, char *why, size_t why_len)
{
    if (len == 0)
        return bad(why, why_len, "empty response to command 0x%02X", cmd);
    if (resp[0] != cmd) {
        if (resp[0] == DAP_CMD_UNKNOWN)
            return bad(why, why_len, "probe does not implement command 0x%02X (answered 0xFF)", cmd);
        return bad(why, why_len, "response byte 0 is 0x%02X, expected the echoed command 0x%02X", resp[0],
                   cmd);
    }
    if (len < min_len)
        return bad(why, why_len, "response to command 0x%02X is %u bytes, expected at least %u", cmd,
                   (unsigned)len, (unsigned)min_len);
    return 0;
}

int dap_parse_info(const uint8_t *resp, size_t len, uint8_t id, struct dap_info_value *out, char *why,
                   size_t why_len)
{
    memset(out, 0, sizeof *out);
    int rc = dap_check_echo(resp, len, DAP_CMD_INFO, 2, why, why_len);
    if (rc)
        return rc;
    uint8_t n = resp[1];
    if ((size_t)n + 2 > len)
        return bad(why, why_len, "DAP_Info 0x%02X: length byte at offset 1 says %u bytes but only %u follow", id,
                   n, (unsigned)(len - 2));
    out->len = n;
    const uint8_t *v = resp + 2;
    switch (id) {
    case DAP_INFO_CAPS:
        if (n < 1 || n > 2)
            return bad(why, why_len, "DAP_Info 0x%02X: capabilities length %u at offset 1 is not 1 or 2", id,
                       n);
        out->number = v[0] | (n > 1 ? (uint32_t)v[1] << 8 : 0u);
        return 0;
    case DAP_INFO_PACKET_COUNT:
        if (n != 1)
            return bad(why, why_len, "DAP_Info 0x%02X: packet count length %u at offset 1 is not 1", id, n);
        out->number = v[0];
        return 0;
    case DAP_INFO_PACKET_SIZE:
        if (n != 2)
            return bad(why, why_len, "DAP_Info 0x%02X: packet size length %u at offset 1 is not 2", id, n);
        out->number = dap_get16(v);
        return 0;
    default:
        /* strings: the count includes the NUL; tolerate a missing one */
        for (unsigned i = 0; i < n && v[i]; i++)
            out->text[i] = (v[i] >= 0x20 && v[i] < 0x7F) ? (char)v[i] : '?';
        return 0;
    }
}

int dap_parse_status(const uint8_t *resp, size_t len, uint8_t cmd, char *why, size_t why_len)
{
    int rc = dap_check_echo(resp, len, cmd, 2, why, why_len);
    if (rc)
        return rc;
    if (resp[1] != 0x00)
        return bad(why, why_len, "command 0x%02X answered status 0x%02X (DAP_ERROR) at offset 1", cmd, resp[1]);
    return 0;
}

int dap_parse_transfer(const uint8_t *resp, size_t len, const uint8_t *reqs, uint32_t count,
                       struct dap_xfer_status *st, uint32_t *words, char *why, size_t why_len)
{
    memset(st, 0, sizeof *st);
    int rc = dap_check_echo(resp, len, DAP_CMD_TRANSFER, DAP_TRANSFER_RESP_HEADER, why, why_len);
    if (rc)
        return rc;
    st->done = resp[1];
    st->ack = resp[2];
    if (st->done > count)
        return bad(why, why_len, "DAP_Transfer: count %u at offset 1 exceeds the %u transfers requested",
                   st->done, count);
    if (st->ack == DAP_ACK_OK && st->done != count)
        return bad(why, why_len, "DAP_Transfer: ACK OK at offset 2 but only %u of %u transfers done", st->done,
                   count);
    uint32_t reads = 0;
    for (uint32_t i = 0; i < st->done; i++)
        reads += (reqs[i] & DAP_REQ_READ) != 0;
    size_t want = DAP_TRANSFER_RESP_HEADER + 4u * (size_t)reads;
    if (st->ack == DAP_ACK_OK ? len < want : len < DAP_TRANSFER_RESP_HEADER)
        return bad(why, why_len, "DAP_Transfer: %u bytes for %u read words, expected %u", (unsigned)len, reads,
                   (unsigned)want);
    if (len < want) {
        /* a failed transfer may leave out the data of its completed reads: report none */
        st->done = 0;
        return 0;
    }
    for (uint32_t i = 0; i < reads; i++)
        words[i] = dap_get32(resp + DAP_TRANSFER_RESP_HEADER + 4u * i);
    return 0;
}

int dap_parse_block(const uint8_t *resp, size_t len, uint32_t count, int is_read, struct dap_xfer_status *st,
                    uint32_t *words, char *why, size_t why_len)
{
    memset(st, 0, sizeof *st);
    int rc = dap_check_echo(resp, len, DAP_CMD_TRANSFER_BLOCK, DAP_BLOCK_RESP_HEADER, why, why_len);
    if (rc)
        return rc;
    st->done = dap_get16(resp + 1);
    st->ack = resp[3];
    if (st->done > count)
        return bad(why, why_len, "DAP_TransferBlock: count %u at offset 1 exceeds the %u transfers requested",
                   st->done, count);
    if (st->ack == DAP_ACK_OK && st->done != count)
        return bad(why, why_len, "DAP_TransferBlock: ACK OK at offset 3 but only %u of %u transfers done",
                   st->done, count);
    if (!is_read)
        return 0;
    size_t want = DAP_BLOCK_RESP_HEADER + 4u * (size_t)st->done;
    if (len < want) {
        if (st->ack == DAP_ACK_OK)
            return bad(why, why_len, "DAP_TransferBlock: %u bytes for %u read words, expected %u", (unsigned)len,
                       st->done, (unsigned)want);
        st->done = (uint32_t)((len - DAP_BLOCK_RESP_HEADER) / 4u);
    }
    for (uint32_t i = 0; i < st->done; i++)
        words[i] = dap_get32(resp + DAP_BLOCK_RESP_HEADER + 4u * i);
    return 0;
}

const char *dap_ack_name(uint8_t ack)
{
    if (ack & DAP_ACK_PROTOCOL_ERROR)
        return "SWD protocol (parity) error";
    if (ack & DAP_ACK_MISMATCH)
        return "value mismatch";
    switch (ack & 0x07u) {
    case DAP_ACK_OK: return "OK";
    case DAP_ACK_WAIT: return "WAIT";
    case DAP_ACK_FAULT: return "FAULT";
    case DAP_ACK_NONE: return "no ACK";
    default: return "invalid ACK";
    }
}
