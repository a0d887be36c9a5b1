/* discovery_mdns.c — mDNS (UDP 5353, 224.0.0.251): one query of PTR records
 * for the service types cameras announce. Sent from an ephemeral port, so
 * responders answer unicast (RFC 6762 section 6.7, "legacy unicast"). The
 * parser reads any DNS response: PTR (service instances), TXT (Axis puts
 * macaddress= there), SRV and A records. Names are decoded with bounded
 * compression-pointer jumps; no count or length field is trusted.
 * Service types: research/protocols.md section 6 (UniversalScanner
 * doc/protocols.html); _onvif._tcp is from third-party lists (uncertain). */
#include "discovery/discovery.h"
#include "discovery/discovery_internal.h"

#include <stdio.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#define DNS_HEADER_LEN 12
#define DNS_NAME_MAX 256
#define DNS_JUMPS_MAX 16
#define DNS_RECORDS_MAX 64
#define DNS_TYPE_A 1
#define DNS_TYPE_PTR 12
#define DNS_TYPE_TXT 16
#define DNS_TYPE_SRV 33

static const char *const mdns_groups[] = {"224.0.0.251", NULL};

static const char *const service_types[] = {
    "_axis-video._tcp.local", "_axis-nvr._tcp.local", "_arec._tcp.local",
    "_rtsp._tcp.local",       "_onvif._tcp.local",
};
#define N_SERVICE_TYPES (sizeof service_types / sizeof service_types[0])

static size_t put_name(uint8_t *buf, size_t cap, size_t o, const char *name)
{
    while (*name) {
        size_t label = strcspn(name, ".");
        if (label == 0 || label > 63 || o + 1 + label + 1 > cap)
            return 0;
        buf[o++] = (uint8_t)label;
        memcpy(buf + o, name, label);
        o += label;
        name += label;
        if (*name == '.')
            name++;
    }
    buf[o++] = 0;
    return o;
}

static size_t mdns_build_request(unsigned variant, uint8_t *buf, size_t cap)
{
    if (variant > 0 || cap < DNS_HEADER_LEN)
        return 0;
    memset(buf, 0, DNS_HEADER_LEN);
    buf[5] = (uint8_t)N_SERVICE_TYPES;
    size_t o = DNS_HEADER_LEN;
    for (size_t i = 0; i < N_SERVICE_TYPES; i++) {
        o = put_name(buf, cap, o, service_types[i]);
        if (!o || o + 4 > cap)
            return 0;
        buf[o++] = 0, buf[o++] = DNS_TYPE_PTR; /* PTR */
        buf[o++] = 0, buf[o++] = 1;            /* IN */
    }
    return o;
}

/* Decodes the name at *pos (advancing *pos past it). Returns false when
 * malformed: a pointer loop, a label beyond the buffer, too long a name. */
static bool read_name(const uint8_t *buf, size_t len, size_t *pos, char *out, size_t out_size)
{
    size_t p = *pos, o = 0;
    int jumps = 0;
    bool jumped = false;
    out[0] = '\0';
    for (;;) {
        if (p >= len)
            return false;
        uint8_t l = buf[p];
        if ((l & 0xC0) == 0xC0) {
            if (p + 1 >= len || ++jumps > DNS_JUMPS_MAX)
                return false;
            if (!jumped)
                *pos = p + 2;
            jumped = true;
            p = (size_t)(l & 0x3F) << 8 | buf[p + 1];
            continue;
        }
        if (l & 0xC0)
            return false;
        if (l == 0) {
            if (!jumped)
                *pos = p + 1;
            return true;
        }
        if (p + 1 + l > len || o + l + 2 > out_size)
            return false;
        if (o)
            out[o++] = '.';
        for (size_t i = 0; i < l; i++) {
            unsigned char c = buf[p + 1 + i];
            out[o++] = (char)(c < 0x20 || c == 0x7F ? '?' : c);
        }
        out[o] = '\0';
        p += 1 + l;
    }
}

static void append(char *dst, size_t size, const char *sep, const char *text, size_t len)
{
    size_t have = strlen(dst), sep_len = strlen(sep);
    if (have) {
        if (have + sep_len + 1 >= size)
            return; /* no room for a separator and some text: the list is full */
        memcpy(dst + have, sep, sep_len + 1);
        have += sep_len;
    }
    if (have + 1 < size)
        discovery_copy_text(dst + have, size - have, text, len);
}

