/* diss_dahua5050.c — legacy Dahua search on UDP 5050: the binary b3 reply with
 * device type, addresses, MAC and Key:Value lines (research/protocols.md 3.2).
 * Parsed by src/discovery (see diss_discovery.c). */
#include "passive/dissect.h"

#include "discovery/discovery.h"

static void dissect_dahua5050(struct passive *ps, const struct packet *pkt)
{
    dissect_discovery_reply(ps, pkt, "dahua5050", discovery_dahua5050_parse, 5050);
}

const struct dissector dissector_dahua5050 = {
    .name = "dahua5050", .l4 = L4_UDP, .ports = {5050}, .dissect = dissect_dahua5050};
