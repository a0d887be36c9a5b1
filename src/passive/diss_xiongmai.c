/* diss_xiongmai.c — Xiongmai (XMEye/Sofia) search on UDP 34569: a 20-byte
 * little-endian DVRIP header (0xff, message id at 14, body length at 16)
 * and, for message 1531 (IPSEARCH_RSP), a JSON body with the device's
 * network settings, serial and firmware (research/protocols.md 5.2). Emitted
 * as signal dvrip.search. */
#include "passive/dissect.h"

#define DVRIP_HEADER 20
#define DVRIP_SEARCH_REPLY 1531

static void dissect_xiongmai(struct passive *ps, const struct packet *pkt)
{
    const uint8_t *p = pkt->payload;
    size_t len = pkt->payload_len;
    if (len <= DVRIP_HEADER || p[0] != 0xff)
        return;
    unsigned msg = (unsigned)(p[14] | p[15] << 8);
    if (msg != DVRIP_SEARCH_REPLY)
        return;
    size_t body_len =
        (size_t)p[16] | (size_t)p[17] << 8 | (size_t)p[18] << 16 | (size_t)p[19] << 24;
    if (body_len > len - DVRIP_HEADER)
        body_len = len - DVRIP_HEADER;
    const uint8_t *body = p + DVRIP_HEADER;
    while (body_len && (body[body_len - 1] == 0 || body[body_len - 1] == '\n'))
        body_len--;
    if (body_len)
        passive_emit(ps, pkt, SIDE_SRC, 34569, "dvrip.search", body, body_len);
}

const struct dissector dissector_xiongmai = {
    .name = "xiongmai", .l4 = L4_UDP, .ports = {34569}, .dissect = dissect_xiongmai};
