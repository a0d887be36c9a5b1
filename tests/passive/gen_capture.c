/* gen_capture.c — writes synthetic packet captures with libpcap's dump
 * functions, for the passive tests and benchmark (nothing is downloaded,
 * nothing is sent on a network).
 *
 *   gen_capture scene OUT.pcap [--link en10mb|vlan|qinq|sll|sll2|raw]
 *                              [--expect EXPECT.jsonl]
 *       one of each message every passive dissector reads (cameras of
 *       several makers, phone-home lookups, IPv4 and IPv6), and with
 *       --expect the observations camaudit should make of them, one JSON
 *       object {"ip","signal","value"} per line.
 *   gen_capture bench OUT.pcap --size BYTES [--hosts N]
 *       mixed traffic of about BYTES: camera video (RTP over UDP, RTSP over
 *       TCP), HTTPS bulk transfer and, woven in, the chatter of N cameras
 *       (DNS, DHCP, ARP, TLS ClientHello, HTTP, SSDP, SADP, DHIP, ONVIF). */
#include <arpa/inet.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FRAME_MAX 70000
#define LINKTYPE_VLAN (-1000) /* Ethernet with one 802.1Q tag */
#define LINKTYPE_QINQ (-1001) /* Ethernet with 802.1ad + 802.1Q tags */

struct gen {
    pcap_t *dead;
    pcap_dumper_t *dump;
    int link; /* DLT_* or one of the LINKTYPE_ tags above */
    double t;
    FILE *expect;
    uint64_t bytes;
};

struct host {
    const char *ip;
    uint8_t mac[6];
};

static const uint8_t broadcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static bool is_v6(const char *ip)
{
    return strchr(ip, ':') != NULL;
}

/* Writes one frame carrying l3 (of the given ethertype) on g's link type. */
static void frame_out(struct gen *g, const uint8_t *src_mac, const uint8_t *dst_mac,
                      uint16_t ethertype, const uint8_t *l3, size_t l3_len)
{
    static uint8_t frame[FRAME_MAX];
    size_t off = 0;
    int link = g->link;
    if (link == DLT_EN10MB || link == LINKTYPE_VLAN || link == LINKTYPE_QINQ) {
        memcpy(frame, dst_mac, 6);
        memcpy(frame + 6, src_mac, 6);
        off = 12;
        if (link == LINKTYPE_QINQ) {
            put16(frame + off, 0x88a8);
            put16(frame + off + 2, 100);
            off += 4;
        }
        if (link != DLT_EN10MB) {
            put16(frame + off, 0x8100);
            put16(frame + off + 2, 20);
            off += 4;
        }
        put16(frame + off, ethertype);
        off += 2;
    } else if (link == DLT_LINUX_SLL) {
        memset(frame, 0, 16);
        put16(frame, 0); /* sent to us */
        put16(frame + 2, 1);
        put16(frame + 4, 6);
        memcpy(frame + 6, src_mac, 6);
        put16(frame + 14, ethertype);
        off = 16;
    } else if (link == DLT_LINUX_SLL2) {
        memset(frame, 0, 20);
        put16(frame, ethertype);
        put32(frame + 4, 2); /* interface index */
        put16(frame + 8, 1);
        frame[10] = 0;
        frame[11] = 6;
        memcpy(frame + 12, src_mac, 6);
        off = 20;
    } else if (link == DLT_RAW) {
        if (ethertype != 0x0800 && ethertype != 0x86dd)
            return; /* raw IP cannot carry ARP */
    }
    if (off + l3_len > FRAME_MAX)
        l3_len = FRAME_MAX - off;
    memcpy(frame + off, l3, l3_len);
    struct pcap_pkthdr h;
    g->t += 0.000731;
    h.ts.tv_sec = (time_t)g->t;
    h.ts.tv_usec = (suseconds_t)((g->t - (double)h.ts.tv_sec) * 1e6);
    h.caplen = h.len = (bpf_u_int32)(off + l3_len);
    pcap_dump((u_char *)g->dump, &h, frame);
    g->bytes += 16 + off + l3_len;
}

