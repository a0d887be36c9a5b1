/* packet.h — one captured frame decoded down to its transport payload: the
 * link layers camaudit understands (Ethernet with 802.1Q/QinQ tags, Linux
 * cooked SLL and SLL2, raw IP, BSD loopback), IPv4 and IPv6, UDP and TCP.
 * Decoding only points into the frame; it copies nothing and trusts no
 * length field beyond the captured bytes. */
#ifndef CAMAUDIT_PASSIVE_PACKET_H
#define CAMAUDIT_PASSIVE_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum packet_l4 { L4_NONE = 0, L4_TCP = 6, L4_UDP = 17 };

struct packet {
    double time;
    bool has_mac;
    uint8_t src_mac[6], dst_mac[6];
    uint16_t ethertype; /* of the innermost layer-2 header */
    const uint8_t *l3;  /* network layer (ARP, SADP L2, IP...) */
    size_t l3_len;
    int family;                     /* 4, 6 or 0 when not IP */
    uint8_t src_ip[16], dst_ip[16]; /* IPv4 uses the first 4 bytes */
    enum packet_l4 l4;
    uint16_t sport, dport;
    uint32_t tcp_seq;
    uint8_t tcp_flags;
    const uint8_t *payload; /* transport payload (bounded by the capture) */
    size_t payload_len;
};

#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_RST 0x04

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_SADP 0x8033
#define ETHERTYPE_IPV6 0x86dd

/* Decodes one frame of the given pcap link type (DLT_*). Returns 0 when the
 * frame was understood at least to its network layer, -1 when the link type
 * is unknown or the frame is too short for its own headers. */
int packet_decode(int linktype, const uint8_t *frame, size_t caplen, double time,
                  struct packet *pkt);

/* True when pcap link type linktype is one packet_decode understands. */
bool packet_linktype_supported(int linktype);

/* Formats an address of pkt (src when which == 0, dst otherwise) as text. */
void packet_format_ip(const struct packet *pkt, int which, char *buf, size_t size);
void packet_format_mac(const uint8_t mac[6], char buf[18]);

#endif
