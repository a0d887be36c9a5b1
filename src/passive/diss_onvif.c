/* diss_onvif.c — ONVIF WS-Discovery on UDP 3702: the Scopes and XAddrs of a
 * device's Hello announcement or ProbeMatch answer. Probes are skipped.
 * Parsed by src/discovery (see diss_discovery.c). */
#include "passive/dissect.h"

#include "discovery/discovery.h"

static void dissect_onvif(struct passive *ps, const struct packet *pkt)
{
    dissect_discovery_reply(ps, pkt, "onvif", discovery_onvif_parse, 3702);
}

const struct dissector dissector_onvif = {
    .name = "onvif", .l4 = L4_UDP, .ports = {3702}, .dissect = dissect_onvif};
