/* diss_dhip.c — Dahua DHIP discovery on UDP 37810: a 32-byte little-endian
 * header ("DHIP" at offset 4, body length at 16) and a JSON body; answers
 * and announcements carry "client.notifyDevInfo" with the device's model,
 * serial and firmware (research/protocols.md 3.1). */
#include "passive/dissect.h"
#include "passive/textproto.h"

#include <string.h>

#define DHIP_HEADER 32

static void dissect_dhip(struct passive *ps, const struct packet *pkt)
{
    const uint8_t *p = pkt->payload;
    size_t len = pkt->payload_len;
    if (len <= DHIP_HEADER || memcmp(p + 4, "DHIP", 4) != 0)
        return;
    size_t body_len =
        (size_t)p[16] | (size_t)p[17] << 8 | (size_t)p[18] << 16 | (size_t)p[19] << 24;
    if (body_len > len - DHIP_HEADER)
        body_len = len - DHIP_HEADER; /* never trust the length field */
    const uint8_t *body = p + DHIP_HEADER;
    while (body_len && (body[body_len - 1] == '\n' || body[body_len - 1] == 0))
        body_len--;
    if (!text_find_ci(body, body_len, "notifyDevInfo"))
        return; /* a search request, not a device */
    passive_emit(ps, pkt, SIDE_SRC, 37810, "dhip", body, body_len);
}

const struct dissector dissector_dhip = {
    .name = "dhip", .l4 = L4_UDP, .ports = {37810}, .dissect = dissect_dhip};
