/* fuzz_passive_dhcp.c — the DHCP dissector (BOOTP header, option walk,
 * MAC-only hosts merged at the end) on arbitrary UDP payloads. */
#include "passive_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"dhcp", NULL};
    passive_fuzz_payload(names, L4_UDP, 68, 67, data, size);
    return 0;
}
