/* http_parse.c — bounded HTTP/RTSP response parser; see http_parse.h.
 *
 * Two passes share one grammar: http_response_status() only decides whether
 * to read on (no allocation, called after every read), http_parse_response()
 * fills the record once reading stopped. Every length read from the wire is
 * clamped to what is actually present and to the caller's limit. */
#include "probes/http_parse.h"

#include "core/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum body_framing {
    BODY_NONE,        /* 1xx, 204, 304, RTSP without Content-Length */
    BODY_LENGTH,      /* Content-Length */
    BODY_CHUNKED,     /* Transfer-Encoding: chunked */
    BODY_UNTIL_CLOSE, /* HTTP without a length: the body ends with the stream */
};

struct head_info {
    size_t header_bytes; /* 0 while the blank line is not there yet */
    int status;
    bool rtsp;
    enum body_framing framing;
    size_t content_length; /* clamped to SIZE_MAX/2 */
};

/* Length of the line at p (without its LF), or -1 when no LF in avail. */
static long line_length(const uint8_t *p, size_t avail)
{
    const uint8_t *nl = memchr(p, '\n', avail);
    return nl ? (long)(nl - p) : -1;
}

static size_t trim_cr(const uint8_t *p, size_t n)
{
    return (n > 0 && p[n - 1] == '\r') ? n - 1 : n;
}

static bool parse_status_line(const uint8_t *p, size_t n, char *protocol, size_t proto_size,
                              int *status, bool *rtsp)
{
    size_t i = 0;
    bool is_http = n >= 5 && memcmp(p, "HTTP/", 5) == 0;
    bool is_rtsp = n >= 5 && memcmp(p, "RTSP/", 5) == 0;
    if (!is_http && !is_rtsp)
        return false;
    while (i < n && p[i] != ' ')
        i++;
    if (i >= proto_size || i > 12)
        return false;
    if (protocol) {
        memcpy(protocol, p, i);
        protocol[i] = '\0';
    }
    while (i < n && p[i] == ' ')
        i++;
    if (i + 3 > n || !isdigit(p[i]) || !isdigit(p[i + 1]) || !isdigit(p[i + 2]))
        return false;
    if (i + 3 < n && p[i + 3] != ' ' && p[i + 3] != '\t')
        return false;
    *status = (p[i] - '0') * 100 + (p[i + 1] - '0') * 10 + (p[i + 2] - '0');
    *rtsp = is_rtsp;
    return *status >= 100;
}

static void trim_blanks(const uint8_t **p, size_t *n)
{
    while (*n > 0 && (**p == ' ' || **p == '\t')) {
        (*p)++;
        (*n)--;
    }
    while (*n > 0 && ((*p)[*n - 1] == ' ' || (*p)[*n - 1] == '\t'))
        (*n)--;
}

static bool value_equals(const uint8_t *v, size_t n, const char *word)
{
    return n == strlen(word) && strncasecmp((const char *)v, word, n) == 0;
}

/* Content-Length digits; garbage or overflow count as "no length". */
static bool parse_content_length(const uint8_t *v, size_t n, size_t *out)
{
    if (n == 0 || n > 18)
        return false;
    size_t value = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit(v[i]))
            return false;
        value = value * 10 + (size_t)(v[i] - '0');
    }
    *out = value;
    return true;
}

static void note_framing_header(struct head_info *info, const uint8_t *name, size_t name_len,
                                const uint8_t *value, size_t value_len, bool *has_length)
{
    if (name_len == 14 && strncasecmp((const char *)name, "Content-Length", 14) == 0) {
        *has_length = parse_content_length(value, value_len, &info->content_length);
    } else if (name_len == 17 && strncasecmp((const char *)name, "Transfer-Encoding", 17) == 0 &&
               value_len >= 7 && value_equals(value + value_len - 7, 7, "chunked") &&
               (value_len == 7 || value[value_len - 8] == ',' || value[value_len - 8] == ' ')) {
        info->framing = BODY_CHUNKED; /* the last coding, as a whole name */
    }
}