static void read_txt(const uint8_t *rd, size_t rdlen, char *txt, size_t txt_size,
                     struct discovery_answer *ans)
{
    size_t i = 0;
    while (i < rdlen) {
        size_t l = rd[i++];
        if (l > rdlen - i)
            l = rdlen - i;
        append(txt, txt_size, " ", (const char *)rd + i, l);
        static const char key[] = "macaddress=";
        if (l > sizeof key - 1 && strncasecmp((const char *)rd + i, key, sizeof key - 1) == 0 &&
            !ans->mac[0] &&
            !discovery_mac_normalise((const char *)rd + i + sizeof key - 1, l - (sizeof key - 1),
                                     ans->mac))
            ans->mac[0] = '\0';
        i += l;
    }
}

struct mdns_parse {
    char services[1024];
    char txt[1024];
};

static bool read_record(const uint8_t *buf, size_t len, size_t *pos, struct mdns_parse *mp,
                        struct discovery_answer *ans)
{
    char owner[DNS_NAME_MAX], target[DNS_NAME_MAX];
    if (!read_name(buf, len, pos, owner, sizeof owner) || *pos + 10 > len)
        return false;
    unsigned type = (unsigned)buf[*pos] << 8 | buf[*pos + 1];
    size_t rdlen = (size_t)buf[*pos + 8] << 8 | buf[*pos + 9];
    size_t rd = *pos + 10;
    if (rdlen > len - rd)
        return false;
    *pos = rd + rdlen;
    if (type == DNS_TYPE_PTR) {
        size_t p = rd;
        if (!read_name(buf, rd + rdlen, &p, target, sizeof target))
            return false;
        char pair[2 * DNS_NAME_MAX + 2];
        snprintf(pair, sizeof pair, "%s=%s", owner, target);
        append(mp->services, sizeof mp->services, "; ", pair, strlen(pair));
        if (!ans->name[0]) {
            size_t first = strcspn(target, ".");
            discovery_copy_text(ans->name, sizeof ans->name, target, first);
        }
    } else if (type == DNS_TYPE_TXT) {
        read_txt(buf + rd, rdlen, mp->txt, sizeof mp->txt, ans);
    } else if (type == DNS_TYPE_A && rdlen == 4) {
        /* Axis and others keep a 169.254/16 link-local address beside the
         * configured one: that one says where the device is only when it
         * has no other. */
        bool link_local = buf[rd] == 169 && buf[rd + 1] == 254;
        bool have_link_local = strncmp(ans->own_ip, "169.254.", 8) == 0;
        if (!ans->own_ip[0] || (have_link_local && !link_local))
            snprintf(ans->own_ip, sizeof ans->own_ip, "%u.%u.%u.%u", buf[rd], buf[rd + 1],
                     buf[rd + 2], buf[rd + 3]);
    }
    return true;
}

int discovery_mdns_parse(const uint8_t *buf, size_t len, struct discovery_answer *ans)
{
    if (len < DNS_HEADER_LEN || !(buf[2] & 0x80)) /* responses only */
        return -1;
    size_t qd = (size_t)buf[4] << 8 | buf[5];
    size_t records = ((size_t)buf[6] << 8 | buf[7]) + ((size_t)buf[8] << 8 | buf[9]) +
                     ((size_t)buf[10] << 8 | buf[11]);
    size_t pos = DNS_HEADER_LEN;
    char name[DNS_NAME_MAX];
    for (size_t i = 0; i < qd && i < DNS_RECORDS_MAX; i++)
        if (!read_name(buf, len, &pos, name, sizeof name) || (pos += 4) > len)
            return -1;
    struct mdns_parse mp = {.services = "", .txt = ""};
    discovery_answer_init(ans, "mdns");
    for (size_t i = 0; i < records && i < DNS_RECORDS_MAX && pos < len; i++)
        if (!read_record(buf, len, &pos, &mp, ans))
            break;
    if (!mp.services[0]) /* not a camera service answer */
        return -1;
    discovery_answer_set_raw(ans, "mdns.service", mp.services, strlen(mp.services));
    if (mp.txt[0])
        discovery_answer_set_extra(ans, "mdns.txt", mp.txt, strlen(mp.txt));
    return 0;
}

const struct discovery_module discovery_module_mdns = {
    .name = "mdns",
    .port = 5353,
    .groups = mdns_groups,
    .local_port = 0,
    .reply_group = NULL,
    .unicast = false,
    .build_request = mdns_build_request,
    .parse_reply = discovery_mdns_parse,
};
