/* lab_request.h — the few network parsers camlab needs: the head of an HTTP or
 * RTSP request (request line, CSeq, Content-Length, Connection) and the
 * 20-byte Xiongmai DVRIP header. Each takes a length and a limit and trusts
 * no length field; tests/fuzz/fuzz_lab_request.c fuzzes them. */
#ifndef CAMLAB_REQUEST_H
#define CAMLAB_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum lab_parse {
    LAB_PARSE_OK,        /* a complete head was parsed */
    LAB_PARSE_NEED_MORE, /* no end of head yet, and still under the limit */
    LAB_PARSE_BAD,       /* malformed, or over the limit */
};

/* Largest request body camlab reads (ONVIF SOAP requests are a few KB). */
#define LAB_BODY_LIMIT (64 * 1024)

struct lab_request {
    char method[16];
    char target[1024]; /* as sent: "/path?q" or "rtsp://host:554/path" */
    char path[1024];   /* target without scheme and authority: "/path?q" */
    char version[16];  /* "HTTP/1.1", "RTSP/1.0" */
    long cseq;         /* RTSP CSeq, -1 when absent */
    size_t content_length;
    bool close;      /* the client asked for Connection: close (or HTTP/1.0) */
    size_t head_len; /* bytes up to and including the blank line */
};

/* Parses the request head at the start of buf[0..len). limit caps the head
 * size: a head not finished within limit bytes is LAB_PARSE_BAD. */
enum lab_parse lab_request_parse(const char *buf, size_t len, size_t limit,
                                 struct lab_request *out);

#define DVRIP_HEADER_LEN 20

struct dvrip_header {
    uint8_t version;
    uint32_t session;
    uint32_t sequence;
    uint16_t message_id;
    uint32_t body_len;
};

/* Parses a DVRIP header (little-endian, first byte 0xFF). BAD when the magic
 * is wrong or body_len exceeds body_limit. */
enum lab_parse dvrip_header_parse(const uint8_t *buf, size_t len, size_t body_limit,
                                  struct dvrip_header *out);
/* Writes a DVRIP header into out[DVRIP_HEADER_LEN]. */
void dvrip_header_write(const struct dvrip_header *h, uint8_t *out);

#endif
