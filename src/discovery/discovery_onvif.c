/* discovery_onvif.c — ONVIF WS-Discovery (UDP 3702, 239.255.255.250): one
 * Probe per device type (NetworkVideoTransmitter, the type Hikvision and
 * Dahua announce, and tds:Device, the one ONVIF Core requires), because a
 * Probe listing both only matches devices listing both. Replies (ProbeMatches
 * or Hello) give scopes (hardware/, name/, MAC/ ...) and service addresses.
 * Sources: ONVIF Core (onvif/specs doc/Core.xml), nmap nselib/wsdd.lua,
 * research/protocols.md section 1. */
#include "discovery/discovery.h"
#include "discovery/discovery_internal.h"
#include "discovery/xml_fields.h"

#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ONVIF_SCOPES_MAX 4096
#define ONVIF_XADDRS_MAX 1024

static const char *const onvif_groups[] = {"239.255.255.250", NULL};

static const char *const probe_types[] = {
    "<d:Types xmlns:dn=\"http://www.onvif.org/ver10/network/wsdl\">dn:NetworkVideoTransmitter"
    "</d:Types>",
    "<d:Types xmlns:tds=\"http://www.onvif.org/ver10/device/wsdl\">tds:Device</d:Types>",
};

static size_t onvif_build_request(unsigned variant, uint8_t *buf, size_t cap)
{
    if (variant >= sizeof probe_types / sizeof probe_types[0])
        return 0;
    char uuid[37];
    discovery_random_uuid(uuid);
    int n = snprintf(
        (char *)buf, cap,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
        "xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" "
        "xmlns:d=\"http://schemas.xmlsoap.org/ws/2005/04/discovery\">"
        "<s:Header><a:Action s:mustUnderstand=\"1\">"
        "http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>"
        "<a:MessageID>uuid:%s</a:MessageID>"
        "<a:ReplyTo><a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
        "</a:Address></a:ReplyTo>"
        "<a:To s:mustUnderstand=\"1\">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>"
        "</s:Header><s:Body><d:Probe>%s</d:Probe></s:Body></s:Envelope>",
        uuid, probe_types[variant]);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* Decodes %XX escapes of a scope value in place. */
static void percent_decode(char *s)
{
    char *o = s;
    for (char *p = s; *p; p++) {
        unsigned hi, lo;
        if (p[0] == '%' && sscanf(p + 1, "%1x%1x", &hi, &lo) == 2) {
            unsigned char c = (unsigned char)(hi << 4 | lo);
            *o++ = (char)(c < 0x20 ? ' ' : c);
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
}

/* Copies the value of the scope onvif://www.onvif.org/<key>/<value>. */
static void scope_value(const char *scopes, const char *key, char *out, size_t out_size)
{
    char pattern[64];
    snprintf(pattern, sizeof pattern, "onvif://www.onvif.org/%s/", key);
    size_t plen = strlen(pattern);
    for (const char *p = scopes; (p = strstr(p, pattern)) != NULL; p += plen) {
        if (p != scopes && p[-1] != ' ' && p[-1] != '\t' && p[-1] != '\n')
            continue;
        const char *v = p + plen;
        size_t len = strcspn(v, " \t\r\n");
        if (!len)
            continue;
        discovery_copy_text(out, out_size, v, len);
        percent_decode(out);
        return;
    }
}

int discovery_onvif_parse(const uint8_t *buf, size_t len, struct discovery_answer *ans)
{
    char *scopes = xmalloc(ONVIF_SCOPES_MAX);
    char xaddrs[ONVIF_XADDRS_MAX], types[256];
    struct xml_field f[] = {
        {"Scopes", scopes, ONVIF_SCOPES_MAX, false},
        {"XAddrs", xaddrs, sizeof xaddrs, false},
        {"Types", types, sizeof types, false},
        {"ProbeMatch", NULL, 0, false},
        {"Hello", NULL, 0, false},
    };
    len = discovery_trim_tail(buf, len);
    int rc = xml_fields_extract((const char *)buf, len, f, sizeof f / sizeof f[0], NULL, 0);
    /* Requests (our own Probe, other tools') carry no ProbeMatch nor Hello. */
    if (rc != 0 || (!f[3].seen && !f[4].seen)) {
        free(scopes);
        return -1;
    }
    discovery_answer_init(ans, "onvif");
    discovery_answer_set_raw(ans, "onvif.scopes", scopes, strlen(scopes));
    if (xaddrs[0])
        discovery_answer_set_extra(ans, "onvif.xaddrs", xaddrs, strlen(xaddrs));
    scope_value(scopes, "hardware", ans->model, sizeof ans->model);
    scope_value(scopes, "name", ans->name, sizeof ans->name);
    char mac[64] = "";
    scope_value(scopes, "MAC", mac, sizeof mac);
    if (mac[0] && !discovery_mac_normalise(mac, strlen(mac), ans->mac))
        ans->mac[0] = '\0';
    free(scopes);
    return 0;
}

const struct discovery_module discovery_module_onvif = {
    .name = "onvif",
    .port = 3702,
    .groups = onvif_groups,
    .local_port = 0,
    .reply_group = NULL,
    .unicast = true,
    .build_request = onvif_build_request,
    .parse_reply = discovery_onvif_parse,
};
