/* lab_request.c — bounded parsers for the requests camlab answers: HTTP/RTSP
 * request heads and DVRIP headers. See lab_request.h. */
#include "lab_request.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Offset just past the first "\r\n\r\n" (or "\n\n") in buf, or 0. */
static size_t find_head_end(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (buf[i] != '\n')
            continue;
        if (i + 1 < len && buf[i + 1] == '\n')
            return i + 2;
        if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

/* Copies the next space-delimited word of [*pos, end) into dst. */
static bool take_word(const char **pos, const char *end, char *dst, size_t dst_size)
{
    const char *p = *pos;
    while (p < end && *p == ' ')
        p++;
    const char *start = p;
    while (p < end && *p != ' ' && *p != '\r' && *p != '\n') {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return false; /* no control bytes in a request line */
        p++;
    }
    size_t n = (size_t)(p - start);
    if (n == 0 || n >= dst_size)
        return false;
    memcpy(dst, start, n);
    dst[n] = '\0';
    *pos = p;
    return true;
}

/* "/x" stays; "rtsp://host:554/x" and "http://host/x" become "/x". */
static void target_to_path(const char *target, char *path, size_t path_size)
{
    const char *p = target;
    const char *scheme = strstr(target, "://");
    if (target[0] != '/' && scheme) {
        p = strchr(scheme + 3, '/');
        if (!p)
            p = "/";
    }
    size_t n = strlen(p);
    if (n >= path_size)
        n = path_size - 1;
    memcpy(path, p, n);
    path[n] = '\0';
}

/* Parses a decimal value of at most 9 digits; false otherwise. */
static bool parse_small_number(const char *p, const char *end, long *out)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    long v = 0;
    int digits = 0;
    while (p < end && isdigit((unsigned char)*p) && digits < 10) {
        v = v * 10 + (*p - '0');
        p++;
        digits++;
    }
    if (digits == 0 || digits > 9)
        return false;
    *out = v;
    return true;
}

static bool header_is(const char *line, const char *colon, const char *name)
{
    size_t n = strlen(name);
    return (size_t)(colon - line) == n && strncasecmp(line, name, n) == 0;
}

/* Applies one "Name: value" line to out. False if a value is malformed. */
static bool apply_header(const char *line, const char *end, struct lab_request *out)
{
    const char *colon = memchr(line, ':', (size_t)(end - line));
    if (!colon)
        return true; /* tolerate junk lines like many embedded servers do */
    long v;
    if (header_is(line, colon, "Content-Length")) {
        if (!parse_small_number(colon + 1, end, &v) || v > LAB_BODY_LIMIT)
            return false;
        out->content_length = (size_t)v;
    } else if (header_is(line, colon, "CSeq")) {
        if (parse_small_number(colon + 1, end, &v))
            out->cseq = v;
    } else if (header_is(line, colon, "Connection")) {
        const char *p = colon + 1;
        while (p < end && *p == ' ')
            p++;
        if ((size_t)(end - p) >= 5 && strncasecmp(p, "close", 5) == 0)
            out->close = true;
        if ((size_t)(end - p) >= 10 && strncasecmp(p, "keep-alive", 10) == 0)
            out->close = false;
    }
    return true;
}

enum lab_parse lab_request_parse(const char *buf, size_t len, size_t limit, struct lab_request *out)
{
    size_t scan = len < limit ? len : limit;
    size_t head_len = find_head_end(buf, scan);
    if (head_len == 0)
        return len >= limit ? LAB_PARSE_BAD : LAB_PARSE_NEED_MORE;
    memset(out, 0, sizeof *out);
    out->cseq = -1;
    out->head_len = head_len;
    const char *end = buf + head_len;
    const char *line_end = memchr(buf, '\n', head_len);
    const char *p = buf;
    if (!take_word(&p, line_end, out->method, sizeof out->method) ||
        !take_word(&p, line_end, out->target, sizeof out->target) ||
        !take_word(&p, line_end, out->version, sizeof out->version))
        return LAB_PARSE_BAD;
    if (strncmp(out->version, "HTTP/", 5) != 0 && strncmp(out->version, "RTSP/", 5) != 0)
        return LAB_PARSE_BAD;
    out->close = strcmp(out->version, "HTTP/1.0") == 0;
    target_to_path(out->target, out->path, sizeof out->path);
    for (const char *line = line_end + 1; line < end;) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        const char *stop = nl ? nl : end;
        const char *text_end = stop > line && stop[-1] == '\r' ? stop - 1 : stop;
        if (text_end > line && !apply_header(line, text_end, out))
            return LAB_PARSE_BAD;
        line = stop + 1;
    }
    return LAB_PARSE_OK;
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

enum lab_parse dvrip_header_parse(const uint8_t *buf, size_t len, size_t body_limit,
                                  struct dvrip_header *out)
{
    if (len >= 1 && buf[0] != 0xFF)
        return LAB_PARSE_BAD;
    if (len < DVRIP_HEADER_LEN)
        return LAB_PARSE_NEED_MORE;
    out->version = buf[1];
    out->session = get_le32(buf + 4);
    out->sequence = get_le32(buf + 8);
    out->message_id = (uint16_t)(buf[14] | buf[15] << 8);
    out->body_len = get_le32(buf + 16);
    return out->body_len > body_limit ? LAB_PARSE_BAD : LAB_PARSE_OK;
}

void dvrip_header_write(const struct dvrip_header *h, uint8_t *out)
{
    memset(out, 0, DVRIP_HEADER_LEN);
    out[0] = 0xFF;
    out[1] = h->version;
    put_le32(out + 4, h->session);
    put_le32(out + 8, h->sequence);
    out[14] = (uint8_t)h->message_id;
    out[15] = (uint8_t)(h->message_id >> 8);
    put_le32(out + 16, h->body_len);
}
