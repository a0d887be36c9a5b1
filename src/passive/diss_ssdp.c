/* diss_ssdp.c — SSDP on UDP 1900: the SERVER and USN headers of NOTIFY
 * announcements and of answers to M-SEARCH ("Linux/3.x UPnP/1.0 ..."),
 * credited to the announcing device. */
#include "passive/dissect.h"
#include "passive/textproto.h"

static void dissect_ssdp(struct passive *ps, const struct packet *pkt)
{
    const uint8_t *p = pkt->payload;
    size_t len = pkt->payload_len;
    if (!text_starts(p, len, "NOTIFY ") && !text_starts(p, len, "HTTP/1."))
        return;
    const uint8_t *v;
    size_t vlen;
    if (text_header(p, len, "SERVER", &v, &vlen) && vlen)
        passive_emit(ps, pkt, SIDE_SRC, 1900, "ssdp.server", v, vlen);
    if (text_header(p, len, "USN", &v, &vlen) && vlen)
        passive_emit(ps, pkt, SIDE_SRC, 1900, "ssdp.usn", v, vlen);
}

const struct dissector dissector_ssdp = {
    .name = "ssdp", .l4 = L4_UDP, .ports = {1900}, .dissect = dissect_ssdp};