static size_t build_ip(const char *src, const char *dst, uint8_t proto, const uint8_t *l4,
                       size_t l4_len, uint8_t *out, uint16_t *ethertype)
{
    if (is_v6(src)) {
        memset(out, 0, 40);
        out[0] = 0x60;
        put16(out + 4, (uint16_t)l4_len);
        out[6] = proto;
        out[7] = 64;
        inet_pton(AF_INET6, src, out + 8);
        inet_pton(AF_INET6, dst, out + 24);
        memcpy(out + 40, l4, l4_len);
        *ethertype = 0x86dd;
        return 40 + l4_len;
    }
    memset(out, 0, 20);
    out[0] = 0x45;
    put16(out + 2, (uint16_t)(20 + l4_len));
    out[8] = 64;
    out[9] = proto;
    inet_pton(AF_INET, src, out + 12);
    inet_pton(AF_INET, dst, out + 16);
    memcpy(out + 20, l4, l4_len);
    *ethertype = 0x0800;
    return 20 + l4_len;
}

static void send_udp(struct gen *g, const struct host *a, const struct host *b, const uint8_t *dmac,
                     uint16_t sport, uint16_t dport, const void *payload, size_t len)
{
    static uint8_t l4[FRAME_MAX], l3[FRAME_MAX];
    if (len > FRAME_MAX - 200)
        len = FRAME_MAX - 200;
    put16(l4, sport);
    put16(l4 + 2, dport);
    put16(l4 + 4, (uint16_t)(8 + len));
    put16(l4 + 6, 0);
    memcpy(l4 + 8, payload, len);
    uint16_t et;
    size_t n = build_ip(a->ip, b->ip, 17, l4, 8 + len, l3, &et);
    frame_out(g, a->mac, dmac ? dmac : b->mac, et, l3, n);
}

static void send_tcp(struct gen *g, const struct host *a, const struct host *b, uint16_t sport,
                     uint16_t dport, uint32_t seq, const void *payload, size_t len)
{
    static uint8_t l4[FRAME_MAX], l3[FRAME_MAX];
    if (len > FRAME_MAX - 200)
        len = FRAME_MAX - 200;
    memset(l4, 0, 20);
    put16(l4, sport);
    put16(l4 + 2, dport);
    put32(l4 + 4, seq);
    l4[12] = 5 << 4;
    l4[13] = 0x18; /* PSH ACK */
    put16(l4 + 14, 65535);
    memcpy(l4 + 20, payload, len);
    uint16_t et;
    size_t n = build_ip(a->ip, b->ip, 6, l4, 20 + len, l3, &et);
    frame_out(g, a->mac, b->mac, et, l3, n);
}

/* Sends data as TCP segments of at most mss bytes. */
static void send_tcp_stream(struct gen *g, const struct host *a, const struct host *b,
                            uint16_t sport, uint16_t dport, const uint8_t *data, size_t len,
                            size_t mss)
{
    uint32_t seq = 1000;
    for (size_t off = 0; off < len; off += mss) {
        size_t n = len - off < mss ? len - off : mss;
        send_tcp(g, a, b, sport, dport, seq, data + off, n);
        seq += (uint32_t)n;
    }
}

static void expect(struct gen *g, const char *ip, const char *signal, const char *value)
{
    if (!g->expect)
        return;
    json_t *j = json_pack("{s:s, s:s, s:s}", "ip", ip, "signal", signal, "value", value);
    char *text = json_dumps(j, JSON_COMPACT);
    fprintf(g->expect, "%s\n", text);
    free(text);
    json_decref(j);
}

static void send_arp(struct gen *g, const struct host *h, const char *target_ip)
{
    uint8_t a[28] = {0, 1, 8, 0, 6, 4, 0, 1};
    memcpy(a + 8, h->mac, 6);
    inet_pton(AF_INET, h->ip, a + 14);
    inet_pton(AF_INET, target_ip, a + 24);
    frame_out(g, h->mac, broadcast_mac, 0x0806, a, sizeof a);
}

static size_t dhcp_option(uint8_t *p, uint8_t code, const void *v, size_t len)
{
    p[0] = code;
    p[1] = (uint8_t)len;
    memcpy(p + 2, v, len);
    return 2 + len;
}

