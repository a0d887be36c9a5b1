/* diss_dhcp.c — DHCP (BOOTP on UDP 67/68): a client's MAC, host name
 * (option 12) and vendor class (option 60, e.g. "udhcp 1.20.2" or a vendor
 * string), and the address a server's ACK gives it (RFC 2131/2132). */
#include "passive/dissect.h"

#include <string.h>

#define BOOTP_FIXED 236
#define DHCP_COOKIE 0x63825363u

struct dhcp_options {
    const uint8_t *hostname, *vendor_class;
    size_t hostname_len, vendor_class_len;
    const uint8_t *requested_ip; /* option 50, 4 bytes */
    int message_type;            /* option 53, 0 when absent */
};

static void read_options(const uint8_t *p, size_t len, struct dhcp_options *o)
{
    memset(o, 0, sizeof *o);
    size_t off = 0;
    while (off < len) {
        uint8_t code = p[off++];
        if (code == 0)
            continue; /* pad */
        if (code == 255 || off >= len)
            return; /* end */
        size_t olen = p[off++];
        if (olen > len - off)
            return; /* option runs past the packet */
        const uint8_t *v = p + off;
        if (code == 12 && olen > 0) {
            o->hostname = v;
            o->hostname_len = olen;
        } else if (code == 60 && olen > 0) {
            o->vendor_class = v;
            o->vendor_class_len = olen;
        } else if (code == 50 && olen == 4) {
            o->requested_ip = v;
        } else if (code == 53 && olen == 1) {
            o->message_type = v[0];
        }
        off += olen;
    }
}

/* Host name option values often end with NUL padding. */
static size_t strip_nuls(const uint8_t *v, size_t len)
{
    while (len && v[len - 1] == 0)
        len--;
    return len;
}

static void emit_client(struct passive *ps, const struct packet *pkt, const uint8_t *mac,
                        const uint8_t *addr, const char *signal, const uint8_t *v, size_t len)
{
    len = strip_nuls(v, len);
    if (len == 0)
        return;
    if (addr)
        passive_emit_at(ps, pkt, 4, addr, 0, signal, v, len);
    else
        passive_emit_for_mac(ps, pkt, mac, signal, v, len);
}

static void dissect_dhcp(struct passive *ps, const struct packet *pkt)
{
    const uint8_t *p = pkt->payload;
    size_t len = pkt->payload_len;
    if (len < BOOTP_FIXED + 4 || p[1] != 1 || p[2] != 6)
        return; /* not BOOTP over Ethernet */
    uint32_t cookie =
        (uint32_t)p[236] << 24 | (uint32_t)p[237] << 16 | (uint32_t)p[238] << 8 | p[239];
    if (cookie != DHCP_COOKIE)
        return;
    const uint8_t *mac = p + 28, *ciaddr = p + 12, *yiaddr = p + 16;
    struct dhcp_options o;
    read_options(p + 240, len - 240, &o);
    static const uint8_t zero[4];
    if (p[0] == 2) { /* server to client: an ACK binds yiaddr to the client */
        if (o.message_type == 5 && memcmp(yiaddr, zero, 4) != 0)
            passive_bind_mac(ps, pkt, 4, yiaddr, mac);
        return;
    }
    if (p[0] != 1)
        return;
    const uint8_t *addr = memcmp(ciaddr, zero, 4) != 0                             ? ciaddr
                          : o.requested_ip && memcmp(o.requested_ip, zero, 4) != 0 ? o.requested_ip
                                                                                   : NULL;
    if (addr)
        passive_bind_mac(ps, pkt, 4, addr, mac);
    else {
        char text[18];
        packet_format_mac(mac, text);
        passive_emit_for_mac(ps, pkt, mac, "mac", text, strlen(text));
    }
    if (o.hostname)
        emit_client(ps, pkt, mac, addr, "dhcp.hostname", o.hostname, o.hostname_len);
    if (o.vendor_class)
        emit_client(ps, pkt, mac, addr, "dhcp.vendor_class", o.vendor_class, o.vendor_class_len);
}

const struct dissector dissector_dhcp = {
    .name = "dhcp", .l4 = L4_UDP, .ports = {67, 68}, .dissect = dissect_dhcp};
