/* fuzz_passive_text.c — the text-protocol dissectors (HTTP, RTSP, SSDP and
 * the discovery replies of ONVIF, SADP, DHIP, Dahua 5050, Xiongmai and mDNS) on
 * arbitrary payloads. */
#include "passive_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const tcp[] = {"http", "rtsp", NULL};
    static const char *const udp[] = {"ssdp",      "onvif", "sadp", "dhip", "xiongmai",
                                      "dahua5050", "mdns",  "arp",  NULL};
    passive_fuzz_payload(tcp, L4_TCP, 80, 50000, data, size);
    passive_fuzz_payload(udp, L4_UDP, 3702, 3702, data, size);
    return 0;
}
