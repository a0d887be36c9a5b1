/* probe_rtsp.c — RTSP probe: OPTIONS then DESCRIBE on the root URL, without
 * credentials (DESCRIBE usually answers 401 with a telling realm). Emits
 * rtsp.server, rtsp.www_authenticate and rtsp.sdp. Responses are parsed by
 * the one HTTP/RTSP parser (http_parse). */
#include "probes/http_parse.h"
#include "probes/probe.h"

#include "core/util.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

enum rtsp_step { STEP_OPTIONS, STEP_DESCRIBE, STEP_COUNT };

#define RTSP_RESPONSE_CAP (32 * 1024)

static void rtsp_build_request(struct probe_session *s, char **req, size_t *len)
{
    bool v6 = strchr(s->ip, ':') != NULL;
    char url[96];
    snprintf(url, sizeof url, v6 ? "rtsp://[%s]:%u/" : "rtsp://%s:%u/", s->ip, s->port);
    if (s->step == STEP_OPTIONS)
        *req = xasprintf("OPTIONS %s RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: camaudit/%s\r\n\r\n", url,
                         CAMAUDIT_VERSION);
    else
        *req = xasprintf("DESCRIBE %s RTSP/1.0\r\nCSeq: 2\r\nUser-Agent: camaudit/%s\r\n"
                         "Accept: application/sdp\r\n\r\n",
                         url, CAMAUDIT_VERSION);
    *len = strlen(*req);
}

static enum probe_read rtsp_response_status(const uint8_t *data, size_t len)
{
    return http_response_status(data, len) == HTTP_PARSE_INCOMPLETE ? PROBE_READ_MORE
                                                                    : PROBE_READ_DONE;
}

static void emit_headers(struct probe_session *s, const struct http_response *r, const char *header,
                         const char *signal)
{
    size_t n = strlen(header);
    for (size_t i = 0; i < r->header_count; i++) {
        const struct http_header *h = &r->headers[i];
        if (h->name_len == n && strncasecmp(h->name, header, n) == 0 && h->value_len > 0)
            probe_emit(s, signal, h->value, h->value_len);
    }
}

static void rtsp_parse_response(struct probe_session *s, const uint8_t *data, size_t len)
{
    struct http_response r;
    enum http_parse_result rc = http_parse_response(data, len, RTSP_RESPONSE_CAP, &r);
    if (rc == HTTP_PARSE_MALFORMED || r.header_bytes == 0 || strncmp(r.protocol, "RTSP/", 5)) {
        if (s->step == STEP_OPTIONS && len > 0)
            probe_emit(s, "banner", data, len);
        if (r.header_bytes)
            http_response_free(&r);
        s->done = true;
        return;
    }
    emit_headers(s, &r, "Server", "rtsp.server");
    emit_headers(s, &r, "WWW-Authenticate", "rtsp.www_authenticate");
    if (s->step == STEP_DESCRIBE && r.status == 200 && r.body_len > 1 &&
        strncmp(r.body, "v=", 2) == 0)
        probe_emit(s, "rtsp.sdp", r.body, r.body_len);
    http_response_free(&r);
    s->keep_alive = rc == HTTP_PARSE_COMPLETE; /* RTSP sessions carry many requests */
    s->step++;
    s->done = s->step >= STEP_COUNT;
}

const struct probe_module probe_rtsp = {
    .name = "rtsp",
    .response_cap = RTSP_RESPONSE_CAP,
    .build_request = rtsp_build_request,
    .response_status = rtsp_response_status,
    .parse_response = rtsp_parse_response,
};
