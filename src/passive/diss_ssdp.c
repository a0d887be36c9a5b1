/* diss_ssdp.c — SSDP on UDP 1900: the SERVER and USN headers of NOTIFY
 * announcements and of answers to M-SEARCH. M-SEARCH requests are skipped.
 * Parsed by src/discovery (see diss_discovery.c). */
#include "passive/dissect.h"

#include "discovery/discovery.h"

static void dissect_ssdp(struct passive *ps, const struct packet *pkt)
{
    dissect_discovery_reply(ps, pkt, "ssdp", discovery_ssdp_parse, 1900);
}

const struct dissector dissector_ssdp = {
    .name = "ssdp", .l4 = L4_UDP, .ports = {1900}, .dissect = dissect_ssdp};
