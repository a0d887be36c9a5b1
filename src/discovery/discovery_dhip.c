/* discovery_dhip.c — Dahua DHIP discovery (UDP 37810, 239.255.255.251 and
 * broadcast): a 32-byte little-endian "DHIP" header and a JSON body. The
 * request is DHDiscover.search; replies are client.notifyDevInfo with the
 * MAC, model (DeviceType), serial, firmware, vendor label (OEMs such as
 * Intelbras show there) and the device's own IPv4 configuration. Header
 * length fields are not trusted: devices disagree on them.
 * Sources: research/protocols.md section 3.1 (UniversalScanner Dahua2.cs). */
#include "discovery/discovery.h"
#include "discovery/discovery_internal.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define DHIP_HEADER_LEN 32

static const char *const dhip_groups[] = {"239.255.255.251", "255.255.255.255", NULL};

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

size_t discovery_dhip_frame(const char *body, size_t body_len, uint8_t *buf, size_t cap)
{
    if (cap < DHIP_HEADER_LEN || body_len > cap - DHIP_HEADER_LEN || body_len > UINT32_MAX)
        return 0;
    memset(buf, 0, DHIP_HEADER_LEN);
    put_le32(buf, DHIP_HEADER_LEN);
    memcpy(buf + 4, "DHIP", 4);
    put_le32(buf + 16, (uint32_t)body_len);
    put_le32(buf + 24, (uint32_t)body_len);
    memcpy(buf + DHIP_HEADER_LEN, body, body_len);
    return DHIP_HEADER_LEN + body_len;
}

static size_t dhip_build_request(unsigned variant, uint8_t *buf, size_t cap)
{
    static const char body[] =
        "{\"method\":\"DHDiscover.search\",\"params\":{\"mac\":\"\",\"uni\":1}}\n";
    return variant > 0 ? 0 : discovery_dhip_frame(body, sizeof body - 1, buf, cap);
}

static const char *json_text(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

static void copy_json_text(char *dst, size_t size, const json_t *obj, const char *key)
{
    const char *s = json_text(obj, key);
    discovery_copy_text(dst, size, s, strlen(s));
}

static void read_ipv4_config(const json_t *info, struct discovery_answer *ans)
{
    const json_t *v4 = json_object_get(info, "IPv4Address");
    if (!json_is_object(v4))
        return;
    discovery_copy_ipv4(ans->own_ip, sizeof ans->own_ip, json_text(v4, "IPAddress"));
    discovery_copy_ipv4(ans->own_mask, sizeof ans->own_mask, json_text(v4, "SubnetMask"));
    discovery_copy_ipv4(ans->own_gateway, sizeof ans->own_gateway, json_text(v4, "DefaultGateway"));
    const json_t *dhcp = json_object_get(v4, "DhcpEnable");
    if (json_is_boolean(dhcp))
        ans->dhcp = json_is_true(dhcp);
}

static void read_device_info(const json_t *root, const json_t *info, struct discovery_answer *ans)
{
    copy_json_text(ans->model, sizeof ans->model, info, "DeviceType");
    copy_json_text(ans->serial, sizeof ans->serial, info, "SerialNo");
    copy_json_text(ans->firmware, sizeof ans->firmware, info, "Version");
    copy_json_text(ans->name, sizeof ans->name, info, "MachineName");
    /* Vendor is the label (Intelbras, "Private" for Dahua's own); Manufacturer
     * usually repeats it. */
    copy_json_text(ans->manufacturer, sizeof ans->manufacturer, info, "Vendor");
    if (!ans->manufacturer[0])
        copy_json_text(ans->manufacturer, sizeof ans->manufacturer, info, "Manufacturer");
    const char *mac = json_text(root, "mac");
    if (!discovery_mac_normalise(mac, strlen(mac), ans->mac))
        ans->mac[0] = '\0';
    json_int_t port = json_integer_value(json_object_get(info, "HttpPort"));
    ans->http_port = port > 0 && port < 65536 ? (uint16_t)port : 0;
    read_ipv4_config(info, ans);
}

int discovery_dhip_parse(const uint8_t *buf, size_t len, struct discovery_answer *ans)
{
    if (len <= DHIP_HEADER_LEN || memcmp(buf + 4, "DHIP", 4) != 0)
        return -1;
    const char *body = (const char *)buf + DHIP_HEADER_LEN;
    size_t body_len = discovery_trim_tail(buf + DHIP_HEADER_LEN, len - DHIP_HEADER_LEN);
    json_error_t jerr;
    json_t *root = json_loadb(body, body_len, JSON_DISABLE_EOF_CHECK, &jerr);
    if (!root)
        return -1;
    const json_t *info = json_object_get(json_object_get(root, "params"), "deviceInfo");
    if (strcmp(json_text(root, "method"), "client.notifyDevInfo") != 0 || !json_is_object(info)) {
        json_decref(root);
        return -1;
    }
    discovery_answer_init(ans, "dhip");
    discovery_answer_set_raw(ans, "dhip", body, body_len);
    read_device_info(root, info, ans);
    json_decref(root);
    return 0;
}

const struct discovery_module discovery_module_dhip = {
    .name = "dhip",
    .port = 37810,
    .groups = dhip_groups,
    .local_port = 37810,
    .reply_group = "239.255.255.251",
    .unicast = true,
    .build_request = dhip_build_request,
    .parse_reply = discovery_dhip_parse,
};
