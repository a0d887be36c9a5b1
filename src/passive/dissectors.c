/* dissectors.c — the table of passive dissectors, in dispatch order. A new
 * protocol is a new diss_<name>.c and one line here (at most 32). */
#include "passive/dissect.h"

#include <stddef.h>

const struct dissector *const passive_dissectors[] = {
    &dissector_arp,      &dissector_dhcp,    &dissector_dns,
    &dissector_tls,      &dissector_http,    &dissector_rtsp,
    &dissector_ssdp,     &dissector_sadp,    &dissector_dhip,
    &dissector_xiongmai, &dissector_onvif,   &dissector_dahua5050,
    &dissector_mdns,     &dissector_dns_tcp, NULL,
};
