/* discovery_responder.c — camlab's discovery answers (see
 * discovery_responder.h). One UDP socket per protocol the persona lists, a
 * TCP listener for the UPnP description when it lists SSDP, one poll loop.
 * Answers are templates from the persona with {{variables}} of the device.
 * The wire formats mirror src/discovery/ (research/protocols.md 1-3, 5.2, 6). */
#include "discovery_responder.h"

#include "core/util.h"
#include "discovery/discovery.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define RESP_SOCKETS_MAX 8
#define RESP_DATAGRAM_MAX 65536
#define RESP_TEMPLATE_MAX (64 * 1024)
#define UPNP_HTTP_PORT 49152
#define DHIP_HEADER_LEN 32
#define XM_HEADER_LEN 20

struct responder;
typedef void (*answer_fn)(struct responder *r, int fd, const uint8_t *req, size_t len,
                          const struct sockaddr_in *from);

struct resp_proto {
    const char *name; /* key in the persona section */
    uint16_t port;
    const char *group; /* multicast group to join, or NULL */
    answer_fn answer;
};

struct responder {
    const struct lab_discovery_identity *id;
    struct in_addr addr;
    uint32_t mask; /* host order */
    struct pollfd pfd[RESP_SOCKETS_MAX];
    const struct resp_proto *proto[RESP_SOCKETS_MAX]; /* NULL for the UPnP listener */
    size_t n;
    char self_uuid[64];    /* the device's stable WS-Discovery / UPnP id */
    char vars[20][2][128]; /* name, value */
    size_t n_vars;
};

/* ---- templates ---------------------------------------------------------- */

static void set_var(struct responder *r, const char *name, const char *value)
{
    for (size_t i = 0; i < r->n_vars; i++)
        if (strcmp(r->vars[i][0], name) == 0) {
            snprintf(r->vars[i][1], sizeof r->vars[i][1], "%s", value ? value : "");
            return;
        }
    if (r->n_vars < sizeof r->vars / sizeof r->vars[0]) {
        snprintf(r->vars[r->n_vars][0], sizeof r->vars[0][0], "%s", name);
        snprintf(r->vars[r->n_vars++][1], sizeof r->vars[0][1], "%s", value ? value : "");
    }
}

static void le_hex(uint32_t host_order, char *out, size_t size)
{
    /* Xiongmai writes 192.168.1.103 as "0x6701A8C0". */
    uint32_t b = host_order;
    uint32_t le = (b >> 24) | ((b >> 8) & 0xff00) | ((b << 8) & 0xff0000) | (b << 24);
    snprintf(out, size, "0x%08X", le);
}

/* Percent-encodes what cannot stand in a URI path segment (ONVIF scopes). */
static const char *uri_escape(const char *text, char *out, size_t size)
{
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p && o + 4 < size;
         p++) {
        if (*p <= ' ' || *p >= 0x7F || strchr("%/?#", *p))
            o += (size_t)snprintf(out + o, size - o, "%%%02X", *p);
        else
            out[o++] = (char)*p;
    }
    out[o] = '\0';
    return out;
}

