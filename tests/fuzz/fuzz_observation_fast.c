/* fuzz_observation_fast.c — differential test of the fast observation line
 * reader: whatever it accepts, the jansson reader must accept with the very
 * same result. */
#include "core/observation_fast.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same(const struct observation *a, const struct observation *b)
{
    return strcmp(a->ip, b->ip) == 0 && a->port == b->port && strcmp(a->proto, b->proto) == 0 &&
           strcmp(a->signal, b->signal) == 0 && strcmp(a->source, b->source) == 0 &&
           strcmp(a->mac, b->mac) == 0 && memcmp(&a->time, &b->time, sizeof a->time) == 0 &&
           a->value_len == b->value_len && memcmp(a->value, b->value, a->value_len) == 0 &&
           a->truncated == b->truncated;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct observation fast, slow;
    char err[256];
    int ok_fast = observation_parse_fast((const char *)data, size, &fast);
    int rc_slow = observation_parse_json_jansson((const char *)data, size, &slow, err, sizeof err);
    if (ok_fast && rc_slow != 0)
        abort(); /* the fast path accepted what jansson refuses */
    if (ok_fast && !same(&fast, &slow))
        abort();
    if (ok_fast)
        observation_clear(&fast);
    if (rc_slow == 0)
        observation_clear(&slow);
    return 0;
}
