/* test_http_parse.c — the HTTP/RTSP response parser on real device answers
 * and on hostile input: endless headers, lying lengths, broken chunking,
 * bare LF, binary junk, truncation at every byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "probes/http_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum http_parse_result parse(const char *text, size_t limit, struct http_response *r)
{
    return http_parse_response((const uint8_t *)text, strlen(text), limit, r);
}

static void test_hikvision_401_is_parsed(void **state)
{
    (void)state;
    const char *text = "HTTP/1.1 401 Unauthorized\r\n"
                       "Date: Sun, 01 Apr 2018 18:58:53 GMT\r\n"
                       "Server:\r\n"
                       "Content-Length: 5\r\n"
                       "WWW-Authenticate: Digest qop=\"auth\", realm=\"IP Camera(C2183)\", "
                       "nonce=\"4e54\", stale=\"FALSE\"\r\n"
                       "\r\nhello";
    struct http_response r;
    assert_int_equal(parse(text, 1024, &r), HTTP_PARSE_COMPLETE);
    assert_string_equal(r.protocol, "HTTP/1.1");
    assert_int_equal(r.status, 401);
    char buf[256];
    assert_true(http_header_copy(&r, "www-authenticate", buf, sizeof buf));
    assert_string_equal(buf, "Digest qop=\"auth\", realm=\"IP Camera(C2183)\", nonce=\"4e54\", "
                             "stale=\"FALSE\"");
    assert_true(http_header_copy(&r, "Server", buf, sizeof buf));
    assert_string_equal(buf, "");
    assert_false(http_header_copy(&r, "Location", buf, sizeof buf));
    assert_int_equal(r.body_len, 5);
    assert_string_equal(r.body, "hello");
    assert_true(r.body_complete);
    http_response_free(&r);
}

static void test_rtsp_without_length_has_no_body(void **state)
{
    (void)state;
    const char *text = "RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: Rtsp Server/3.0\r\n"
                       "Public: OPTIONS, DESCRIBE\r\n\r\n";
    assert_int_equal(http_response_status((const uint8_t *)text, strlen(text)),
                     HTTP_PARSE_COMPLETE);
    struct http_response r;
    assert_int_equal(parse(text, 1024, &r), HTTP_PARSE_COMPLETE);
    assert_string_equal(r.protocol, "RTSP/1.0");
    assert_int_equal(r.body_len, 0);
    http_response_free(&r);
}

static void test_http_without_length_reads_to_close(void **state)
{
    (void)state;
    const char *text = "HTTP/1.0 200 OK\nServer: uc-httpd 1.0.0\n\n<html>";
    assert_int_equal(http_response_status((const uint8_t *)text, strlen(text)),
                     HTTP_PARSE_INCOMPLETE);
    struct http_response r;
    assert_int_equal(parse(text, 1024, &r), HTTP_PARSE_INCOMPLETE);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "<html>");
    char buf[64];
    assert_true(http_header_copy(&r, "server", buf, sizeof buf));
    assert_string_equal(buf, "uc-httpd 1.0.0");
    http_response_free(&r);
}

static void test_chunked_body_is_decoded(void **state)
{
    (void)state;
    const char *text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                       "5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n";
    struct http_response r;
    assert_int_equal(parse(text, 1024, &r), HTTP_PARSE_COMPLETE);
    assert_string_equal(r.body, "hello, world");
    http_response_free(&r);
    /* The same body cut at the limit. */
    assert_int_equal(parse(text, 7, &r), HTTP_PARSE_COMPLETE);
    assert_string_equal(r.body, "hello, ");
    http_response_free(&r);
}

static void test_lying_lengths_are_not_trusted(void **state)
{
    (void)state;
    struct http_response r;
    /* Content-Length far beyond what came: body is what is there. */
    const char *text = "HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\nabc";
    assert_int_equal(parse(text, 1024, &r), HTTP_PARSE_INCOMPLETE);
    assert_int_equal(r.body_len, 3);
    assert_false(r.body_complete);
    http_response_free(&r);
    /* A chunk that claims 2^60 bytes. */
    text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFF\r\nxyz";
    assert_int_equal(parse(text, 1024, &r), HTTP_PARSE_INCOMPLETE);
    assert_string_equal(r.body, "xyz");
    http_response_free(&r);
    /* More hex digits than any size: malformed, no overflow. */
    text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\nxyz";
    assert_int_equal(http_response_status((const uint8_t *)text, strlen(text)),
                     HTTP_PARSE_MALFORMED);
    /* Garbage Content-Length: read to close. */
    text = "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\nabc";
    assert_int_equal(parse(text, 1024, &r), HTTP_PARSE_INCOMPLETE);
    assert_string_equal(r.body, "abc");
    http_response_free(&r);
}

