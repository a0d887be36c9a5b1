/* diss_arp.c — ARP: every request and reply names its sender's IPv4 and MAC
 * address, the most reliable MAC source on a segment. */
#include "passive/dissect.h"

#include <string.h>

static void dissect_arp(struct passive *ps, const struct packet *pkt)
{
    const uint8_t *p = pkt->l3;
    if (pkt->l3_len < 28)
        return;
    /* Ethernet hardware (1), IPv4 protocol, 6-byte and 4-byte addresses. */
    if (p[0] != 0 || p[1] != 1 || p[2] != 0x08 || p[3] != 0x00 || p[4] != 6 || p[5] != 4)
        return;
    static const uint8_t any[4];
    if (memcmp(p + 14, any, 4) == 0)
        return; /* ARP probe: the sender has no address yet */
    passive_bind_mac(ps, pkt, 4, p + 14, p + 8);
}

const struct dissector dissector_arp = {
    .name = "arp", .ethertype = ETHERTYPE_ARP, .l4 = L4_NONE, .dissect = dissect_arp};
