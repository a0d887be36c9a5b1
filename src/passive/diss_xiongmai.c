/* diss_xiongmai.c — Xiongmai (XMEye/Sofia) search on UDP 34569: DVRIP message 1531
 * and its JSON body with the device's network settings, serial and firmware
 * (research/protocols.md 5.2), as signal dvrip.search.
 * Parsed by src/discovery (see diss_discovery.c). */
#include "passive/dissect.h"

#include "discovery/discovery.h"

static void dissect_xiongmai(struct passive *ps, const struct packet *pkt)
{
    dissect_discovery_reply(ps, pkt, "xm", discovery_xm_parse, 34569);
}

const struct dissector dissector_xiongmai = {
    .name = "xiongmai", .l4 = L4_UDP, .ports = {34569}, .dissect = dissect_xiongmai};
