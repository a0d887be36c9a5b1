/* diss_sadp.c — Hikvision SADP on UDP 37020: a device's <ProbeMatch> XML (model,
 * serial, firmware, MAC, activation), sent in answer to an inquiry or on its
 * own at boot (research/protocols.md 2.2).
 * Parsed by src/discovery (see diss_discovery.c). */
#include "passive/dissect.h"

#include "discovery/discovery.h"

static void dissect_sadp(struct passive *ps, const struct packet *pkt)
{
    dissect_discovery_reply(ps, pkt, "sadp", discovery_sadp_parse, 37020);
}

const struct dissector dissector_sadp = {
    .name = "sadp", .l4 = L4_UDP, .ports = {37020}, .dissect = dissect_sadp};
