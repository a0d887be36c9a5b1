/* fuzz_lab_request.c — camlab's request parsers on arbitrary bytes: the
 * HTTP/RTSP head parser (at several limits, checking its promises) and the
 * DVRIP header parser with a write/parse round trip. */
#include "../../lab/lab_request.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_request(const uint8_t *data, size_t size, size_t limit)
{
    /* a private copy, so reads past size are caught by the sanitizers */
    char *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    struct lab_request req;
    enum lab_parse rc = lab_request_parse(copy, size, limit, &req);
    if (rc == LAB_PARSE_OK) {
        if (req.head_len == 0 || req.head_len > size || req.head_len > limit)
            abort();
        if (req.content_length > LAB_BODY_LIMIT || req.path[0] == '\0')
            abort();
        if (strlen(req.method) >= sizeof req.method || strlen(req.target) >= sizeof req.target)
            abort();
    }
    if (rc == LAB_PARSE_NEED_MORE && size >= limit)
        abort();
    free(copy);
}

static void check_dvrip(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    struct dvrip_header h;
    if (dvrip_header_parse(copy, size, 4096, &h) == LAB_PARSE_OK) {
        if (h.body_len > 4096)
            abort();
        uint8_t out[DVRIP_HEADER_LEN];
        struct dvrip_header back;
        dvrip_header_write(&h, out);
        if (dvrip_header_parse(out, sizeof out, 4096, &back) != LAB_PARSE_OK ||
            back.message_id != h.message_id || back.body_len != h.body_len ||
            back.session != h.session || back.sequence != h.sequence)
            abort();
    }
    free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_request(data, size, 16 * 1024);
    check_request(data, size, 64);
    check_request(data, size, size / 2 + 1);
    check_dvrip(data, size);
    return 0;
}
