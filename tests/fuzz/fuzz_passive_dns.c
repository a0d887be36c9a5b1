/* fuzz_passive_dns.c — the DNS dissectors on arbitrary payloads, over UDP
 * and over TCP (length-prefixed), as a query to port 53 and as an answer
 * from it (name compression loops, labels past the end, over-long names,
 * lengths that lie). */
#include "passive_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"dns", NULL};
    passive_fuzz_payload(names, L4_UDP, 40000, 53, data, size);
    passive_fuzz_payload(names, L4_UDP, 53, 40000, data, size);
    static const char *const tcp[] = {"dns-tcp", NULL};
    passive_fuzz_payload(tcp, L4_TCP, 40000, 53, data, size);
    passive_fuzz_payload(tcp, L4_TCP, 53, 40000, data, size);
    return 0;
}