static void decide_framing(struct head_info *info, bool has_length)
{
    /* No body by status comes first, whatever the headers claim. */
    if ((info->status >= 100 && info->status < 200) || info->status == 204 || info->status == 304)
        info->framing = BODY_NONE;
    else if (info->framing == BODY_CHUNKED && !info->rtsp)
        return;
    else if (has_length)
        info->framing = BODY_LENGTH;
    else
        info->framing = info->rtsp ? BODY_NONE : BODY_UNTIL_CLOSE;
}

/* Walks status line and headers. Fills out's protocol/status/headers when
 * out is given. Returns COMPLETE with info filled, INCOMPLETE, or MALFORMED. */
static enum http_parse_result parse_head(const uint8_t *data, size_t len, struct head_info *info,
                                         struct http_response *out)
{
    memset(info, 0, sizeof *info);
    size_t scan = len < HTTP_MAX_HEADER_BYTES ? len : HTTP_MAX_HEADER_BYTES;
    long n = line_length(data, scan);
    if (n < 0) {
        /* A first line that cannot be a status line is malformed right away. */
        size_t have = scan < 5 ? scan : 5;
        if (memcmp(data, "HTTP/", have) != 0 && memcmp(data, "RTSP/", have) != 0)
            return HTTP_PARSE_MALFORMED;
        return len >= HTTP_MAX_HEADER_BYTES ? HTTP_PARSE_MALFORMED : HTTP_PARSE_INCOMPLETE;
    }
    char protocol[16];
    if (!parse_status_line(data, trim_cr(data, (size_t)n), protocol, sizeof protocol, &info->status,
                           &info->rtsp))
        return HTTP_PARSE_MALFORMED;
    if (out) {
        memcpy(out->protocol, protocol, sizeof protocol);
        out->status = info->status;
    }
    size_t pos = (size_t)n + 1;
    bool has_length = false;
    for (;;) {
        long ln = line_length(data + pos, scan - pos);
        if (ln < 0)
            return len >= HTTP_MAX_HEADER_BYTES ? HTTP_PARSE_MALFORMED : HTTP_PARSE_INCOMPLETE;
        const uint8_t *line = data + pos;
        size_t line_len = trim_cr(line, (size_t)ln);
        pos += (size_t)ln + 1;
        if (line_len == 0)
            break;
        const uint8_t *colon = memchr(line, ':', line_len);
        if (!colon || colon == line || line[0] == ' ' || line[0] == '\t')
            continue; /* folded or junk line: not a header we can use */
        const uint8_t *value = colon + 1;
        size_t name_len = (size_t)(colon - line), value_len = line_len - name_len - 1;
        trim_blanks(&value, &value_len);
        note_framing_header(info, line, name_len, value, value_len, &has_length);
        if (!out)
            continue;
        if (out->header_count == HTTP_MAX_HEADERS) {
            out->headers_truncated = true;
            continue;
        }
        struct http_header *h = &out->headers[out->header_count++];
        h->name = (const char *)line;
        h->name_len = name_len;
        h->value = (const char *)value;
        h->value_len = value_len;
    }
    info->header_bytes = pos;
    decide_framing(info, has_length);
    return HTTP_PARSE_COMPLETE;
}

/* Parses one chunk-size line at p; returns its length including LF, or 0
 * when incomplete, or -1 when malformed. */
static long chunk_size_line(const uint8_t *p, size_t avail, size_t *size)
{
    size_t scan = avail < HTTP_MAX_CHUNK_LINE ? avail : HTTP_MAX_CHUNK_LINE;
    long n = line_length(p, scan);
    if (n < 0)
        return avail >= HTTP_MAX_CHUNK_LINE ? -1 : 0;
    size_t value = 0, digits = 0;
    for (long i = 0; i < n && isxdigit(p[i]); i++, digits++) {
        if (digits >= 15)
            return -1;
        int c = tolower(p[i]);
        value = value * 16 + (size_t)(isdigit(c) ? c - '0' : c - 'a' + 10);
    }
    if (digits == 0)
        return -1;
    *size = value;
    return n + 1;
}

