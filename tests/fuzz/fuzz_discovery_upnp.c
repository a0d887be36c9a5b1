/* fuzz_discovery_upnp.c — the UPnP device description parser on arbitrary
 * bytes (the body a device serves at its SSDP LOCATION). */
#include "discovery/discovery.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct discovery_answer ans;
    discovery_answer_init(&ans, "upnp");
    if (discovery_upnp_parse_description((const char *)data, size, &ans) == 0) {
        struct discovery_obs_list out = {0};
        discovery_answer_emit(&ans, NULL, 0, &out);
        discovery_obs_list_free(&out);
    }
    discovery_answer_clear(&ans);
    return 0;
}
