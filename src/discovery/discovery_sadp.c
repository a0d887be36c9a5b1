/* discovery_sadp.c — Hikvision SADP over UDP (37020, 239.255.255.250): the
 * benign `inquiry` Probe only (other types change device state: never sent).
 * The ProbeMatch is flat XML: model, full serial, MAC, the device's own IPv4
 * configuration, firmware, and whether it is activated (has a password).
 * Sources: research/protocols.md section 2 (UniversalScanner Hikvision.cs,
 * cameronnewman/hikvision-tooling internal/sadp). */
#include "discovery/discovery.h"
#include "discovery/discovery_internal.h"
#include "discovery/xml_fields.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const sadp_groups[] = {"239.255.255.250", NULL};

static size_t sadp_build_request(unsigned variant, uint8_t *buf, size_t cap)
{
    if (variant > 0)
        return 0;
    char uuid[37];
    discovery_random_uuid(uuid);
    for (char *p = uuid; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');
    int n = snprintf((char *)buf, cap,
                     "<?xml version=\"1.0\" encoding=\"utf-8\"?><Probe><Uuid>%s</Uuid>"
                     "<Types>inquiry</Types></Probe>",
                     uuid);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

enum sadp_field {
    F_DESCRIPTION,
    F_SN,
    F_MAC,
    F_IP,
    F_MASK,
    F_GATEWAY,
    F_DHCP,
    F_SOFTWARE,
    F_ACTIVATED,
    F_HTTP_PORT,
    F_COUNT
};

static int parse_bool(const char *text)
{
    if (strcmp(text, "true") == 0)
        return 1;
    if (strcmp(text, "false") == 0 || strcmp(text, "flase") == 0) /* real firmware typo */
        return 0;
    return -1;
}

int discovery_sadp_parse(const uint8_t *buf, size_t len, struct discovery_answer *ans)
{
    char v[F_COUNT][DISCOVERY_FIELD_MAX];
    static const char *const names[F_COUNT] = {
        "DeviceDescription", "DeviceSN",    "MAC",  "IPv4Address",
        "IPv4SubnetMask",    "IPv4Gateway", "DHCP", "SoftwareVersion",
        "Activated",         "HttpPort"};
    struct xml_field f[F_COUNT];
    for (int i = 0; i < F_COUNT; i++)
        f[i] = (struct xml_field){names[i], v[i], sizeof v[i], false};
    char root[32];
    len = discovery_trim_tail(buf, len);
    if (xml_fields_extract((const char *)buf, len, f, F_COUNT, root, sizeof root) != 0 ||
        strcmp(root, "ProbeMatch") != 0)
        return -1;
    discovery_answer_init(ans, "sadp");
    discovery_answer_set_raw(ans, "sadp", buf, len);
    snprintf(ans->model, sizeof ans->model, "%s", v[F_DESCRIPTION]);
    snprintf(ans->serial, sizeof ans->serial, "%s", v[F_SN]);
    snprintf(ans->firmware, sizeof ans->firmware, "%s", v[F_SOFTWARE]);
    if (!discovery_mac_normalise(v[F_MAC], strlen(v[F_MAC]), ans->mac))
        ans->mac[0] = '\0';
    discovery_copy_ipv4(ans->own_ip, sizeof ans->own_ip, v[F_IP]);
    discovery_copy_ipv4(ans->own_mask, sizeof ans->own_mask, v[F_MASK]);
    discovery_copy_ipv4(ans->own_gateway, sizeof ans->own_gateway, v[F_GATEWAY]);
    ans->dhcp = parse_bool(v[F_DHCP]);
    ans->activated = parse_bool(v[F_ACTIVATED]);
    long port = strtol(v[F_HTTP_PORT], NULL, 10);
    ans->http_port = port > 0 && port < 65536 ? (uint16_t)port : 0;
    return 0;
}

const struct discovery_module discovery_module_sadp = {
    .name = "sadp",
    .port = 37020,
    .groups = sadp_groups,
    .local_port = 37020,
    .reply_group = "239.255.255.250",
    .unicast = false,
    .build_request = sadp_build_request,
    .parse_reply = discovery_sadp_parse,
};