static void test_endless_headers_are_malformed(void **state)
{
    (void)state;
    size_t size = HTTP_MAX_HEADER_BYTES + 4096;
    char *text = malloc(size + 1);
    strcpy(text, "HTTP/1.1 200 OK\r\n");
    size_t o = strlen(text);
    while (o + 16 < size)
        o += (size_t)sprintf(text + o, "X-Junk: %05zu\r\n", o % 100000);
    text[o] = '\0';
    assert_int_equal(http_response_status((const uint8_t *)text, o), HTTP_PARSE_MALFORMED);
    struct http_response r;
    assert_int_equal(http_parse_response((const uint8_t *)text, o, 1024, &r), HTTP_PARSE_MALFORMED);
    assert_null(r.body);
    /* One endless header line without LF too. */
    memset(text, 'A', size);
    memcpy(text, "HTTP/1.1 200 OK\r\nX: ", 20);
    assert_int_equal(http_response_status((const uint8_t *)text, size), HTTP_PARSE_MALFORMED);
    free(text);
}

static void test_many_headers_are_counted_not_kept(void **state)
{
    (void)state;
    char text[8192] = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < HTTP_MAX_HEADERS + 20; i++)
        sprintf(text + strlen(text), "H%d: v\r\n", i);
    strcat(text, "Server: late\r\n\r\n");
    struct http_response r;
    assert_int_equal(parse(text, 16, &r), HTTP_PARSE_INCOMPLETE); /* reads to close */
    assert_int_equal(r.header_count, HTTP_MAX_HEADERS);
    assert_true(r.headers_truncated);
    assert_null(http_find_header(&r, "Server"));
    http_response_free(&r);
}

static void test_not_http_is_malformed_early(void **state)
{
    (void)state;
    const uint8_t junk[] = {0xff, 0x01, 0x00, 0x00, 0x01};
    assert_int_equal(http_response_status(junk, sizeof junk), HTTP_PARSE_MALFORMED);
    assert_int_equal(http_response_status((const uint8_t *)"SSH-2.0-dropbear", 16),
                     HTTP_PARSE_MALFORMED);
    assert_int_equal(http_response_status((const uint8_t *)"HTT", 3), HTTP_PARSE_INCOMPLETE);
    assert_int_equal(http_response_status((const uint8_t *)"", 0), HTTP_PARSE_INCOMPLETE);
    const char *bad_status[] = {"HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 abc OK\r\n\r\n",
                                "HTTP/1.1 099 X\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n",
                                "HTTP/1.1\r\n\r\n",       NULL};
    for (const char **t = bad_status; *t; t++)
        assert_int_equal(http_response_status((const uint8_t *)*t, strlen(*t)),
                         HTTP_PARSE_MALFORMED);
}

/* Every prefix of a valid response parses without a fault, and only the
 * whole one is complete. */
static void test_interim_answers_are_skipped(void **state)
{
    (void)state;
    const char *text = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                       "HTTP/1.1 200 OK\r\nContent-Length: 27\r\n\r\n<title>Login camera</title>";
    struct http_response r;
    assert_int_equal(parse(text, 1024, &r), HTTP_PARSE_COMPLETE);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "<title>Login camera</title>");
    assert_int_equal(r.header_bytes, strlen(text) - 27);
    http_response_free(&r);
    /* The interim answer alone: the real one is still to come. */
    const char *alone = "HTTP/1.1 100 Continue\r\n\r\n";
    assert_int_equal(http_response_status((const uint8_t *)alone, strlen(alone)),
                     HTTP_PARSE_INCOMPLETE);
}