/* A DHCP client message (op 1) or server ACK (op 2). */
static void send_dhcp(struct gen *g, const struct host *client, const struct host *server, int op,
                      uint8_t msg_type, const char *ciaddr, const char *yiaddr,
                      const char *hostname, const char *vendor_class)
{
    uint8_t p[548];
    memset(p, 0, sizeof p);
    p[0] = (uint8_t)op;
    p[1] = 1;
    p[2] = 6;
    put32(p + 4, 0x3903f326);
    if (ciaddr)
        inet_pton(AF_INET, ciaddr, p + 12);
    if (yiaddr)
        inet_pton(AF_INET, yiaddr, p + 16);
    memcpy(p + 28, client->mac, 6);
    put32(p + 236, 0x63825363);
    size_t off = 240;
    off += dhcp_option(p + off, 53, &msg_type, 1);
    if (hostname)
        off += dhcp_option(p + off, 12, hostname, strlen(hostname));
    if (vendor_class)
        off += dhcp_option(p + off, 60, vendor_class, strlen(vendor_class));
    p[off++] = 255;
    struct host zero = {"0.0.0.0", {0}};
    struct host bcast = {"255.255.255.255", {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};
    memcpy(zero.mac, client->mac, 6);
    if (op == 1)
        send_udp(g, ciaddr ? client : &zero, &bcast, broadcast_mac, 68, 67, p, sizeof p);
    else
        send_udp(g, server, &bcast, broadcast_mac, 67, 68, p, sizeof p);
}

static size_t dns_message(uint8_t *p, uint16_t id, bool response, const char *name, uint16_t qtype)
{
    memset(p, 0, 12);
    put16(p, id);
    p[2] = response ? 0x81 : 0x01;
    p[3] = response ? 0x80 : 0x00;
    put16(p + 4, 1);
    put16(p + 6, response ? 1 : 0);
    size_t off = 12;
    const char *label = name;
    while (*label) {
        const char *dot = strchr(label, '.');
        size_t n = dot ? (size_t)(dot - label) : strlen(label);
        p[off++] = (uint8_t)n;
        memcpy(p + off, label, n);
        off += n;
        label += n + (dot ? 1 : 0);
    }
    p[off++] = 0;
    put16(p + off, qtype);
    put16(p + off + 2, 1);
    off += 4;
    if (response) {
        const uint8_t answer[] = {0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 203, 0, 113, 77};
        memcpy(p + off, answer, sizeof answer);
        off += sizeof answer;
    }
    return off;
}

static void send_dns(struct gen *g, const struct host *client, const struct host *server,
                     const char *name, bool query, bool answer)
{
    uint8_t p[600];
    uint16_t qtype = is_v6(client->ip) ? 28 : 1;
    if (query)
        send_udp(g, client, server, NULL, 40000, 53, p, dns_message(p, 0x1234, false, name, qtype));
    if (answer)
        send_udp(g, server, client, NULL, 53, 40000, p, dns_message(p, 0x1234, true, name, qtype));
}

static size_t client_hello(uint8_t *p, const char *sni)
{
    size_t n = strlen(sni), off = 0;
    uint8_t body[1024];
    size_t b = 0;
    put16(body, 0x0303);
    b = 2;
    for (int i = 0; i < 32; i++)
        body[b++] = (uint8_t)(i * 7);
    body[b++] = 0; /* session id */
    put16(body + b, 4);
    put16(body + b + 2, 0xc02f);
    put16(body + b + 4, 0x1301);
    b += 6;
    body[b++] = 1;
    body[b++] = 0;
    size_t ext_start = b;
    b += 2;
    put16(body + b, 0x000b); /* ec_point_formats first, SNI second */
    put16(body + b + 2, 2);
    body[b + 4] = 1;
    body[b + 5] = 0;
    b += 6;
    put16(body + b, 0);
    put16(body + b + 2, (uint16_t)(n + 5));
    put16(body + b + 4, (uint16_t)(n + 3));
    body[b + 6] = 0;
    put16(body + b + 7, (uint16_t)n);
    memcpy(body + b + 9, sni, n);
    b += 9 + n;
    put16(body + ext_start, (uint16_t)(b - ext_start - 2));
    p[off++] = 22;
    put16(p + off, 0x0301);
    put16(p + off + 2, (uint16_t)(b + 4));
    off += 4;
    p[off++] = 1;
    p[off++] = 0;
    put16(p + off, (uint16_t)b);
    off += 2;
    memcpy(p + off, body, b);
    return off + b;
}

/* DER of a self-signed certificate with subject = issuer = C, O, CN. */
static size_t make_certificate(uint8_t *out, size_t cap, const char *c, const char *o,
                               const char *cn)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 4242);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600L * 24 * 365);
    X509_NAME *name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, (const unsigned char *)c, -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)o, -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509_set_pubkey(x, key);
    X509_sign(x, key, EVP_sha256());
    int n = i2d_X509(x, NULL);
    size_t len = 0;
    if (n > 0 && (size_t)n <= cap) {
        uint8_t *p = out;
        len = (size_t)i2d_X509(x, &p);
    }
    X509_free(x);
    EVP_PKEY_free(key);
    return len;
}

