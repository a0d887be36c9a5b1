/* http_parse.h — the one parser of HTTP and RTSP responses in camaudit.
 *
 * Devices answer with anything: endless header lists, bodies that never end,
 * lying Content-Length and chunk sizes, bare LF line ends, binary junk. This
 * parser takes the bytes received so far plus limits, trusts no length field,
 * copies nothing but the (bounded, de-chunked) body, and tells the engine
 * whether to keep reading. RTSP shares the grammar (status line "RTSP/1.0",
 * no body without Content-Length). */
#ifndef CAMAUDIT_HTTP_PARSE_H
#define CAMAUDIT_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Headers kept per response; further ones are counted, not kept. */
#define HTTP_MAX_HEADERS 64
/* Status line plus headers longer than this is hostile: parsing stops. */
#define HTTP_MAX_HEADER_BYTES (16 * 1024)
/* Longest hex chunk-size line accepted in chunked bodies. */
#define HTTP_MAX_CHUNK_LINE 64
/* Most chunks walked in one chunked body (a hostile body of 1-byte chunks
 * is refused, not walked again after every read). */
#define HTTP_MAX_CHUNKS 4096

struct http_header {
    const char *name; /* points into the parsed data, not terminated */
    size_t name_len;
    const char *value; /* leading and trailing blanks removed */
    size_t value_len;
};

struct http_response {
    char protocol[16]; /* "HTTP/1.1", "RTSP/1.0" */
    int status;        /* 100..999 */
    struct http_header headers[HTTP_MAX_HEADERS];
    size_t header_count;    /* kept */
    bool headers_truncated; /* more header lines than HTTP_MAX_HEADERS */
    size_t header_bytes;    /* status line + headers + blank line */
    char *body;             /* owned, de-chunked, NUL-terminated, at most body_limit */
    size_t body_len;
    bool body_complete;    /* the whole declared body was present */
    bool body_until_close; /* no length: the body ends with the connection */
    bool body_capped;      /* the body was cut at body_limit */
};

enum http_parse_result {
    HTTP_PARSE_MALFORMED = -1, /* not HTTP/RTSP, or over a limit: stop reading */
    HTTP_PARSE_INCOMPLETE = 0, /* need more bytes (or end of stream) */
    HTTP_PARSE_COMPLETE = 1,   /* a whole response is present */
};

/* Parses the response at data[0..len). On COMPLETE and INCOMPLETE with whole
 * headers, out is filled (header_bytes > 0) and must be released with
 * http_response_free; on MALFORMED out holds nothing to free (it is zeroed).
 * At most body_limit body bytes are kept. */
enum http_parse_result http_parse_response(const uint8_t *data, size_t len, size_t body_limit,
                                           struct http_response *out);
void http_response_free(struct http_response *r);

/* Whether a reader should stop: COMPLETE when a whole response is present,
 * MALFORMED when it never will be, INCOMPLETE to read on. Allocates nothing. */
enum http_parse_result http_response_status(const uint8_t *data, size_t len);

/* First header of that name (case-insensitive), or NULL. */
const struct http_header *http_find_header(const struct http_response *r, const char *name);
/* Copy of a header value into buf (terminated, cut to buf_size-1); false when absent. */
bool http_header_copy(const struct http_response *r, const char *name, char *buf, size_t buf_size);

/* Text of the first <title> element of an HTML body, blanks squeezed, into
 * buf. Returns its length (0 when there is none). */
size_t http_html_title(const char *body, size_t len, char *buf, size_t buf_size);

#endif
