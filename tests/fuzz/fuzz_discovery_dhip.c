/* fuzz_discovery_dhip.c — the dhip discovery reply parser on arbitrary bytes
 * (a datagram from anyone on the segment). */
#include "discovery/discovery.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct discovery_answer ans;
    if (discovery_dhip_parse(data, size, &ans) == 0) {
        struct discovery_obs_list out = {0};
        struct discovery_subnet net = {0x0A420000u, 24};
        discovery_answer_emit(&ans, &net, 0, &out);
        discovery_obs_list_free(&out);
        discovery_answer_clear(&ans);
    }
    return 0;
}
