/* fuzz_http_parse.c — the HTTP/RTSP response parser and title extraction on
 * arbitrary bytes, at a small and a large body limit. */
#include "probes/http_parse.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (size)
        memcpy(copy, data, size);
    http_response_status(copy, size);
    size_t limits[] = {0, 7, 1 << 20};
    for (size_t i = 0; i < 3; i++) {
        struct http_response r;
        if (http_parse_response(copy, size, limits[i], &r) != HTTP_PARSE_MALFORMED &&
            r.header_bytes) {
            char buf[128];
            http_html_title(r.body, r.body_len, buf, sizeof buf);
            http_header_copy(&r, "Server", buf, sizeof buf);
            http_response_free(&r);
        }
    }
    char title[64];
    http_html_title((const char *)copy, size, title, sizeof title);
    free(copy);
    return 0;
}
