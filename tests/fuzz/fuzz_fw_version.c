/* fuzz_fw_version.c — the firmware version parser on arbitrary bytes (the
 * text comes from devices) and the comparator's laws: the input is split at
 * the first newline into two versions; a version equals itself and the
 * order is antisymmetric. */
#include "policy/version.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', size);
    size_t alen = nl ? (size_t)(nl - text) : size;
    struct fw_version a, b;
    int ra = fw_version_parse(text, alen, &a);
    if (ra == 0 && fw_version_compare(&a, &a) != FW_EQUAL)
        abort();
    if (!nl)
        return 0;
    int rb = fw_version_parse(nl + 1, size - alen - 1, &b);
    if (ra != 0 || rb != 0)
        return 0;
    enum fw_cmp ab = fw_version_compare(&a, &b), ba = fw_version_compare(&b, &a);
    if (ab == FW_INCOMPARABLE ? ba != FW_INCOMPARABLE : (int)ba != -(int)ab)
        abort();
    return 0;
}
