/* diss_onvif.c — ONVIF WS-Discovery on UDP 3702: the Scopes of a device's
 * Hello announcement or ProbeMatch answer (onvif://www.onvif.org/name/...,
 * hardware/..., type/...) and its XAddrs (service URLs), credited to the
 * device. Probes are skipped. */
#include "passive/dissect.h"
#include "passive/textproto.h"

static void dissect_onvif(struct passive *ps, const struct packet *pkt)
{
    const uint8_t *p = pkt->payload;
    size_t len = pkt->payload_len;
    if (!text_find_ci(p, len, "discovery/Hello") && !text_find_ci(p, len, "ProbeMatch"))
        return;
    const uint8_t *v;
    size_t vlen;
    if (xml_element_text(p, len, "Scopes", &v, &vlen) && vlen)
        passive_emit(ps, pkt, SIDE_SRC, 3702, "onvif.scopes", v, vlen);
    if (xml_element_text(p, len, "XAddrs", &v, &vlen) && vlen)
        passive_emit(ps, pkt, SIDE_SRC, 3702, "onvif.xaddrs", v, vlen);
}

const struct dissector dissector_onvif = {
    .name = "onvif", .l4 = L4_UDP, .ports = {3702}, .dissect = dissect_onvif};