/* ServerHello + Certificate + ServerHelloDone records, as a server sends. */
static size_t server_flight(uint8_t *p, const uint8_t *der, size_t der_len)
{
    size_t off = 0;
    uint8_t hello[70] = {2, 0, 0, 70 - 4, 3, 3};
    hello[38] = 0;             /* session id length */
    put16(hello + 39, 0xc02f); /* cipher */
    hello[41] = 0;             /* compression */
    size_t hello_len = 42;
    hello[3] = (uint8_t)(hello_len - 4);
    p[off++] = 22;
    put16(p + off, 0x0303);
    put16(p + off + 2, (uint16_t)hello_len);
    off += 4;
    memcpy(p + off, hello, hello_len);
    off += hello_len;
    size_t cert_msg = 4 + 3 + 3 + der_len;
    p[off++] = 22;
    put16(p + off, 0x0303);
    put16(p + off + 2, (uint16_t)cert_msg);
    off += 4;
    p[off] = 11;
    p[off + 1] = (uint8_t)((cert_msg - 4) >> 16);
    put16(p + off + 2, (uint16_t)(cert_msg - 4));
    p[off + 4] = (uint8_t)((der_len + 3) >> 16);
    put16(p + off + 5, (uint16_t)(der_len + 3));
    p[off + 7] = (uint8_t)(der_len >> 16);
    put16(p + off + 8, (uint16_t)der_len);
    memcpy(p + off + 10, der, der_len);
    off += 10 + der_len;
    const uint8_t done[] = {22, 3, 3, 0, 4, 14, 0, 0, 0};
    memcpy(p + off, done, sizeof done);
    return off + sizeof done;
}

static const char sadp_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ProbeMatch><Uuid>5C2D1E7A-1B44-4E39-9A47-"
    "0F5D3C2B1A09</Uuid><Types>inquiry</Types><DeviceType>141945</DeviceType>"
    "<DeviceDescription>DS-2CD2385G1-I</DeviceDescription><DeviceSN>DS-2CD2385G1-"
    "I20200414AAWRE33842150</DeviceSN><CommandPort>8000</CommandPort><HttpPort>80</HttpPort>"
    "<MAC>58-50-ed-1f-e3-85</MAC><IPv4Address>192.168.1.64</IPv4Address><SoftwareVersion>"
    "V5.6.2build 190701</SoftwareVersion><Activated>true</Activated></ProbeMatch>";

static const char dhip_json[] =
    "{\"mac\":\"08:ed:ed:87:42:7a\",\"method\":\"client.notifyDevInfo\",\"params\":{"
    "\"deviceInfo\":{\"DeviceClass\":\"IPC\",\"DeviceType\":\"IPC-HDW1431T1-S4\",\"SerialNo\":"
    "\"6C01E93PAG69A7D\",\"Vendor\":\"Private\",\"Version\":\"2.800.0000000.13.R\"}}}";

static const char xm_json[] =
    "{ \"NetWork.NetCommon\" : { \"HostIP\" : \"0x0A01A8C0\", \"HostName\" : \"camera_743c\", "
    "\"MAC\" : \"00:12:41:2f:74:3c\", \"SN\" : \"0fa3b4c5d6e7f809\", \"TCPPort\" : 34567, "
    "\"Version\" : \"V5.00.R02.00030747.10010.349f17.0000000\" }, \"Ret\" : 100, "
    "\"SessionID\" : \"0x00000000\" }";

static const char onvif_scopes[] =
    "onvif://www.onvif.org/type/video_encoder onvif://www.onvif.org/hardware/IPC-HFW2228M-I1-V2 "
    "onvif://www.onvif.org/name/Dahua onvif://www.onvif.org/location/country/china";