static void set_identity_vars(struct responder *r)
{
    const struct lab_discovery_identity *id = r->id;
    const uint8_t *m = id->mac;
    char buf[128];
    set_var(r, "ip", id->ip);
    struct in_addr mask = {.s_addr = htonl(r->mask)};
    set_var(r, "mask", inet_ntop(AF_INET, &mask, buf, sizeof buf));
    set_var(r, "gateway", id->gateway ? id->gateway : "0.0.0.0");
    snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    set_var(r, "mac", buf);
    snprintf(buf, sizeof buf, "%02x-%02x-%02x-%02x-%02x-%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    set_var(r, "mac_dash", buf);
    snprintf(buf, sizeof buf, "%02X%02X%02X%02X%02X%02X", m[0], m[1], m[2], m[3], m[4], m[5]);
    set_var(r, "MAC_HEX", buf);
    snprintf(buf, sizeof buf, "%02x%02x%02x%02x%02x%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    set_var(r, "mac_hex", buf);
    le_hex(ntohl(r->addr.s_addr), buf, sizeof buf);
    set_var(r, "ip_lehex", buf);
    le_hex(r->mask, buf, sizeof buf);
    set_var(r, "mask_lehex", buf);
    struct in_addr gw = {0};
    if (id->gateway)
        inet_pton(AF_INET, id->gateway, &gw);
    le_hex(ntohl(gw.s_addr), buf, sizeof buf);
    set_var(r, "gateway_lehex", buf);
    set_var(r, "serial", id->serial);
    set_var(r, "model", id->model);
    set_var(r, "model_uri", uri_escape(id->model, buf, sizeof buf));
    set_var(r, "firmware", id->firmware);
    set_var(r, "manufacturer", id->manufacturer);
    set_var(r, "brand", id->brand);
    set_var(r, "uuid", "00000000-0000-0000-0000-000000000000");
}

/* Expands {{name}} in text (unknown names stay as written) into out. */
static size_t render(const struct responder *r, const char *text, char *out, size_t size)
{
    size_t o = 0;
    while (*text && o + 1 < size) {
        const char *end = strncmp(text, "{{", 2) == 0 ? strstr(text + 2, "}}") : NULL;
        if (end) {
            size_t nlen = (size_t)(end - text - 2);
            for (size_t i = 0; i < r->n_vars; i++)
                if (strlen(r->vars[i][0]) == nlen && strncmp(r->vars[i][0], text + 2, nlen) == 0) {
                    o += (size_t)snprintf(out + o, size - o, "%s", r->vars[i][1]);
                    if (o >= size)
                        o = size - 1;
                    text = end + 2;
                    goto next;
                }
        }
        out[o++] = *text++;
    next:;
    }
    out[o] = '\0';
    return o;
}

/* The persona text of key in the protocol object: inline or from key_file. */
static char *section_text(const struct responder *r, const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (s)
        return xstrdup(s);
    char file_key[64];
    snprintf(file_key, sizeof file_key, "%s_file", key);
    const char *file = json_string_value(json_object_get(obj, file_key));
    if (!file || strstr(file, ".."))
        return NULL;
    char *path = xasprintf("%s/%s", r->id->base_dir ? r->id->base_dir : ".", file);
    size_t len;
    char *text = file_read_all(path, RESP_TEMPLATE_MAX, &len);
    free(path);
    return text;
}

/* Renders key of the protocol's section into a new buffer (NULL if absent). */
static char *render_key(const struct responder *r, const char *proto, const char *key, size_t *len)
{
    char *text = section_text(r, json_object_get(r->id->section, proto), key);
    if (!text)
        return NULL;
    char *out = xmalloc(RESP_TEMPLATE_MAX);
    *len = render(r, text, out, RESP_TEMPLATE_MAX);
    free(text);
    return out;
}

/* ---- sending ------------------------------------------------------------ */

static void send_to(int fd, const void *buf, size_t len, const char *ip, uint16_t port)
{
    struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, ip, &dst.sin_addr);
    if (sendto(fd, buf, len, 0, (struct sockaddr *)&dst, sizeof dst) < 0)
        fprintf(stderr, "camlab: discovery: cannot answer %s:%u: %s\n", ip, port, strerror(errno));
}

static void reply(int fd, const void *buf, size_t len, const struct sockaddr_in *to)
{
    if (sendto(fd, buf, len, 0, (const struct sockaddr *)to, sizeof *to) < 0)
        fprintf(stderr, "camlab: discovery: cannot answer: %s\n", strerror(errno));
}

static bool same_subnet(const struct responder *r, struct in_addr other)
{
    return ((ntohl(other.s_addr) ^ ntohl(r->addr.s_addr)) & r->mask) == 0;
}

/* Copies the text of <tag>...</tag> (first one, any prefix) from xml. */
static void xml_tag_text(const char *xml, size_t len, const char *tag, char *out, size_t size)
{
    out[0] = '\0';
    char open[64];
    snprintf(open, sizeof open, "%s>", tag);
    const char *p = memmem(xml, len, open, strlen(open));
    if (!p)
        return;
    p += strlen(open);
    const char *end = memchr(p, '<', len - (size_t)(p - xml));
    if (end && (size_t)(end - p) < size) {
        memcpy(out, p, (size_t)(end - p));
        out[end - p] = '\0';
    }
}

static void answer_onvif(struct responder *r, int fd, const uint8_t *req, size_t len,
                         const struct sockaddr_in *from)
{
    if (!memmem(req, len, "Probe", 5) || memmem(req, len, "ProbeMatch", 10))
        return;
    char relates[128];
    xml_tag_text((const char *)req, len, "MessageID", relates, sizeof relates);
    size_t slen = 0, xlen = 0;
    char *scopes = render_key(r, "onvif", "scopes", &slen);
    char *xaddrs = render_key(r, "onvif", "xaddrs", &xlen);
    char *out = xmalloc(RESP_TEMPLATE_MAX);
    int n = snprintf(
        out, RESP_TEMPLATE_MAX,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        "<SOAP-ENV:Envelope xmlns:SOAP-ENV=\"http://www.w3.org/2003/05/soap-envelope\" "
        "xmlns:wsa=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" "
        "xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\" "
        "xmlns:dn=\"http://www.onvif.org/ver10/network/wsdl\" "
        "xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\"><SOAP-ENV:Header>"
        "<wsa:MessageID>uuid:%s</wsa:MessageID><wsa:RelatesTo>%s</wsa:RelatesTo>"
        "<wsa:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:To>"
        "<wsa:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</wsa:Action>"
        "</SOAP-ENV:Header><SOAP-ENV:Body><d:ProbeMatches><d:ProbeMatch>"
        "<wsa:EndpointReference><wsa:Address>urn:uuid:%s</wsa:Address></wsa:EndpointReference>"
        "<d:Types>dn:NetworkVideoTransmitter tds:Device</d:Types><d:Scopes>%s</d:Scopes>"
        "<d:XAddrs>%s</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion>"
        "</d:ProbeMatch></d:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>",
        r->self_uuid, relates, r->self_uuid, scopes ? scopes : "", xaddrs ? xaddrs : "");
    if (n > 0 && n < RESP_TEMPLATE_MAX)
        reply(fd, out, (size_t)n, from);
    free(out);
    free(scopes);
    free(xaddrs);
}

static void answer_sadp(struct responder *r, int fd, const uint8_t *req, size_t len,
                        const struct sockaddr_in *from)
{
    char types[32], uuid[64];
    xml_tag_text((const char *)req, len, "Types", types, sizeof types);
    if (strcmp(types, "inquiry") != 0 || !memmem(req, len, "<Probe>", 7))
        return; /* only the benign inquiry; never a state change */
    xml_tag_text((const char *)req, len, "Uuid", uuid, sizeof uuid);
    set_var(r, "uuid", uuid);
    size_t blen;
    char *body = render_key(r, "sadp", "body", &blen);
    if (body) /* Hikvision answers SADP by multicast: it works across subnets */
        send_to(fd, body, blen, "239.255.255.250", 37020);
    free(body);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void answer_dhip(struct responder *r, int fd, const uint8_t *req, size_t len,
                        const struct sockaddr_in *from)
{
    if (len <= DHIP_HEADER_LEN || memcmp(req + 4, "DHIP", 4) != 0 ||
        !memmem(req, len, "DHDiscover.search", 17))
        return;
    size_t blen;
    char *body = render_key(r, "dhip", "body", &blen);
    if (!body)
        return;
    uint8_t *pkt = xmalloc(DHIP_HEADER_LEN + blen);
    size_t plen = discovery_dhip_frame(body, blen, pkt, DHIP_HEADER_LEN + blen);
    if (same_subnet(r, from->sin_addr)) {
        reply(fd, pkt, plen, from);
    } else { /* the asker is unreachable by unicast: broadcast to its port */
        send_to(fd, pkt, plen, "255.255.255.255", ntohs(from->sin_port));
    }
    free(pkt);
    free(body);
}

static void put_ipv4(uint8_t *p, const char *text)
{
    struct in_addr a = {0};
    inet_pton(AF_INET, text, &a);
    memcpy(p, &a, 4); /* network order bytes */
}

static void answer_d5050(struct responder *r, int fd, const uint8_t *req, size_t len,
                         const struct sockaddr_in *from)
{
    if (len < 32 || req[0] != 0xa3)
        return;
    uint8_t pkt[512] = {0};
    pkt[0] = 0xb3;
    pkt[4] = 0x58;
    pkt[0x10] = 0x02;
    char model[128], text[256];
    render(r, "{{model}}", model, sizeof model);
    memcpy(pkt + 0x28, model, strnlen(model, 15));
    put_ipv4(pkt + 0x38, r->id->ip);
    char mask[32];
    render(r, "{{mask}}", mask, sizeof mask);
    put_ipv4(pkt + 0x3C, mask);
    put_ipv4(pkt + 0x40, r->id->gateway ? r->id->gateway : "0.0.0.0");
    size_t o = 0x78;
    char mac[32];
    render(r, "{{mac}}", mac, sizeof mac);
    memcpy(pkt + o, mac, 17);
    size_t s2 = 17 + (size_t)snprintf((char *)pkt + o + 17, 64, "%.40s", model);
    pkt[2] = (uint8_t)s2;
    o += s2;
    size_t tlen = render(r, "Name:{{brand}}\r\nDevice:{{model}}\r\nSerialNo:{{serial}}\r\n\r\n",
                         text, sizeof text);
    memcpy(pkt + o, text, tlen);
    pkt[0x14] = (uint8_t)tlen;
    send_to(fd, pkt, o + tlen, "255.255.255.255", 5050);
}

static void answer_xm(struct responder *r, int fd, const uint8_t *req, size_t len,
                      const struct sockaddr_in *from)
{
    if (len < XM_HEADER_LEN || req[0] != 0xff || (req[14] | req[15] << 8) != 1530)
        return;
    size_t blen;
    char *body = render_key(r, "xm", "body", &blen);
    if (!body)
        return;
    uint8_t *pkt = xmalloc(XM_HEADER_LEN + blen);
    memset(pkt, 0, XM_HEADER_LEN);
    pkt[0] = 0xff;
    pkt[1] = 0x01;
    pkt[14] = 1531 & 0xff;
    pkt[15] = 1531 >> 8;
    put_le32(pkt + 16, (uint32_t)blen);
    memcpy(pkt + XM_HEADER_LEN, body, blen);
    send_to(fd, pkt, XM_HEADER_LEN + blen, "255.255.255.255", 34569);
    free(pkt);
    free(body);
}

static void answer_ssdp(struct responder *r, int fd, const uint8_t *req, size_t len,
                        const struct sockaddr_in *from)
{
    if (len < 8 || memcmp(req, "M-SEARCH", 8) != 0)
        return;
    size_t slen;
    char *server = render_key(r, "ssdp", "server", &slen);
    /* A persona may point LOCATION elsewhere (the hostile one does). */
    size_t llen;
    char *location = render_key(r, "ssdp", "location", &llen);
    char own[128];
    snprintf(own, sizeof own, "http://%s:%d/rootDesc.xml", r->id->ip, UPNP_HTTP_PORT);
    char out[1024];
    int n = snprintf(out, sizeof out,
                     "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\n"
                     "LOCATION: %s\r\nSERVER: %s\r\n"
                     "ST: upnp:rootdevice\r\nUSN: uuid:%s::upnp:rootdevice\r\n\r\n",
                     location ? location : own, server ? server : "Linux UPnP/1.0 camlab/1.0",
                     r->self_uuid);
    free(server);
    free(location);
    if (n > 0 && (size_t)n < sizeof out)
        reply(fd, out, (size_t)n, from);
}

/* ---- mDNS --------------------------------------------------------------- */

static size_t dns_put_name(uint8_t *buf, size_t cap, size_t o, const char *name)
{
    while (*name) {
        size_t l = strcspn(name, ".");
        if (l == 0 || l > 63 || o + l + 2 > cap)
            return 0;
        buf[o++] = (uint8_t)l;
        memcpy(buf + o, name, l);
        o += l;
        name += l + (name[l] == '.');
    }
    buf[o++] = 0;
    return o;
}

static size_t dns_put_rr(uint8_t *buf, size_t cap, size_t o, const char *owner, uint16_t type,
                         const uint8_t *rdata, size_t rdlen)
{
    o = dns_put_name(buf, cap, o, owner);
    if (!o || o + 10 + rdlen > cap)
        return 0;
    uint8_t fixed[10] = {(uint8_t)(type >> 8),  (uint8_t)type, 0x80, 1, 0, 0, 0x11, 0x94,
                         (uint8_t)(rdlen >> 8), (uint8_t)rdlen};
    memcpy(buf + o, fixed, 10);
    memcpy(buf + o + 10, rdata, rdlen);
    return o + 10 + rdlen;
}

static void answer_mdns(struct responder *r, int fd, const uint8_t *req, size_t len,
                        const struct sockaddr_in *from)
{
    const json_t *m = json_object_get(r->id->section, "mdns");
    const char *service = json_string_value(json_object_get(m, "service"));
    if (len < 12 || (req[2] & 0x80) || !service)
        return;
    uint8_t wire[300];
    size_t wl = dns_put_name(wire, sizeof wire, 0, service);
    if (!wl || !memmem(req + 12, len - 12, wire, wl))
        return; /* not asking for our service type */
    size_t ilen;
    char *label = render_key(r, "mdns", "instance", &ilen);
    char instance[300], host[128];
    snprintf(instance, sizeof instance, "%.63s.%s", label ? label : "camera", service);
    render(r, "camlab-{{mac_hex}}.local", host, sizeof host);
    free(label);
    uint8_t pkt[1500], rd[600];
    memset(pkt, 0, 12);
    pkt[2] = 0x84; /* response, authoritative */
    pkt[7] = 4;
    size_t o = 12, rl = dns_put_name(rd, sizeof rd, 0, instance);
    o = rl ? dns_put_rr(pkt, sizeof pkt, o, service, 12, rd, rl) : 0;
    rl = 0;
    const json_t *txt = json_object_get(m, "txt");
    for (size_t i = 0; i < json_array_size(txt); i++) {
        char item[256];
        const char *t = json_string_value(json_array_get(txt, i));
        size_t tl = t ? render(r, t, item, sizeof item) : 0;
        if (tl && tl < 256 && rl + tl + 1 < sizeof rd) {
            rd[rl++] = (uint8_t)tl;
            memcpy(rd + rl, item, tl);
            rl += tl;
        }
    }
    if (o)
        o = dns_put_rr(pkt, sizeof pkt, o, instance, 16, rd, rl);
    rd[0] = rd[1] = rd[2] = rd[3] = 0;
    rd[4] = 0, rd[5] = 80;
    rl = dns_put_name(rd, sizeof rd, 6, host);
    if (o && rl)
        o = dns_put_rr(pkt, sizeof pkt, o, instance, 33, rd, rl);
    if (o)
        o = dns_put_rr(pkt, sizeof pkt, o, host, 1, (const uint8_t *)&r->addr, 4);
    if (o)
        reply(fd, pkt, o, from);
}

/* ---- UPnP description over HTTP ---------------------------------------- */

static void serve_description(struct responder *r, int listener)
{
    int c = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0)
        return;
    struct pollfd p = {.fd = c, .events = POLLIN};
    char req[2048];
    ssize_t n = poll(&p, 1, 1000) > 0 ? read(c, req, sizeof req - 1) : -1;
    size_t blen = 0;
    char *body = n > 0 ? render_key(r, "ssdp", "description", &blen) : NULL;
    char head[256];
    int hl = snprintf(head, sizeof head,
                      body ? "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: %zu\r\n"
                             "Connection: close\r\n\r\n"
                           : "HTTP/1.1 404 Not Found\r\nContent-Length: %zu\r\n\r\n",
                      blen);
    if (n > 0 && write(c, head, (size_t)hl) == hl && body && write(c, body, blen) < 0)
        fprintf(stderr, "camlab: discovery: description write: %s\n", strerror(errno));
    free(body);
    close(c);
}

static const struct resp_proto protos[] = {
    {"onvif", 3702, "239.255.255.250", answer_onvif},
    {"sadp", 37020, "239.255.255.250", answer_sadp},
    {"dhip", 37810, "239.255.255.251", answer_dhip},
    {"dahua5050", 5050, NULL, answer_d5050},
    {"xm", 34569, NULL, answer_xm},
    {"ssdp", 1900, "239.255.255.250", answer_ssdp},
    {"mdns", 5353, "224.0.0.251", answer_mdns},
};

/* ---- sockets and loop --------------------------------------------------- */

static int open_udp(struct responder *r, const struct resp_proto *p, char *err, size_t err_size)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1, ttl = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, r->id->interface,
               (socklen_t)strlen(r->id->interface));
    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &r->addr, sizeof r->addr);
    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(p->port)};
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        snprintf(err, err_size, "cannot listen on UDP %u for %s: %s", p->port, p->name,
                 strerror(errno));
        close(fd);
        return -1;
    }
    if (p->group) {
        struct ip_mreq mreq = {.imr_interface = r->addr};
        inet_pton(AF_INET, p->group, &mreq.imr_multiaddr);
        if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof mreq) != 0) {
            snprintf(err, err_size, "cannot join %s for %s: %s", p->group, p->name,
                     strerror(errno));
            close(fd);
            return -1;
        }
    }
    return fd;
}

