/* discovery_dahua5050.c — the legacy Dahua search (UDP 5050, broadcast),
 * answered by older Dahua firmware. Binary reply: magic 0xb3, a 0x78-byte
 * first section (16-byte device type at 0x28, IPv4 address, mask, gateway as
 * network-order bytes at 0x38/0x3C/0x40), a second section (17-character MAC
 * then a name, length in byte 2) and a third of "Key:Value\r\n" lines
 * (length u16 at 0x14) carrying SerialNo among others.
 * Sources: research/protocols.md section 3.2 (UniversalScanner Dahua1.cs,
 * OpenIPC/python-dvr DeviceManager.py). */
#include "discovery/discovery.h"
#include "discovery/discovery_internal.h"

#include <stdio.h>
#include <string.h>

#define D5050_SECTION1_LEN 0x78
#define D5050_MAC_LEN 17

static const char *const d5050_groups[] = {"255.255.255.255", NULL};

static size_t d5050_build_request(unsigned variant, uint8_t *buf, size_t cap)
{
    if (variant > 0 || cap < 32)
        return 0;
    memset(buf, 0, 32);
    buf[0] = 0xa3;
    buf[1] = 0x01;
    buf[3] = 0x01;
    buf[0x10] = 0x02;
    return 32;
}

static void ipv4_at(const uint8_t *p, char *out, size_t size)
{
    if (p[0] | p[1] | p[2] | p[3])
        snprintf(out, size, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
}

/* Finds "Key:" at the start of a line of text and copies its value. */
static void key_value(const char *text, size_t len, const char *key, char *out, size_t size)
{
    size_t klen = strlen(key);
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && text[end] != '\r' && text[end] != '\n')
            end++;
        if (end - i > klen && memcmp(text + i, key, klen) == 0 && text[i + klen] == ':') {
            discovery_copy_text(out, size, text + i + klen + 1, end - i - klen - 1);
            return;
        }
        i = end + 1;
    }
}

int discovery_dahua5050_parse(const uint8_t *buf, size_t len, struct discovery_answer *ans)
{
    if (len < D5050_SECTION1_LEN || buf[0] != 0xb3)
        return -1;
    discovery_answer_init(ans, "dahua5050");
    discovery_copy_text(ans->model, sizeof ans->model, (const char *)buf + 0x28, 16);
    ipv4_at(buf + 0x38, ans->own_ip, sizeof ans->own_ip);
    ipv4_at(buf + 0x3C, ans->own_mask, sizeof ans->own_mask);
    ipv4_at(buf + 0x40, ans->own_gateway, sizeof ans->own_gateway);
    size_t rest = len - D5050_SECTION1_LEN;
    const uint8_t *s2 = buf + D5050_SECTION1_LEN;
    size_t s2_len = buf[2] < rest ? buf[2] : rest;
    if (s2_len >= D5050_MAC_LEN &&
        !discovery_mac_normalise((const char *)s2, D5050_MAC_LEN, ans->mac))
        ans->mac[0] = '\0';
    if (s2_len > D5050_MAC_LEN)
        discovery_copy_text(ans->name, sizeof ans->name, (const char *)s2 + D5050_MAC_LEN,
                            s2_len - D5050_MAC_LEN);
    const char *s3 = (const char *)s2 + s2_len;
    size_t s3_len = len - D5050_SECTION1_LEN - s2_len;
    size_t declared = (size_t)buf[0x14] | (size_t)buf[0x15] << 8;
    if (declared < s3_len)
        s3_len = declared;
    key_value(s3, s3_len, "SerialNo", ans->serial, sizeof ans->serial);
    char device[DISCOVERY_FIELD_MAX] = "";
    key_value(s3, s3_len, "Device", device, sizeof device);
    if (device[0])
        snprintf(ans->model, sizeof ans->model, "%s", device);
    key_value(s3, s3_len, "Name", ans->manufacturer, sizeof ans->manufacturer);
    /* The whole text section is the protocol's own observation. */
    char text[1024];
    discovery_copy_text(text, sizeof text, s3, s3_len);
    char value[1280];
    snprintf(value, sizeof value, "type=%s %s", ans->model, text);
    discovery_answer_set_raw(ans, "dahua.search", value, strlen(value));
    return 0;
}

const struct discovery_module discovery_module_dahua5050 = {
    .name = "dahua5050",
    .port = 5050,
    .groups = d5050_groups,
    .local_port = 5050,
    .reply_group = NULL,
    .unicast = false,
    .build_request = d5050_build_request,
    .parse_reply = discovery_dahua5050_parse,
};
