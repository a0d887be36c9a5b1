/* probe_dvrip.c — Xiongmai DVRIP/Sofia probe (TCP 34567, protocols.md §5.1).
 *
 * Non-intrusive by design: it never logs in (no credentials, not even the
 * documented empty default). It sends one SystemInfo request (message 1020)
 * with session 0, which is a read. Devices that answer it unauthenticated
 * reveal model, hardware and firmware (dvrip.system_info); devices that want
 * a login answer with an error frame, and that a DVRIP frame came back at
 * all is recorded as dvrip.reply ("message <id>: <body>").
 *
 * Frame: 20-byte little-endian header (0xFF, version, 2 reserved, session
 * u32, sequence u32, 2 bytes, message id u16, body length u32) then a JSON
 * body ending in "\n\0". The length field is never trusted. */
#include "probes/probe.h"

#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DVRIP_HEADER_LEN 20
#define DVRIP_MAGIC 0xFF
#define DVRIP_MSG_SYSINFO_REQ 1020
#define DVRIP_MSG_SYSINFO_RSP 1021
#define DVRIP_RESPONSE_CAP (16 * 1024)

static const char sysinfo_body[] =
    "{ \"Name\" : \"SystemInfo\", \"SessionID\" : \"0x00000000\" }\n";

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void dvrip_build_request(struct probe_session *s, char **req, size_t *len)
{
    size_t body_len = sizeof sysinfo_body; /* includes the trailing NUL the protocol wants */
    uint8_t *frame = xcalloc(1, DVRIP_HEADER_LEN + body_len);
    frame[0] = DVRIP_MAGIC;
    put_le16(frame + 14, DVRIP_MSG_SYSINFO_REQ);
    put_le32(frame + 16, (uint32_t)body_len);
    memcpy(frame + DVRIP_HEADER_LEN, sysinfo_body, body_len);
    *req = (char *)frame;
    *len = DVRIP_HEADER_LEN + body_len;
}

static enum probe_read dvrip_response_status(const uint8_t *data, size_t len)
{
    if (len > 0 && data[0] != DVRIP_MAGIC)
        return PROBE_READ_DONE; /* not DVRIP: nothing more will make it so */
    if (len < DVRIP_HEADER_LEN)
        return PROBE_READ_MORE;
    uint32_t body_len = get_le32(data + 16);
    return len - DVRIP_HEADER_LEN >= body_len ? PROBE_READ_DONE : PROBE_READ_MORE;
}

/* Body bytes without the "\n\0" (or any trailing NUL/blank) terminator. */
static size_t body_text_length(const uint8_t *body, size_t n)
{
    const uint8_t *nul = memchr(body, '\0', n);
    if (nul)
        n = (size_t)(nul - body);
    while (n > 0 && (body[n - 1] == '\n' || body[n - 1] == '\r' || body[n - 1] == ' '))
        n--;
    return n;
}

static void dvrip_parse_response(struct probe_session *s, const uint8_t *data, size_t len)
{
    s->done = true;
    if (len < DVRIP_HEADER_LEN || data[0] != DVRIP_MAGIC) {
        if (len > 0)
            probe_emit(s, "banner", data, len);
        return;
    }
    uint16_t message = (uint16_t)(data[14] | data[15] << 8);
    size_t avail = len - DVRIP_HEADER_LEN;
    size_t declared = get_le32(data + 16);
    const uint8_t *body = data + DVRIP_HEADER_LEN;
    size_t body_len = body_text_length(body, declared < avail ? declared : avail);
    if (message == DVRIP_MSG_SYSINFO_RSP && memmem(body, body_len, "\"SystemInfo\"", 12) &&
        memmem(body, body_len, "SoftWareVersion", 15)) {
        probe_emit(s, "dvrip.system_info", body, body_len);
        return;
    }
    char *reply = xasprintf("message %u: %.*s", message, (int)(body_len > 4000 ? 4000 : body_len),
                            (const char *)body);
    probe_emit_text(s, "dvrip.reply", reply);
    free(reply);
}

const struct probe_module probe_dvrip = {
    .name = "dvrip",
    .response_cap = DVRIP_RESPONSE_CAP,
    .build_request = dvrip_build_request,
    .response_status = dvrip_response_status,
    .parse_response = dvrip_parse_response,
};
