/* diss_dhip.c — Dahua DHIP discovery on UDP 37810: a 32-byte header and a JSON
 * body; answers and announcements (client.notifyDevInfo) carry model, serial
 * and firmware (research/protocols.md 3.1).
 * Parsed by src/discovery (see diss_discovery.c). */
#include "passive/dissect.h"

#include "discovery/discovery.h"

static void dissect_dhip(struct passive *ps, const struct packet *pkt)
{
    dissect_discovery_reply(ps, pkt, "dhip", discovery_dhip_parse, 37810);
}

const struct dissector dissector_dhip = {
    .name = "dhip", .l4 = L4_UDP, .ports = {37810}, .dissect = dissect_dhip};
