/* discovery_xm.c — Xiongmai / XMEye "IP search" (UDP 34569, broadcast): a
 * 20-byte little-endian header with message 1530, no body; replies are
 * message 1531 with a JSON body ("NetWork.NetCommon": MAC, serial SN,
 * firmware Version, HostName, and HostIP/Submask/GateWay as little-endian
 * hex). Devices broadcast their replies to 34569, so the socket listens there.
 * Sources: research/protocols.md section 5.2 (OpenIPC/python-dvr
 * DeviceManager.py SearchXM, Besder investigation 1531 payload). */
#include "discovery/discovery.h"
#include "discovery/discovery_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XM_HEADER_LEN 20
#define XM_MSG_SEARCH 1530
#define XM_MSG_SEARCH_REPLY 1531

static const char *const xm_groups[] = {"255.255.255.255", NULL};

static size_t xm_build_request(unsigned variant, uint8_t *buf, size_t cap)
{
    if (variant > 0 || cap < XM_HEADER_LEN)
        return 0;
    memset(buf, 0, XM_HEADER_LEN);
    buf[0] = 0xff;
    buf[14] = XM_MSG_SEARCH & 0xff;
    buf[15] = XM_MSG_SEARCH >> 8;
    return XM_HEADER_LEN;
}

/* "0x6701A8C0" (little-endian) -> "192.168.1.103". */
static void le_hex_ipv4(const char *text, char *out, size_t size)
{
    if (!text || strncmp(text, "0x", 2) != 0 || strlen(text) != 10)
        return;
    char *end;
    unsigned long v = strtoul(text + 2, &end, 16);
    if (*end || v == 0)
        return;
    snprintf(out, size, "%lu.%lu.%lu.%lu", v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff,
             (v >> 24) & 0xff);
}

static void copy_json_text(char *dst, size_t size, const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (s)
        discovery_copy_text(dst, size, s, strlen(s));
}

int discovery_xm_parse(const uint8_t *buf, size_t len, struct discovery_answer *ans)
{
    if (len <= XM_HEADER_LEN || buf[0] != 0xff)
        return -1;
    unsigned msg = (unsigned)buf[14] | (unsigned)buf[15] << 8;
    if (msg != XM_MSG_SEARCH_REPLY)
        return -1;
    const char *body = (const char *)buf + XM_HEADER_LEN;
    size_t body_len = discovery_trim_tail(buf + XM_HEADER_LEN, len - XM_HEADER_LEN);
    json_error_t jerr;
    json_t *root = json_loadb(body, body_len, JSON_DISABLE_EOF_CHECK, &jerr);
    const json_t *net = json_object_get(root, "NetWork.NetCommon");
    if (!json_is_object(net)) {
        json_decref(root);
        return -1;
    }
    discovery_answer_init(ans, "xm");
    discovery_answer_set_raw(ans, "dvrip.search", body, body_len);
    copy_json_text(ans->serial, sizeof ans->serial, net, "SN");
    copy_json_text(ans->firmware, sizeof ans->firmware, net, "Version");
    copy_json_text(ans->name, sizeof ans->name, net, "HostName");
    const char *mac = json_string_value(json_object_get(net, "MAC"));
    if (!mac || !discovery_mac_normalise(mac, strlen(mac), ans->mac))
        ans->mac[0] = '\0';
    le_hex_ipv4(json_string_value(json_object_get(net, "HostIP")), ans->own_ip, sizeof ans->own_ip);
    le_hex_ipv4(json_string_value(json_object_get(net, "Submask")), ans->own_mask,
                sizeof ans->own_mask);
    le_hex_ipv4(json_string_value(json_object_get(net, "GateWay")), ans->own_gateway,
                sizeof ans->own_gateway);
    json_int_t port = json_integer_value(json_object_get(net, "HttpPort"));
    ans->http_port = port > 0 && port < 65536 ? (uint16_t)port : 0;
    json_decref(root);
    return 0;
}

const struct discovery_module discovery_module_xm = {
    .name = "xm",
    .port = 34569,
    .groups = xm_groups,
    .local_port = 34569,
    .reply_group = NULL,
    .unicast = false,
    .build_request = xm_build_request,
    .parse_reply = discovery_xm_parse,
};
