/* fuzz_passive_tls.c — the TLS dissector (ClientHello SNI, Certificate via
 * d2i_X509, flow reassembly) on arbitrary TCP payloads. */
#include "passive_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"tls", NULL};
    passive_fuzz_payload(names, L4_TCP, 443, 50000, data, size);
    return 0;
}
