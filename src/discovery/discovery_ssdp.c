/* discovery_ssdp.c — SSDP (UDP 1900, 239.255.255.250): one M-SEARCH for
 * upnp:rootdevice; replies (and NOTIFY announcements) give SERVER and
 * LOCATION, the URL of the UPnP device description (manufacturer,
 * modelName, serialNumber ...), which discovery_upnp.c fetches and parses.
 * Sources: research/protocols.md section 6 (nmap nselib/upnp.lua). */
#include "discovery/discovery.h"
#include "discovery/discovery_internal.h"
#include "discovery/xml_fields.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *const ssdp_groups[] = {"239.255.255.250", NULL};

static size_t ssdp_build_request(unsigned variant, uint8_t *buf, size_t cap)
{
    if (variant > 0)
        return 0;
    int n = snprintf((char *)buf, cap,
                     "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\n"
                     "MAN: \"ssdp:discover\"\r\nMX: 2\r\nST: upnp:rootdevice\r\n\r\n");
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

/* Copies the value of header `name` (case-insensitive) from the head. */
static bool header_value(const char *head, size_t len, const char *name, char *out, size_t size)
{
    size_t nlen = strlen(name);
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && head[end] != '\n')
            end++;
        if (end - i > nlen && strncasecmp(head + i, name, nlen) == 0 && head[i + nlen] == ':') {
            discovery_copy_text(out, size, head + i + nlen + 1, end - i - nlen - 1);
            return true;
        }
        i = end + 1;
    }
    return false;
}

int discovery_ssdp_parse(const uint8_t *buf, size_t len, struct discovery_answer *ans)
{
    const char *text = (const char *)buf;
    static const char ok[] = "HTTP/1.1 200", notify[] = "NOTIFY * HTTP/1.1";
    if (!((len >= sizeof ok - 1 && memcmp(text, ok, sizeof ok - 1) == 0) ||
          (len >= sizeof notify - 1 && memcmp(text, notify, sizeof notify - 1) == 0)))
        return -1;
    char server[512] = "", usn[256] = "";
    discovery_answer_init(ans, "ssdp");
    header_value(text, len, "SERVER", server, sizeof server);
    header_value(text, len, "LOCATION", ans->location, sizeof ans->location);
    header_value(text, len, "USN", usn, sizeof usn);
    if (server[0])
        discovery_answer_set_raw(ans, "ssdp.server", server, strlen(server));
    if (usn[0])
        discovery_answer_set_extra(ans, "ssdp.usn", usn, strlen(usn));
    return 0;
}

int discovery_upnp_parse_description(const char *xml, size_t len, struct discovery_answer *ans)
{
    char maker[DISCOVERY_FIELD_MAX], model[DISCOVERY_FIELD_MAX], number[DISCOVERY_FIELD_MAX];
    char serial[DISCOVERY_FIELD_MAX], name[DISCOVERY_FIELD_MAX], root[32];
    struct xml_field f[] = {
        {"manufacturer", maker, sizeof maker, false},
        {"modelName", model, sizeof model, false},
        {"modelNumber", number, sizeof number, false},
        {"serialNumber", serial, sizeof serial, false},
        {"friendlyName", name, sizeof name, false},
    };
    len = discovery_trim_tail((const uint8_t *)xml, len);
    if (xml_fields_extract(xml, len, f, sizeof f / sizeof f[0], root, sizeof root) != 0 ||
        strcmp(root, "root") != 0)
        return -1;
    discovery_answer_set_raw(ans, "upnp.device_xml", xml, len);
    snprintf(ans->manufacturer, sizeof ans->manufacturer, "%s", maker);
    /* modelName is often the family and modelNumber the exact model. */
    if (number[0] && strstr(model, number) == NULL)
        snprintf(ans->model, sizeof ans->model, "%.60s %.60s", model, number);
    else
        snprintf(ans->model, sizeof ans->model, "%s", model);
    snprintf(ans->serial, sizeof ans->serial, "%s", serial);
    snprintf(ans->name, sizeof ans->name, "%s", name);
    return 0;
}

const struct discovery_module discovery_module_ssdp = {
    .name = "ssdp",
    .port = 1900,
    .groups = ssdp_groups,
    .local_port = 0,
    .reply_group = NULL,
    .unicast = false,
    .build_request = ssdp_build_request,
    .parse_reply = discovery_ssdp_parse,
};