static void send_dhip(struct gen *g, const struct host *cam, const struct host *to)
{
    uint8_t p[1024] = {0x20, 0, 0, 0, 'D', 'H', 'I', 'P'};
    size_t n = strlen(dhip_json);
    put_le32(p + 16, (uint32_t)n);
    put_le32(p + 24, (uint32_t)n);
    memcpy(p + 32, dhip_json, n);
    p[32 + n] = '\n';
    send_udp(g, cam, to, NULL, 37810, 37810, p, 33 + n);
}

static void send_xm(struct gen *g, const struct host *cam, const struct host *to)
{
    uint8_t p[1024] = {0xff, 1};
    size_t n = strlen(xm_json);
    p[14] = 1531 & 0xff;
    p[15] = 1531 >> 8;
    put_le32(p + 16, (uint32_t)n + 2);
    memcpy(p + 20, xm_json, n);
    p[20 + n] = '\n';
    p[21 + n] = 0;
    send_udp(g, cam, to, NULL, 34569, 34569, p, 22 + n);
}

static void send_onvif_hello(struct gen *g, const struct host *cam, const struct host *group)
{
    char xml[2048];
    int n =
        snprintf(xml, sizeof xml,
                 "<?xml version=\"1.0\" encoding=\"utf-8\"?><s:Envelope "
                 "xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
                 "xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\" "
                 "xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\"><s:Header>"
                 "<a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/Hello</a:Action>"
                 "</s:Header><s:Body><d:Hello><d:Types>dn:NetworkVideoTransmitter</d:Types>"
                 "<d:Scopes>%s</d:Scopes><d:XAddrs>http://%s%s%s/onvif/device_service</d:XAddrs>"
                 "</d:Hello></s:Body></s:Envelope>",
                 onvif_scopes, is_v6(cam->ip) ? "[" : "", cam->ip, is_v6(cam->ip) ? "]" : "");
    send_udp(g, cam, group, NULL, 3702, 3702, xml, (size_t)n);
}

static void send_text_udp(struct gen *g, const struct host *a, const struct host *b, uint16_t sport,
                          uint16_t dport, const char *text)
{
    send_udp(g, a, b, NULL, sport, dport, text, strlen(text));
}

static void send_text_tcp(struct gen *g, const struct host *a, const struct host *b, uint16_t sport,
                          uint16_t dport, const char *text)
{
    send_tcp(g, a, b, sport, dport, 1, text, strlen(text));
}

static const char ssdp_notify[] = "NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
                                  "CACHE-CONTROL: max-age=1800\r\nLOCATION: http://"
                                  "192.168.1.108:49152/rootDesc.xml\r\nNT: upnp:rootdevice\r\n"
                                  "NTS: ssdp:alive\r\nSERVER: Linux/3.10 UPnP/1.0 DH-UPnP/1.0\r\n"
                                  "USN: uuid:0001::upnp:rootdevice\r\n\r\n";
static const char http_hik[] = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nServer: App-webs/\r\n"
                               "Content-Length: 120\r\n\r\n<!DOCTYPE html><html><head>"
                               "<title> Hikvision Web Login </title></head><body></body></html>";
/* A response split across segments: its title only in a later one. */
static const char http_dahua[] =
    "HTTP/1.1 200 OK\r\nServer: Webs\r\nContent-Type: text/html\r\n\r\n"
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\">"
    "<title>WEB SERVICE</title></head><body></body></html>";
/* A response the capture cuts short (its Content-Length is never reached). */
static const char http_xm_cut[] = "HTTP/1.1 200 OK\r\nContent-Length: 900\r\nServer: uc-httpd "
                                  "1.0.0\r\n\r\n<html><head><title>NETSurveillance WEB</title>";
static const char http_get[] = "GET /doc/page/login.asp HTTP/1.1\r\nHost: 192.168.1.64\r\n"
                               "User-Agent: Mozilla/5.0\r\nAccept: */*\r\n\r\n";
static const char rtsp_401[] = "RTSP/1.0 401 Unauthorized\r\nCSeq: 2\r\nServer: Rtsp "
                               "Server/3.0\r\nWWW-Authenticate: Digest realm=\"Login to "
                               "6C01E93PAG69A7D\", nonce=\"a1b2c3\"\r\n\r\n";