/* After the last chunk: trailer lines (rarely any), then an empty line; the
 * answer is whole only once that empty line is there, so its CR LF cannot
 * be taken for the start of the next answer on a kept-alive connection. */
static enum http_parse_result trailers_status(const uint8_t *p, size_t len)
{
    size_t pos = 0;
    for (;;) {
        long n = line_length(p + pos, len - pos);
        if (n < 0)
            return len - pos >= HTTP_MAX_HEADER_BYTES ? HTTP_PARSE_MALFORMED
                                                      : HTTP_PARSE_INCOMPLETE;
        size_t line = trim_cr(p + pos, (size_t)n);
        pos += (size_t)n + 1;
        if (line == 0)
            return HTTP_PARSE_COMPLETE;
        if (pos >= HTTP_MAX_HEADER_BYTES)
            return HTTP_PARSE_MALFORMED;
    }
}

/* Walks chunks from data[0..len); copies up to limit bytes into out (may be
 * NULL). Returns COMPLETE at the last chunk, INCOMPLETE or MALFORMED. */
static enum http_parse_result walk_chunks(const uint8_t *data, size_t len, char *out, size_t limit,
                                          size_t *out_len)
{
    size_t pos = 0;
    *out_len = 0;
    for (size_t chunks = 0;; chunks++) {
        /* Walked again after every read: a body of countless tiny chunks
         * would cost time growing with its square, so it is refused. */
        if (chunks == HTTP_MAX_CHUNKS)
            return HTTP_PARSE_MALFORMED;
        size_t size;
        long n = chunk_size_line(data + pos, len - pos, &size);
        if (n <= 0)
            return n < 0 ? HTTP_PARSE_MALFORMED : HTTP_PARSE_INCOMPLETE;
        pos += (size_t)n;
        if (size == 0)
            return trailers_status(data + pos, len - pos);
        size_t avail = len - pos, take = size < avail ? size : avail;
        if (out && *out_len < limit) {
            size_t copy = take < limit - *out_len ? take : limit - *out_len;
            memcpy(out + *out_len, data + pos, copy);
            *out_len += copy;
        }
        if (size > avail)
            return HTTP_PARSE_INCOMPLETE;
        pos += size;
        long end = line_length(data + pos, len - pos);
        if (end < 0)
            return (len - pos) > 2 ? HTTP_PARSE_MALFORMED : HTTP_PARSE_INCOMPLETE;
        if (trim_cr(data + pos, (size_t)end) != 0)
            return HTTP_PARSE_MALFORMED;
        pos += (size_t)end + 1;
    }
}

static enum http_parse_result body_status(const struct head_info *info, const uint8_t *body,
                                          size_t avail)
{
    size_t ignored;
    switch (info->framing) {
    case BODY_NONE:
        return HTTP_PARSE_COMPLETE;
    case BODY_LENGTH:
        return avail >= info->content_length ? HTTP_PARSE_COMPLETE : HTTP_PARSE_INCOMPLETE;
    case BODY_CHUNKED:
        return walk_chunks(body, avail, NULL, 0, &ignored);
    case BODY_UNTIL_CLOSE:
        break;
    }
    return HTTP_PARSE_INCOMPLETE;
}

/* parse_head of the real answer: interim ones (1xx but 101 Switching
 * Protocols: 100 Continue, 103 Early Hints; at most a few) are stepped over,
 * their bytes counted in *skipped. Each head is parsed once. */
static enum http_parse_result parse_answer_head(const uint8_t *data, size_t len,
                                                struct head_info *info, struct http_response *out,
                                                size_t *skipped)
{
    *skipped = 0;
    for (int interim = 0;; interim++) {
        enum http_parse_result r = parse_head(data + *skipped, len - *skipped, info, out);
        if (r != HTTP_PARSE_COMPLETE || interim == 8 || info->rtsp || info->status >= 200 ||
            info->status == 101)
            return r;
        *skipped += info->header_bytes;
        if (out)
            memset(out, 0, sizeof *out); /* the interim answer's headers are not kept */
    }
}