static void test_chunked_edge_cases(void **state)
{
    (void)state;
    /* 204 and 304 have no body, whatever Transfer-Encoding claims. */
    const char *no_body = "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n";
    assert_int_equal(http_response_status((const uint8_t *)no_body, strlen(no_body)),
                     HTTP_PARSE_COMPLETE);
    /* "notchunked" is not chunked: the body runs to the end of the stream. */
    const char *odd = "HTTP/1.1 200 OK\r\nTransfer-Encoding: notchunked\r\n\r\n0\r\n\r\n";
    assert_int_equal(http_response_status((const uint8_t *)odd, strlen(odd)),
                     HTTP_PARSE_INCOMPLETE);
    const char *gzip = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n";
    assert_int_equal(http_response_status((const uint8_t *)gzip, strlen(gzip)),
                     HTTP_PARSE_COMPLETE);
    /* Trailers, then the empty line. */
    const char *trailer = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                          "2\r\nok\r\n0\r\nX-Checksum: 1\r\n\r\n";
    assert_int_equal(http_response_status((const uint8_t *)trailer, strlen(trailer)),
                     HTTP_PARSE_COMPLETE);
    assert_int_equal(http_response_status((const uint8_t *)trailer, strlen(trailer) - 2),
                     HTTP_PARSE_INCOMPLETE);
    /* Countless one-byte chunks are refused, not walked after every read. */
    const char *head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    size_t head_len = strlen(head), n = HTTP_MAX_CHUNKS + 1;
    char *many = malloc(head_len + n * 6 + 1);
    memcpy(many, head, head_len);
    for (size_t i = 0; i < n; i++)
        memcpy(many + head_len + i * 6, "1\r\nX\r\n", 6);
    assert_int_equal(http_response_status((const uint8_t *)many, head_len + n * 6),
                     HTTP_PARSE_MALFORMED);
    free(many);
}

static void test_every_prefix_is_safe(void **state)
{
    (void)state;
    const char *text = "HTTP/1.1 302 Found\r\nLocation: /doc/page/login.asp?_1\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
    size_t len = strlen(text);
    for (size_t n = 0; n <= len; n++) {
        uint8_t *copy = malloc(n ? n : 1); /* exact size: ASan sees any over-read */
        memcpy(copy, text, n);
        enum http_parse_result st = http_response_status(copy, n);
        struct http_response r;
        enum http_parse_result full = http_parse_response(copy, n, 64, &r);
        if (n < len) /* whole only with the empty line after the last chunk */
            assert_int_not_equal(st, HTTP_PARSE_COMPLETE);
        else
            assert_int_equal(st, HTTP_PARSE_COMPLETE);
        assert_int_not_equal(st, HTTP_PARSE_MALFORMED);
        if (r.header_bytes)
            http_response_free(&r);
        (void)full;
        free(copy);
    }
}

static void test_title_is_extracted(void **state)
{
    (void)state;
    char buf[64];
    const char *html = "<HTML><head><TITLE lang=en>\n  NETSurveillance   WEB \n</title>";
    assert_int_equal(http_html_title(html, strlen(html), buf, sizeof buf), 19);
    assert_string_equal(buf, "NETSurveillance WEB");
    assert_int_equal(http_html_title("<title>unclosed", 15, buf, sizeof buf), 8);
    assert_string_equal(buf, "unclosed");
    assert_int_equal(http_html_title("<title", 6, buf, sizeof buf), 0);
    assert_int_equal(http_html_title("no title", 8, buf, sizeof buf), 0);
    char small[4];
    assert_int_equal(http_html_title("<title>abcdef</title>", 21, small, sizeof small), 3);
    assert_string_equal(small, "abc");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hikvision_401_is_parsed),
        cmocka_unit_test(test_rtsp_without_length_has_no_body),
        cmocka_unit_test(test_http_without_length_reads_to_close),
        cmocka_unit_test(test_chunked_body_is_decoded),
        cmocka_unit_test(test_lying_lengths_are_not_trusted),
        cmocka_unit_test(test_endless_headers_are_malformed),
        cmocka_unit_test(test_many_headers_are_counted_not_kept),
        cmocka_unit_test(test_not_http_is_malformed_early),
        cmocka_unit_test(test_interim_answers_are_skipped),
        cmocka_unit_test(test_chunked_edge_cases),
        cmocka_unit_test(test_every_prefix_is_safe),
        cmocka_unit_test(test_title_is_extracted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