static struct host hik = {"192.168.1.64", {0x58, 0x50, 0xed, 0x1f, 0xe3, 0x85}};
static struct host dahua = {"192.168.1.108", {0x08, 0xed, 0xed, 0x87, 0x42, 0x7a}};
static struct host xm = {"192.168.1.10", {0x00, 0x12, 0x41, 0x2f, 0x74, 0x3c}};
static struct host dahua6 = {"2001:db8::108", {0x3c, 0xef, 0x8c, 0x01, 0x02, 0x03}};
static struct host desk = {"192.168.1.20", {0x02, 0x00, 0x00, 0x00, 0x00, 0x20}};
static struct host router = {"192.168.1.1", {0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};
static struct host router6 = {"2001:db8::1", {0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};
static struct host cloud = {"203.0.113.77", {0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};
static struct host group = {"239.255.255.250", {0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa}};

static void scene(struct gen *g)
{
    bool l2 = g->link != DLT_RAW;
    /* ARP: each camera's MAC. */
    send_arp(g, &hik, "192.168.1.1");
    send_arp(g, &xm, "192.168.1.1");
    if (l2) {
        expect(g, hik.ip, "mac", "58:50:ed:1f:e3:85");
        expect(g, xm.ip, "mac", "00:12:41:2f:74:3c");
    }
    /* DHCP: the Dahua camera asks before it has an address, the ACK binds. */
    send_dhcp(g, &dahua, &router, 1, 3, NULL, NULL, "IPC-HDW1431T1-S4", "udhcp 1.20.2");
    send_dhcp(g, &dahua, &router, 2, 5, NULL, dahua.ip, NULL, NULL);
    send_dhcp(g, &hik, &router, 1, 3, hik.ip, NULL, "HIKVISION", "dhcpcd-5.5.6");
    expect(g, dahua.ip, "dhcp.hostname", "IPC-HDW1431T1-S4");
    expect(g, dahua.ip, "dhcp.vendor_class", "udhcp 1.20.2");
    expect(g, dahua.ip, "mac", "08:ed:ed:87:42:7a");
    expect(g, hik.ip, "dhcp.hostname", "HIKVISION");
    expect(g, hik.ip, "dhcp.vendor_class", "dhcpcd-5.5.6");
    /* DNS: a query and its answer; an answer whose query was not captured. */
    send_dns(g, &hik, &router, "litedev.hik-connect.com", true, true);
    send_dns(g, &xm, &router, "pub-cfg.secu100.net", false, true);
    send_dns(g, &desk, &router, "77.113.0.203.in-addr.arpa", true, false);
    send_dns(g, &dahua6, &router6, "www.easy4ipcloud.com", true, false);
    expect(g, hik.ip, "dns.query", "litedev.hik-connect.com");
    expect(g, xm.ip, "dns.query", "pub-cfg.secu100.net");
    expect(g, dahua6.ip, "dns.query", "www.easy4ipcloud.com");
    /* DNS over TCP: the same message behind its 2-byte length. */
    uint8_t dns_tcp[602];
    size_t dns_len = dns_message(dns_tcp + 2, 0x4321, false, "www.easy4ipcloud.com", 1);
    put16(dns_tcp, (uint16_t)dns_len);
    send_tcp(g, &dahua, &router, 40001, 53, 1, dns_tcp, dns_len + 2);
    expect(g, dahua.ip, "dns.query", "www.easy4ipcloud.com");
    /* TLS: the camera's ClientHello to its cloud; its own HTTPS certificate,
     * the server flight cut into 536-byte segments. */
    uint8_t buf[8192];
    send_tcp(g, &hik, &cloud, 51000, 443, 1, buf, client_hello(buf, "litedev.hik-connect.com"));
    expect(g, hik.ip, "tls.sni", "litedev.hik-connect.com");
    uint8_t der[4096];
    size_t der_len = make_certificate(der, sizeof der, "CN", "Hikvision", "DS-2CD2385G1-I");
    uint8_t flight[8192];
    send_tcp_stream(g, &hik, &desk, 443, 52000, flight, server_flight(flight, der, der_len), 200);
    expect(g, hik.ip, "tls.subject", "CN=DS-2CD2385G1-I,O=Hikvision,C=CN");
    expect(g, hik.ip, "tls.issuer", "CN=DS-2CD2385G1-I,O=Hikvision,C=CN");
    /* HTTP request and response, RTSP answer. */
    send_text_tcp(g, &desk, &hik, 52001, 80, http_get);
    send_text_tcp(g, &hik, &desk, 80, 52001, http_hik);
    expect(g, desk.ip, "http.host", "192.168.1.64");
    expect(g, hik.ip, "http.server", "App-webs/");
    expect(g, hik.ip, "http.title", "Hikvision Web Login");
    send_tcp_stream(g, &dahua, &desk, 80, 52003, (const uint8_t *)http_dahua, sizeof http_dahua - 1,
                    48);
    expect(g, dahua.ip, "http.server", "Webs");
    expect(g, dahua.ip, "http.title", "WEB SERVICE");
    send_text_tcp(g, &dahua, &desk, 554, 52002, rtsp_401);
    expect(g, dahua.ip, "rtsp.server", "Rtsp Server/3.0");
    expect(g, dahua.ip, "rtsp.www_authenticate",
           "Digest realm=\"Login to 6C01E93PAG69A7D\", nonce=\"a1b2c3\"");
    /* Discovery chatter. */
    send_text_udp(g, &dahua, &group, 1900, 1900, ssdp_notify);
    expect(g, dahua.ip, "ssdp.server", "Linux/3.10 UPnP/1.0 DH-UPnP/1.0");
    expect(g, dahua.ip, "ssdp.usn", "uuid:0001::upnp:rootdevice");
    send_text_udp(g, &hik, &group, 37020, 37020, sadp_xml);
    expect(g, hik.ip, "sadp", sadp_xml);
    send_dhip(g, &dahua, &group);
    expect(g, dahua.ip, "dhip", dhip_json);
    send_xm(g, &xm, &group);
    expect(g, xm.ip, "dvrip.search", xm_json);
    /* A response never finished in the capture (its flow is still followed
     * when the capture ends) is read then. */
    send_tcp_stream(g, &xm, &desk, 80, 52004, (const uint8_t *)http_xm_cut, sizeof http_xm_cut - 1,
                    40);
    expect(g, xm.ip, "http.server", "uc-httpd 1.0.0");
    expect(g, xm.ip, "http.title", "NETSurveillance WEB");
    send_onvif_hello(g, &dahua6, &(struct host){"ff02::c", {0x33, 0x33, 0, 0, 0, 0x0c}});
    expect(g, dahua6.ip, "onvif.scopes", onvif_scopes);
    expect(g, dahua6.ip, "onvif.xaddrs", "http://[2001:db8::108]/onvif/device_service");
}

/* Bench traffic: mostly video and bulk, with camera chatter woven in. */
static void bench(struct gen *g, uint64_t size, unsigned hosts)
{
    static uint8_t video[1400];
    for (size_t i = 0; i < sizeof video; i++)
        video[i] = (uint8_t)(i * 31 + 7);
    video[0] = 0x80; /* RTP v2 */
    video[1] = 96;
    struct host nvr = {"10.0.0.2", {0x02, 0, 0, 0, 0, 2}};
    struct host dns = {"10.0.0.1", {0x02, 0, 0, 0, 0, 1}};
    struct host web = {"198.51.100.9", {0x02, 0, 0, 0, 0, 1}};
    static const char *const clouds[] = {
        "litedev.hik-connect.com", "www.easy4ipcloud.com", "pub-cfg.secu100.net",
        "ezcloud.uniview.com",     "time.ys7.com",         "ntp.ubuntu.com"};
    char ips[256][20];
    uint8_t buf[8192];
    uint64_t n = 0;
    uint32_t seq = 1;
    if (hosts > 256)
        hosts = 256;
    for (unsigned i = 0; i < hosts; i++)
        snprintf(ips[i], sizeof ips[i], "10.0.%u.%u", 1 + i / 250, 1 + i % 250);
    while (g->bytes < size) {
        unsigned i = (unsigned)(n % hosts);
        struct host cam = {ips[i], {0x58, 0x50, 0xed, 0, (uint8_t)(i >> 8), (uint8_t)i}};
        put32(video + 8, seq);
        if (n % 3 == 2) {
            send_tcp(g, &web, &nvr, 443, 50000, seq, video + 2, sizeof video - 2);
        } else if (n % 5 == 1) {
            uint8_t rtsp_frame[1404] = {'$', 0, 0x05, 0x78};
            memcpy(rtsp_frame + 4, video, sizeof video);
            send_tcp(g, &cam, &nvr, 554, 40000 + (uint16_t)i, seq, rtsp_frame, sizeof rtsp_frame);
        } else {
            send_udp(g, &cam, &nvr, NULL, 6970, 5000 + (uint16_t)i, video, sizeof video);
        }
        seq += 1400;
        if (n % 50 == 0) {
            /* Every camera chatters in turn, a different message each round. */
            uint64_t k = n / 50;
            unsigned c = (unsigned)(k % hosts);
            uint64_t kind = k / hosts + c;
            cam.ip = ips[c];
            cam.mac[4] = (uint8_t)(c >> 8);
            cam.mac[5] = (uint8_t)c;
            const char *name = clouds[kind % 6];
            switch (kind % 10) {
            case 0:
                send_dns(g, &cam, &dns, name, true, true);
                break;
            case 1:
                send_tcp(g, &cam, &web, 51000, 443, 1, buf, client_hello(buf, name));
                break;
            case 2:
                send_dhcp(g, &cam, &dns, 1, 3, cam.ip, NULL, "IPC", "udhcp 1.20.2");
                break;
            case 3:
                send_text_tcp(g, &cam, &nvr, 80, 51001, http_hik);
                break;
            case 4:
                send_text_udp(g, &cam, &group, 1900, 1900, ssdp_notify);
                break;
            case 5:
                send_text_udp(g, &cam, &group, 37020, 37020, sadp_xml);
                break;
            case 6:
                send_dhip(g, &cam, &group);
                break;
            case 7:
                send_arp(g, &cam, "10.0.0.1");
                break;
            case 8:
                send_text_tcp(g, &cam, &nvr, 554, 51002, rtsp_401);
                break;
            default:
                send_onvif_hello(g, &cam, &group);
                break;
            }
        }
        n++;
    }
}

static int link_from_name(const char *name)
{
    static const struct {
        const char *name;
        int dlt;
    } links[] = {{"en10mb", DLT_EN10MB}, {"vlan", LINKTYPE_VLAN},  {"qinq", LINKTYPE_QINQ},
                 {"sll", DLT_LINUX_SLL}, {"sll2", DLT_LINUX_SLL2}, {"raw", DLT_RAW}};
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
        if (strcmp(name, links[i].name) == 0)
            return links[i].dlt;
    return -1;
}

static int usage(void)
{
    fprintf(stderr, "usage: gen_capture scene OUT.pcap [--link en10mb|vlan|qinq|sll|sll2|raw] "
                    "[--expect FILE]\n       gen_capture bench OUT.pcap --size BYTES "
                    "[--hosts N]\n");
    return 2;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return usage();
    struct gen g = {.link = DLT_EN10MB, .t = 1795000000.0};
    uint64_t size = 0;
    unsigned hosts = 200;
    const char *expect_path = NULL;
    for (int i = 3; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--link") == 0 && (g.link = link_from_name(argv[i + 1])) == -1)
            return usage();
        else if (strcmp(argv[i], "--expect") == 0)
            expect_path = argv[i + 1];
        else if (strcmp(argv[i], "--size") == 0)
            size = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--hosts") == 0)
            hosts = (unsigned)strtoul(argv[i + 1], NULL, 10);
    }
    int dlt = g.link == LINKTYPE_VLAN || g.link == LINKTYPE_QINQ ? DLT_EN10MB : g.link;
    g.dead = pcap_open_dead(dlt, 65535);
    g.dump = pcap_dump_open(g.dead, argv[2]);
    if (!g.dump) {
        fprintf(stderr, "gen_capture: cannot write '%s': %s\n", argv[2], pcap_geterr(g.dead));
        return 1;
    }
    if (expect_path && !(g.expect = fopen(expect_path, "w"))) {
        perror(expect_path);
        return 1;
    }
    if (strcmp(argv[1], "scene") == 0)
        scene(&g);
    else if (strcmp(argv[1], "bench") == 0 && size > 0 && hosts > 0)
        bench(&g, size, hosts);
    else
        return usage();
    pcap_dump_close(g.dump);
    pcap_close(g.dead);
    if (g.expect)
        fclose(g.expect);
    return 0;
}
