/* fuzz_discovery_onvif.c — the onvif discovery reply parser on arbitrary bytes
 * (a datagram from anyone on the segment). */
#include "fuzz_discovery.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_discovery_reply(discovery_onvif_parse, data, size);
    return 0;
}
