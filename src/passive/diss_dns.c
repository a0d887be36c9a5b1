/* diss_dns.c — DNS on port 53, over UDP and over TCP (each message behind
 * its 2-byte length, RFC 1035 4.2.2; read from the segment that starts it):
 * the name a device asked for, credited to the device that asked (the source
 * of a query, the destination of an answer), so that lookups of vendor clouds
 * reveal phone-home (RFC 1035). */
#include "passive/dissect.h"

#include <stdio.h>
#include <string.h>

#define DNS_NAME_MAX 255
#define DNS_MAX_JUMPS 16

/* Reads the name at off into out (dotted text). Returns its length or -1
 * for a malformed name (pointer loops, labels past the end, too long). */
static int read_name(const uint8_t *msg, size_t len, size_t off, char out[DNS_NAME_MAX + 1])
{
    size_t n = 0;
    int jumps = 0;
    while (off < len) {
        uint8_t l = msg[off];
        if (l == 0) {
            out[n] = '\0';
            return (int)n;
        }
        if ((l & 0xc0) == 0xc0) {
            if (off + 1 >= len || ++jumps > DNS_MAX_JUMPS)
                return -1;
            off = (size_t)(l & 0x3f) << 8 | msg[off + 1];
            continue;
        }
        if (l & 0xc0)
            return -1; /* extended label types */
        if (off + 1 + l > len || n + l + (n ? 1 : 0) > DNS_NAME_MAX)
            return -1;
        if (n)
            out[n++] = '.';
        for (size_t i = 0; i < l; i++) {
            uint8_t c = msg[off + 1 + i];
            if (c < 0x21 || c == 0x7f)
                return -1; /* not a host name a device would look up */
            out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        off += 1 + (size_t)l;
    }
    return -1;
}

static bool is_reverse_lookup(const char *name, size_t len)
{
    static const char *const suffixes[] = {".in-addr.arpa", ".ip6.arpa"};
    for (size_t i = 0; i < 2; i++) {
        size_t s = strlen(suffixes[i]);
        if (len >= s && strcmp(name + len - s, suffixes[i]) == 0)
            return true;
    }
    return false;
}

/* One DNS message p[0..len) carried by pkt. */
static void read_message(struct passive *ps, const struct packet *pkt, const uint8_t *p, size_t len)
{
    if (len < 12)
        return;
    bool response = p[2] & 0x80;
    unsigned opcode = (p[2] >> 3) & 15;
    unsigned qdcount = (unsigned)(p[4] << 8 | p[5]);
    if (opcode != 0 || qdcount == 0)
        return;
    if (response ? pkt->sport != 53 : pkt->dport != 53)
        return; /* the asker is the side that is not the server */
    char name[DNS_NAME_MAX + 1];
    int n = read_name(p, len, 12, name);
    if (n <= 0 || is_reverse_lookup(name, (size_t)n))
        return;
    passive_emit(ps, pkt, response ? SIDE_DST : SIDE_SRC, 0, "dns.query", name, (size_t)n);
}

static void dissect_dns(struct passive *ps, const struct packet *pkt)
{
    read_message(ps, pkt, pkt->payload, pkt->payload_len);
}

static void dissect_dns_tcp(struct passive *ps, const struct packet *pkt)
{
    if (pkt->payload_len < 2 + 12)
        return;
    size_t declared = (size_t)pkt->payload[0] << 8 | pkt->payload[1];
    size_t here = pkt->payload_len - 2;
    read_message(ps, pkt, pkt->payload + 2, declared < here ? declared : here);
}

const struct dissector dissector_dns = {
    .name = "dns", .l4 = L4_UDP, .ports = {53}, .dissect = dissect_dns};
const struct dissector dissector_dns_tcp = {
    .name = "dns-tcp", .l4 = L4_TCP, .ports = {53}, .dissect = dissect_dns_tcp};
