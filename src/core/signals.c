/* signals.c — the signal registry: every signal of DESIGN.md with its cap.
 * Bodies get larger caps than headers; a cap bounds memory per host. */
#include "core/signals.h"

#include <string.h>

static const struct signal_info signals[] = {
    {"http.server", 512, "HTTP Server header value"},
    {"http.title", 512, "HTML <title> text"},
    {"http.www_authenticate", 512, "HTTP WWW-Authenticate header value"},
    {"http.body", 4096, "first bytes of an HTTP body"},
    {"http.favicon_md5", 64, "hex MD5 of /favicon.ico"},
    {"http.favicon_mmh3", 32, "signed 32-bit MurmurHash3 of base64(/favicon.ico)"},
    {"http.isapi_device_info", 8192, "XML body of Hikvision /ISAPI/System/deviceInfo"},
    {"http.dahua_system_info", 4096, "body of Dahua magicBox getSystemInfo"},
    {"http.host", 255, "Host header of a request a device sent (passive)"},
    {"rtsp.server", 512, "RTSP Server header value"},
    {"rtsp.www_authenticate", 512, "RTSP WWW-Authenticate value"},
    {"rtsp.sdp", 4096, "SDP body of an RTSP DESCRIBE answer"},
    {"onvif.device_info", 8192, "XML of an ONVIF GetDeviceInformation response"},
    {"onvif.scopes", 4096, "WS-Discovery scopes string"},
    {"tls.subject", 1024, "TLS certificate subject, RFC 4514"},
    {"tls.issuer", 1024, "TLS certificate issuer, RFC 4514"},
    {"mac", 17, "MAC address aa:bb:cc:dd:ee:ff"},
    {"sadp", 8192, "Hikvision SADP ProbeMatch XML"},
    {"dhip", 8192, "Dahua DHIP discovery JSON body"},
    {"ssdp.server", 512, "SSDP SERVER header"},
    {"upnp.device_xml", 16384, "UPnP device description XML"},
    {"dvrip.system_info", 8192, "Xiongmai DVRIP SystemInfo JSON"},
    {"dvrip.reply", 4096, "DVRIP reply other than SystemInfo: message <id>: <JSON body>"},
    {"dhcp.hostname", 255, "DHCP option 12"},
    {"dhcp.vendor_class", 255, "DHCP option 60"},
    {"dns.query", 255, "a name the device looked up"},
    {"tls.sni", 255, "TLS ClientHello server name"},
    {"banner", 1024, "first bytes a TCP service sends unasked"},
    /* Local discovery (src/discovery, docs/DISCOVERY.md). */
    {"onvif.xaddrs", 1024, "WS-Discovery XAddrs: the device's ONVIF service URLs"},
    {"ssdp.usn", 512, "SSDP USN header"},
    {"dvrip.search", 8192, "Xiongmai UDP 34569 search reply JSON (message 1531)"},
    {"dahua.search", 2048, "legacy Dahua UDP 5050 search reply, as text"},
    {"mdns.service", 2048, "mDNS service instances: type=instance; ..."},
    {"mdns.txt", 2048, "mDNS TXT strings of those instances"},
    {"discovery.manufacturer", 128, "maker or label a discovery answer advertises"},
    {"discovery.model", 128, "model a discovery answer advertises"},
    {"discovery.serial", 128, "serial number a discovery answer advertises"},
    {"discovery.firmware", 128, "firmware version a discovery answer advertises"},
    {"discovery.name", 128, "device or host name a discovery answer advertises"},
    {"discovery.activated", 8, "true/false: the device has a password set (SADP)"},
    {"discovery.ip_config", 256, "the device's own IPv4 configuration as it reports it"},
    {"discovery.misaddressed", 256, "the device's address is outside the segment's subnet"},
    {"discovery.only", 256,
     "scan --discover: found by discovery, not by the scan (why, and how found)"},
    {NULL, 0, NULL},
};

const struct signal_info *signal_all(void)
{
    return signals;
}

const struct signal_info *signal_lookup(const char *name)
{
    for (const struct signal_info *s = signals; s->name; s++)
        if (strcmp(s->name, name) == 0)
            return s;
    return NULL;
}

size_t signal_value_cap(const char *name)
{
    const struct signal_info *s = signal_lookup(name);
    return s ? s->value_cap : SIGNAL_DEFAULT_CAP;
}
