/* fuzz_discovery_sadp.c — the sadp discovery reply parser on arbitrary bytes
 * (a datagram from anyone on the segment). */
#include "fuzz_discovery.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_discovery_reply(discovery_sadp_parse, data, size);
    return 0;
}
