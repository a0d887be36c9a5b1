/* diss_rtsp.c — RTSP/1.0 responses on any TCP port (RFC 2326): Server,
 * WWW-Authenticate (realms name many cameras) and the SDP body of a
 * DESCRIBE answer when it is in the same segment, credited to the server. */
#include "passive/dissect.h"
#include "passive/textproto.h"

static void dissect_rtsp(struct passive *ps, const struct packet *pkt)
{
    const uint8_t *p = pkt->payload;
    size_t len = pkt->payload_len;
    if (!text_starts(p, len, "RTSP/1.0 "))
        return;
    const uint8_t *v;
    size_t vlen;
    if (text_header(p, len, "Server", &v, &vlen) && vlen)
        passive_emit(ps, pkt, SIDE_SRC, pkt->sport, "rtsp.server", v, vlen);
    if (text_header(p, len, "WWW-Authenticate", &v, &vlen) && vlen)
        passive_emit(ps, pkt, SIDE_SRC, pkt->sport, "rtsp.www_authenticate", v, vlen);
    if (text_header(p, len, "Content-Type", &v, &vlen) &&
        text_find_ci(v, vlen, "application/sdp") && text_body(p, len, &v, &vlen) && vlen)
        passive_emit(ps, pkt, SIDE_SRC, pkt->sport, "rtsp.sdp", v, vlen);
}

const struct dissector dissector_rtsp = {.name = "rtsp", .l4 = L4_TCP, .dissect = dissect_rtsp};
