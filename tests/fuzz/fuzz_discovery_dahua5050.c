/* fuzz_discovery_dahua5050.c — the dahua5050 discovery reply parser on arbitrary bytes
 * (a datagram from anyone on the segment). */
#include "fuzz_discovery.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_discovery_reply(discovery_dahua5050_parse, data, size);
    return 0;
}