static int open_upnp_listener(struct responder *r, char *err, size_t err_size)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {
        .sin_family = AF_INET, .sin_port = htons(UPNP_HTTP_PORT), .sin_addr = r->addr};
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 16) != 0) {
        snprintf(err, err_size, "cannot listen on TCP %s:%d: %s", r->id->ip, UPNP_HTTP_PORT,
                 strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static void handle_datagram(struct responder *r, size_t i)
{
    static uint8_t buf[RESP_DATAGRAM_MAX];
    struct sockaddr_in from;
    socklen_t fl = sizeof from;
    int fd = r->pfd[i].fd;
    ssize_t n = recvfrom(fd, buf, sizeof buf - 1, 0, (struct sockaddr *)&from, &fl);
    if (n <= 0 || from.sin_addr.s_addr == r->addr.s_addr)
        return;
    size_t len = (size_t)n;
    buf[len] = 0;
    r->proto[i]->answer(r, fd, buf, len, &from);
}

static int open_all(struct responder *r, char *err, size_t err_size)
{
    for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++) {
        if (!json_is_object(json_object_get(r->id->section, protos[i].name)))
            continue;
        int fd = open_udp(r, &protos[i], err, err_size);
        if (fd < 0)
            return -1;
        r->proto[r->n] = &protos[i];
        r->pfd[r->n++] = (struct pollfd){.fd = fd, .events = POLLIN};
        if (protos[i].answer == answer_ssdp) {
            if ((fd = open_upnp_listener(r, err, err_size)) < 0)
                return -1;
            r->proto[r->n] = NULL;
            r->pfd[r->n++] = (struct pollfd){.fd = fd, .events = POLLIN};
        }
    }
    if (!r->n) {
        snprintf(err, err_size, "the discovery section names no protocol camlab answers");
        return -1;
    }
    return 0;
}

int lab_discovery_serve(const struct lab_discovery_identity *id, volatile sig_atomic_t *stop,
                        const char *ready_file, char *err, size_t err_size)
{
    struct responder r = {.id = id};
    if (!json_is_object(id->section) || inet_pton(AF_INET, id->ip, &r.addr) != 1 ||
        id->prefix_len > 32) {
        snprintf(err, err_size, "bad discovery identity (section, address or prefix)");
        return -1;
    }
    r.mask = id->prefix_len ? ~(0xFFFFFFFFu >> id->prefix_len) : 0;
    snprintf(r.self_uuid, sizeof r.self_uuid, "%08x-0000-4000-8000-%02x%02x%02x%02x%02x%02x",
             (unsigned)ntohl(r.addr.s_addr), id->mac[0], id->mac[1], id->mac[2], id->mac[3],
             id->mac[4], id->mac[5]);
    set_identity_vars(&r);
    const char *key;
    const json_t *value;
    json_object_foreach((json_t *)json_object_get(id->section, "vars"), key, value)
        set_var(&r, key, json_string_value(value));
    int rc = open_all(&r, err, err_size);
    if (rc == 0 && ready_file) {
        FILE *f = fopen(ready_file, "w");
        if (f) {
            fprintf(f, "ready %s\n", id->ip);
            fclose(f);
        }
    }
    while (rc == 0 && !*stop) {
        if (poll(r.pfd, r.n, 200) <= 0)
            continue;
        for (size_t i = 0; i < r.n; i++) {
            if (!(r.pfd[i].revents & POLLIN))
                continue;
            if (r.proto[i])
                handle_datagram(&r, i);
            else
                serve_description(&r, r.pfd[i].fd);
        }
    }
    for (size_t i = 0; i < r.n; i++)
        close(r.pfd[i].fd);
    return rc;
}
