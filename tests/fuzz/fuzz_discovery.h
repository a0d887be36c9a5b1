/* fuzz_discovery.h — what every discovery reply fuzz target does: parse the
 * bytes as one datagram and, when accepted, turn the answer into
 * observations (so the emit step runs on hostile answers too). */
#ifndef CAMAUDIT_FUZZ_DISCOVERY_H
#define CAMAUDIT_FUZZ_DISCOVERY_H

#include "discovery/discovery.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void fuzz_discovery_reply(int (*parse)(const uint8_t *, size_t,
                                                     struct discovery_answer *),
                                        const uint8_t *data, size_t size)
{
    struct discovery_answer ans;
    if (parse(data, size, &ans) != 0)
        return;
    struct discovery_obs_list out = {0};
    struct discovery_subnet net = {0x0A420000u, 24}; /* 10.66.0.0/24 */
    discovery_answer_emit(&ans, &net, 0, &out);
    discovery_obs_list_free(&out);
    discovery_answer_clear(&ans);
}

#endif
