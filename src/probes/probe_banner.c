/* probe_banner.c — the fallback probe for ports no module claims: connect,
 * send nothing, and record the first bytes the service volunteers (`banner`).
 * Waits only BANNER_WAIT_MS: a silent service is not worth a full timeout,
 * and a greeting comes right after the connect (one round trip). */
#include "probes/probe.h"

#define BANNER_WAIT_MS 1000
#define BANNER_CAP 1024

static void banner_build_request(struct probe_session *s, char **req, size_t *len)
{
    *req = NULL;
    *len = 0;
}

/* The first segment is the banner; devices send it in one write. */
static enum probe_read banner_response_status(const uint8_t *data, size_t len)
{
    return len > 0 ? PROBE_READ_DONE : PROBE_READ_MORE;
}

static void banner_parse_response(struct probe_session *s, const uint8_t *data, size_t len)
{
    if (len > 0)
        probe_emit(s, "banner", data, len);
    s->done = true;
}

const struct probe_module probe_banner = {
    .name = "banner",
    .response_cap = BANNER_CAP,
    .idle_ms = BANNER_WAIT_MS,
    .build_request = banner_build_request,
    .response_status = banner_response_status,
    .parse_response = banner_parse_response,
};
