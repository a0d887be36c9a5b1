/* diss_sadp.c — Hikvision SADP on UDP 37020: a device's <ProbeMatch> XML
 * (model, serial, firmware, MAC, activation), sent to the multicast group in
 * answer to an inquiry or on its own at boot (research/protocols.md 2.2). */
#include "passive/dissect.h"
#include "passive/textproto.h"

#include <string.h>

static void dissect_sadp(struct passive *ps, const struct packet *pkt)
{
    const uint8_t *p = pkt->payload;
    size_t len = pkt->payload_len;
    const uint8_t *match = text_find_ci(p, len, "<ProbeMatch>");
    if (!match)
        return;
    const uint8_t *start = text_find_ci(p, (size_t)(match - p), "<?xml");
    if (!start)
        start = match;
    size_t n = len - (size_t)(start - p);
    while (n && (start[n - 1] == 0 || start[n - 1] == '\n' || start[n - 1] == '\r'))
        n--;
    passive_emit(ps, pkt, SIDE_SRC, 37020, "sadp", start, n);
}

const struct dissector dissector_sadp = {
    .name = "sadp", .l4 = L4_UDP, .ports = {37020}, .dissect = dissect_sadp};
