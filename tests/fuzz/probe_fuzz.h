/* probe_fuzz.h — shared body of the probe fuzz targets: feeds one input as
 * the answer to every step of a probe module (requests built in between, so
 * a redirect taken from the input is exercised too). */
#ifndef CAMAUDIT_PROBE_FUZZ_H
#define CAMAUDIT_PROBE_FUZZ_H

#include "probes/probe.h"

#include <stdlib.h>
#include <string.h>

static inline void fuzz_probe_module(const struct probe_module *m, const uint8_t *data, size_t size)
{
    if (size > m->response_cap)
        size = m->response_cap;
    uint8_t *copy = malloc(size ? size : 1); /* exact size: over-reads are caught */
    if (size)
        memcpy(copy, data, size);
    struct obs_list obs = {0};
    struct probe_session s = {.module = m, .ip = "127.30.0.1", .port = 80, .out = &obs};
    for (int step = 0; step < 16 && !s.done; step++) {
        char *req = NULL;
        size_t len = 0;
        m->build_request(&s, &req, &len);
        free(req);
        m->response_status(copy, size);
        m->parse_response(&s, copy, size);
    }
    obs_list_clear(&obs);
    free(copy);
}

#endif
