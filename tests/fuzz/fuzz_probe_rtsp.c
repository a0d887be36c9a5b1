/* fuzz_probe_rtsp.c — the rtsp probe module's response handling on arbitrary
 * bytes (see probe_fuzz.h). */
#include "probe_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_probe_module(&probe_rtsp, data, size);
    return 0;
}
