/* fuzz_probe_banner.c — the banner probe module's response handling on arbitrary
 * bytes (see probe_fuzz.h). */
#include "probe_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_probe_module(&probe_banner, data, size);
    return 0;
}
