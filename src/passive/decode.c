/* decode.c — link, network and transport decoding of captured frames (see
 * packet.h). Every header is checked against the bytes actually captured; a
 * length field that claims more than that is clamped, never followed. */
#include "passive/packet.h"

#include <arpa/inet.h>
#include <pcap/dlt.h>
#include <stdio.h>
#include <string.h>

#define MAX_VLAN_TAGS 4

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

bool packet_linktype_supported(int linktype)
{
    switch (linktype) {
    case DLT_EN10MB:
    case DLT_LINUX_SLL:
    case DLT_LINUX_SLL2:
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
    case DLT_NULL:
    case DLT_LOOP:
        return true;
    default:
        return false;
    }
}

static int decode_transport(struct packet *pkt, uint8_t proto, const uint8_t *p, size_t len)
{
    if (proto == L4_UDP) {
        if (len < 8)
            return 0;
        pkt->l4 = L4_UDP;
        pkt->sport = rd16(p);
        pkt->dport = rd16(p + 2);
        size_t ulen = rd16(p + 4);
        if (ulen < 8 || ulen > len)
            ulen = len; /* zero (jumbo) or lying length: use what was captured */
        pkt->payload = p + 8;
        pkt->payload_len = ulen - 8;
    } else if (proto == L4_TCP) {
        if (len < 20)
            return 0;
        size_t hlen = (size_t)(p[12] >> 4) * 4;
        if (hlen < 20 || hlen > len)
            return 0;
        pkt->l4 = L4_TCP;
        pkt->sport = rd16(p);
        pkt->dport = rd16(p + 2);
        pkt->tcp_seq = rd32(p + 4);
        pkt->tcp_flags = p[13];
        pkt->payload = p + hlen;
        pkt->payload_len = len - hlen;
    }
    return 0;
}

static int decode_ipv4(struct packet *pkt, const uint8_t *p, size_t len)
{
    if (len < 20 || (p[0] >> 4) != 4)
        return -1;
    size_t hlen = (size_t)(p[0] & 15) * 4;
    if (hlen < 20 || hlen > len)
        return -1;
    size_t total = rd16(p + 2);
    if (total >= hlen && total < len)
        len = total; /* drop Ethernet padding */
    pkt->family = 4;
    memcpy(pkt->src_ip, p + 12, 4);
    memcpy(pkt->dst_ip, p + 16, 4);
    if ((rd16(p + 6) & 0x1fff) != 0)
        return 0; /* a later fragment: no transport header here */
    return decode_transport(pkt, p[9], p + hlen, len - hlen);
}

static bool ipv6_is_extension(uint8_t next)
{
    return next == 0 || next == 43 || next == 60 || next == 51;
}

static int decode_ipv6(struct packet *pkt, const uint8_t *p, size_t len)
{
    if (len < 40 || (p[0] >> 4) != 6)
        return -1;
    size_t plen = rd16(p + 4);
    if (plen > 0 && plen + 40 < len)
        len = plen + 40;
    pkt->family = 6;
    memcpy(pkt->src_ip, p + 8, 16);
    memcpy(pkt->dst_ip, p + 24, 16);
    uint8_t next = p[6];
    size_t off = 40;
    for (int hops = 0; ipv6_is_extension(next) && hops < 8; hops++) {
        if (off + 8 > len)
            return 0;
        size_t ext = next == 51 ? ((size_t)p[off + 1] + 2) * 4 : ((size_t)p[off + 1] + 1) * 8;
        next = p[off];
        off += ext;
    }
    if (next == 44 || off > len)
        return 0; /* fragment or header chain past the capture */
    return decode_transport(pkt, next, p + off, len - off);
}

static int decode_network(struct packet *pkt, uint16_t ethertype, const uint8_t *p, size_t len)
{
    pkt->ethertype = ethertype;
    pkt->l3 = p;
    pkt->l3_len = len;
    if (ethertype == ETHERTYPE_IPV4)
        return decode_ipv4(pkt, p, len);
    if (ethertype == ETHERTYPE_IPV6)
        return decode_ipv6(pkt, p, len);
    return 0;
}

static int decode_ethernet(struct packet *pkt, const uint8_t *p, size_t len)
{
    if (len < 14)
        return -1;
    memcpy(pkt->dst_mac, p, 6);
    memcpy(pkt->src_mac, p + 6, 6);
    pkt->has_mac = true;
    uint16_t type = rd16(p + 12);
    size_t off = 14;
    for (int tags = 0; (type == 0x8100 || type == 0x88a8 || type == 0x9100) && tags < MAX_VLAN_TAGS;
         tags++) {
        if (off + 4 > len)
            return -1;
        type = rd16(p + off + 2);
        off += 4;
    }
    return decode_network(pkt, type, p + off, len - off);
}

static int decode_sll(struct packet *pkt, const uint8_t *p, size_t len)
{
    if (len < 16)
        return -1;
    if (rd16(p + 2) == 1 && rd16(p + 4) == 6) { /* ARPHRD_ETHER, 6-byte address */
        memcpy(pkt->src_mac, p + 6, 6);
        pkt->has_mac = true;
    }
    return decode_network(pkt, rd16(p + 14), p + 16, len - 16);
}

static int decode_sll2(struct packet *pkt, const uint8_t *p, size_t len)
{
    if (len < 20)
        return -1;
    if (rd16(p + 8) == 1 && p[11] == 6) {
        memcpy(pkt->src_mac, p + 12, 6);
        pkt->has_mac = true;
    }
    return decode_network(pkt, rd16(p), p + 20, len - 20);
}

static int decode_raw_ip(struct packet *pkt, const uint8_t *p, size_t len)
{
    if (len < 1)
        return -1;
    return decode_network(pkt, (p[0] >> 4) == 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4, p, len);
}

static int decode_null(struct packet *pkt, int linktype, const uint8_t *p, size_t len)
{
    if (len < 4)
        return -1;
    uint32_t af = linktype == DLT_LOOP
                      ? rd32(p)
                      : (uint32_t)(p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24);
    if (af > 0xffff) /* the other byte order */
        af = (af >> 24) | ((af >> 8) & 0xff00);
    if (af == 2)
        return decode_network(pkt, ETHERTYPE_IPV4, p + 4, len - 4);
    if (af == 24 || af == 28 || af == 30 || af == 10)
        return decode_network(pkt, ETHERTYPE_IPV6, p + 4, len - 4);
    return -1;
}

int packet_decode(int linktype, const uint8_t *frame, size_t caplen, double time,
                  struct packet *pkt)
{
    memset(pkt, 0, sizeof *pkt);
    pkt->time = time;
    switch (linktype) {
    case DLT_EN10MB:
        return decode_ethernet(pkt, frame, caplen);
    case DLT_LINUX_SLL:
        return decode_sll(pkt, frame, caplen);
    case DLT_LINUX_SLL2:
        return decode_sll2(pkt, frame, caplen);
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
        return decode_raw_ip(pkt, frame, caplen);
    case DLT_NULL:
    case DLT_LOOP:
        return decode_null(pkt, linktype, frame, caplen);
    default:
        return -1;
    }
}

void packet_format_ip(const struct packet *pkt, int which, char *buf, size_t size)
{
    const uint8_t *addr = which == 0 ? pkt->src_ip : pkt->dst_ip;
    if (pkt->family == 4 || pkt->family == 6)
        inet_ntop(pkt->family == 4 ? AF_INET : AF_INET6, addr, buf, (socklen_t)size);
    else if (size)
        buf[0] = '\0';
}

void packet_format_mac(const uint8_t mac[6], char buf[18])
{
    snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
             mac[5]);
}