enum http_parse_result http_response_status(const uint8_t *data, size_t len)
{
    struct head_info info;
    size_t interim;
    enum http_parse_result r = parse_answer_head(data, len, &info, NULL, &interim);
    if (r != HTTP_PARSE_COMPLETE)
        return r;
    data += interim + info.header_bytes;
    return body_status(&info, data, len - interim - info.header_bytes);
}

static void copy_body(const struct head_info *info, const uint8_t *body, size_t avail, size_t limit,
                      struct http_response *out)
{
    size_t want = avail;
    if (info->framing == BODY_NONE)
        want = 0;
    else if (info->framing == BODY_LENGTH && info->content_length < avail)
        want = info->content_length;
    size_t keep = want < limit ? want : limit;
    out->body = xmalloc(keep + 1);
    if (info->framing == BODY_CHUNKED) {
        enum http_parse_result r = walk_chunks(body, avail, out->body, limit, &out->body_len);
        out->body_complete = r == HTTP_PARSE_COMPLETE;
    } else {
        memcpy(out->body, body, keep);
        out->body_len = keep;
        out->body_complete = body_status(info, body, avail) == HTTP_PARSE_COMPLETE;
    }
    out->body_until_close = info->framing == BODY_UNTIL_CLOSE;
    out->body_capped = out->body_len == limit && (want > limit || !out->body_complete);
    out->body[out->body_len] = '\0';
}

enum http_parse_result http_parse_response(const uint8_t *data, size_t len, size_t body_limit,
                                           struct http_response *out)
{
    memset(out, 0, sizeof *out);
    struct head_info info;
    size_t interim;
    enum http_parse_result r = parse_answer_head(data, len, &info, out, &interim);
    if (r != HTTP_PARSE_COMPLETE) {
        memset(out, 0, sizeof *out);
        return r;
    }
    out->header_bytes = interim + info.header_bytes;
    copy_body(&info, data + out->header_bytes, len - out->header_bytes, body_limit, out);
    return out->body_complete ? HTTP_PARSE_COMPLETE : HTTP_PARSE_INCOMPLETE;
}

void http_response_free(struct http_response *r)
{
    free(r->body);
    r->body = NULL;
    r->body_len = 0;
}

const struct http_header *http_find_header(const struct http_response *r, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < r->header_count; i++)
        if (r->headers[i].name_len == n && strncasecmp(r->headers[i].name, name, n) == 0)
            return &r->headers[i];
    return NULL;
}

bool http_header_copy(const struct http_response *r, const char *name, char *buf, size_t buf_size)
{
    const struct http_header *h = http_find_header(r, name);
    if (!h || buf_size == 0)
        return false;
    size_t n = h->value_len < buf_size - 1 ? h->value_len : buf_size - 1;
    memcpy(buf, h->value, n);
    buf[n] = '\0';
    return true;
}

/* Case-insensitive search for needle in hay[0..len). */
static const char *find_nocase(const char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; n <= len && i <= len - n; i++)
        if (strncasecmp(hay + i, needle, n) == 0)
            return hay + i;
    return NULL;
}

size_t http_html_title(const char *body, size_t len, char *buf, size_t buf_size)
{
    if (buf_size == 0)
        return 0;
    buf[0] = '\0';
    const char *open = find_nocase(body, len, "<title");
    if (!open)
        return 0;
    const char *end_of_body = body + len;
    const char *gt = memchr(open, '>', (size_t)(end_of_body - open));
    if (!gt)
        return 0;
    const char *text = gt + 1;
    const char *close = find_nocase(text, (size_t)(end_of_body - text), "</title");
    if (!close)
        close = end_of_body;
    size_t o = 0;
    bool blank = false;
    for (const char *p = text; p < close && o + 1 < buf_size; p++) {
        bool is_blank = *p == ' ' || *p == '\t' || *p == '\r' || *p == '\n';
        if (is_blank) {
            blank = o > 0;
            continue;
        }
        if (blank && o + 2 < buf_size)
            buf[o++] = ' ';
        blank = false;
        buf[o++] = *p;
    }
    buf[o] = '\0';
    return o;
}
