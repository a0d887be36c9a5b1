/* diss_mdns.c — mDNS on UDP 5353: the camera-relevant service instances and TXT
 * strings a device announces or answers with (Axis and others).
 * Parsed by src/discovery (see diss_discovery.c). */
#include "passive/dissect.h"

#include "discovery/discovery.h"

static void dissect_mdns(struct passive *ps, const struct packet *pkt)
{
    dissect_discovery_reply(ps, pkt, "mdns", discovery_mdns_parse, 5353);
}

const struct dissector dissector_mdns = {
    .name = "mdns", .l4 = L4_UDP, .ports = {5353}, .dissect = dissect_mdns};
