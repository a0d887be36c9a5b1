/* probe_http.c — HTTP and HTTPS probe: GET / (following one same-host
 * redirect), Hikvision ISAPI device info, Dahua magicBox system info, ONVIF
 * GetDeviceInformation, and /favicon.ico hashes. Every request is a plain
 * read without credentials; answers are parsed by http_parse. Emits
 * http.server, http.www_authenticate, http.title, http.body,
 * http.isapi_device_info, http.dahua_system_info, onvif.device_info,
 * http.favicon_md5 and http.favicon_mmh3. */
#include "probes/favicon_hash.h"
#include "probes/http_parse.h"
#include "probes/probe.h"

#include "core/util.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum http_step { STEP_ROOT, STEP_ISAPI, STEP_DAHUA, STEP_ONVIF, STEP_FAVICON, STEP_COUNT };

/* Bytes kept from one answer: headers plus a favicon of up to ~100 KB. */
#define HTTP_RESPONSE_CAP (128 * 1024)
#define HTTP_BODY_LIMIT (HTTP_RESPONSE_CAP - HTTP_MAX_HEADER_BYTES)

static const char onvif_get_device_information[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\">"
    "<s:Body><GetDeviceInformation xmlns=\"http://www.onvif.org/ver10/device/wsdl\"/>"
    "</s:Body></s:Envelope>";

static const char *step_path(const struct probe_session *s)
{
    switch ((enum http_step)s->step) {
    case STEP_ROOT:
        return s->redirect[0] ? s->redirect : "/";
    case STEP_ISAPI:
        return "/ISAPI/System/deviceInfo";
    case STEP_DAHUA:
        return "/cgi-bin/magicBox.cgi?action=getSystemInfo";
    case STEP_ONVIF:
        return "/onvif/device_service";
    case STEP_FAVICON:
    case STEP_COUNT:
        break;
    }
    return "/favicon.ico";
}

/* Host header: the address (bracketed for IPv6) and the port unless default. */
static void host_header(const struct probe_session *s, char *buf, size_t size)
{
    bool v6 = strchr(s->ip, ':') != NULL;
    uint16_t default_port = s->module->tls ? 443 : 80;
    if (s->port == default_port)
        snprintf(buf, size, v6 ? "[%s]" : "%s", s->ip);
    else
        snprintf(buf, size, v6 ? "[%s]:%u" : "%s:%u", s->ip, s->port);
}

static void http_build_request(struct probe_session *s, char **req, size_t *len)
{
    char host[80];
    host_header(s, host, sizeof host);
    if (s->step == STEP_ONVIF)
        *req =
            xasprintf("POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: camaudit/%s\r\n"
                      "Content-Type: application/soap+xml; charset=utf-8; "
                      "action=\"http://www.onvif.org/ver10/device/wsdl/GetDeviceInformation\"\r\n"
                      "Content-Length: %zu\r\n\r\n%s",
                      step_path(s), host, CAMAUDIT_VERSION, sizeof onvif_get_device_information - 1,
                      onvif_get_device_information);
    else
        *req = xasprintf("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: camaudit/%s\r\n"
                         "Accept: */*\r\n\r\n",
                         step_path(s), host, CAMAUDIT_VERSION);
    *len = strlen(*req);
}

static enum probe_read http_response_status_probe(const uint8_t *data, size_t len)
{
    return http_response_status(data, len) == HTTP_PARSE_INCOMPLETE ? PROBE_READ_MORE
                                                                    : PROBE_READ_DONE;
}

static void emit_header(struct probe_session *s, const struct http_response *r, const char *header,
                        const char *signal)
{
    size_t n = strlen(header);
    for (size_t i = 0; i < r->header_count; i++) {
        const struct http_header *h = &r->headers[i];
        if (h->name_len == n && strncasecmp(h->name, header, n) == 0 && h->value_len > 0)
            probe_emit(s, signal, h->value, h->value_len);
    }
}

static bool path_is_safe(const char *p, size_t n)
{
    if (n == 0 || n >= PROBE_PATH_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)p[i] <= ' ' || p[i] == 0x7f)
            return false;
    return true;
}

/* The path of a Location on this same host and port, or false. */
static bool same_host_path(const struct probe_session *s, const char *loc, size_t n, char *path,
                           size_t path_size)
{
    const char *scheme = s->module->tls ? "https://" : "http://";
    size_t scheme_len = strlen(scheme);
    if (n > scheme_len && strncasecmp(loc, scheme, scheme_len) == 0) {
        char host[80], with_port[80];
        host_header(s, host, sizeof host);
        snprintf(with_port, sizeof with_port, strchr(s->ip, ':') ? "[%s]:%u" : "%s:%u", s->ip,
                 s->port);
        const char *rest = loc + scheme_len;
        size_t rest_len = n - scheme_len;
        const char *slash = memchr(rest, '/', rest_len);
        size_t host_len = slash ? (size_t)(slash - rest) : rest_len;
        bool same = (host_len == strlen(host) && strncasecmp(rest, host, host_len) == 0) ||
                    (host_len == strlen(with_port) && strncasecmp(rest, with_port, host_len) == 0);
        if (!same)
            return false;
        loc = slash ? slash : "/";
        n = slash ? rest_len - host_len : 1;
    } else if (n >= 2 && loc[0] == '/' && loc[1] == '/') {
        return false; /* scheme-relative: another host */
    } else if (memchr(loc, ':', n) && loc[0] != '/') {
        return false; /* another scheme */
    }
    if (!path_is_safe(loc, n))
        return false;
    snprintf(path, path_size, "%s%.*s", loc[0] == '/' ? "" : "/", (int)n, loc);
    return true;
}

/* Sets up the one redirect GET / may follow. True when it will be followed. */
static bool plan_redirect(struct probe_session *s, const struct http_response *r)
{
    if (s->redirect[0] || r->status < 300 || r->status > 399)
        return false;
    const struct http_header *loc = http_find_header(r, "Location");
    if (!loc)
        return false;
    char path[PROBE_PATH_MAX];
    if (!same_host_path(s, loc->value, loc->value_len, path, sizeof path))
        return false;
    if (strcmp(path, "/") == 0)
        return false;
    strlcpy_safe(s->redirect, path, sizeof s->redirect);
    return true;
}

static void parse_root(struct probe_session *s, const struct http_response *r)
{
    if (plan_redirect(s, r))
        return; /* the page after the redirect is the one described */
    char title[512];
    if (http_html_title(r->body, r->body_len, title, sizeof title) > 0)
        probe_emit_text(s, "http.title", title);
    if (r->body_len > 0)
        probe_emit(s, "http.body", r->body, r->body_len);
    s->step = STEP_ISAPI;
}

/* magicBox answers "key=value" lines; a login page or an error is not that. */
static bool looks_like_key_values(const char *body, size_t len)
{
    size_t i = 0;
    while (i < len && (body[i] == ' ' || body[i] == '\r' || body[i] == '\n'))
        i++;
    size_t key = 0;
    while (i + key < len && (isalnum((unsigned char)body[i + key]) || body[i + key] == '_'))
        key++;
    return key > 0 && i + key < len && body[i + key] == '=';
}

static void parse_favicon(struct probe_session *s, const struct http_response *r)
{
    /* Whole: its length reached, or no length and the server closed. */
    bool whole = r->body_complete || (r->body_until_close && s->closed_by_peer);
    if (r->status != 200 || r->body_len == 0 || !whole || r->body_capped)
        return;
    char md5[33];
    favicon_md5_hex(r->body, r->body_len, md5);
    probe_emit_text(s, "http.favicon_md5", md5);
    char mmh3[16];
    snprintf(mmh3, sizeof mmh3, "%" PRId32, favicon_mmh3(r->body, r->body_len));
    probe_emit_text(s, "http.favicon_mmh3", mmh3);
}

static void parse_step(struct probe_session *s, const struct http_response *r)
{
    switch ((enum http_step)s->step) {
    case STEP_ROOT:
        parse_root(s, r);
        return;
    case STEP_ISAPI:
        if (r->status == 200 && strstr(r->body, "<DeviceInfo"))
            probe_emit(s, "http.isapi_device_info", r->body, r->body_len);
        break;
    case STEP_DAHUA:
        if (r->status == 200 && looks_like_key_values(r->body, r->body_len))
            probe_emit(s, "http.dahua_system_info", r->body, r->body_len);
        break;
    case STEP_ONVIF:
        if (strstr(r->body, "GetDeviceInformationResponse"))
            probe_emit(s, "onvif.device_info", r->body, r->body_len);
        break;
    case STEP_FAVICON:
        parse_favicon(s, r);
        break;
    case STEP_COUNT:
        break;
    }
    s->step++;
}

/* HTTP/1.1 keeps the connection unless the answer says close. */
static bool connection_persists(const struct http_response *r)
{
    char value[64];
    if (http_header_copy(r, "Connection", value, sizeof value) && strcasestr(value, "close"))
        return false;
    return strcmp(r->protocol, "HTTP/1.1") == 0;
}

static void http_parse_response_probe(struct probe_session *s, const uint8_t *data, size_t len)
{
    struct http_response r;
    enum http_parse_result rc = http_parse_response(data, len, HTTP_BODY_LIMIT, &r);
    if (rc == HTTP_PARSE_MALFORMED || r.header_bytes == 0) {
        /* No answer to GET /, or not HTTP at all: asking more is pointless.
         * A later path that stalls only costs that path. */
        if (s->step == STEP_ROOT && len > 0)
            probe_emit_from(s, "probe/http", "banner", data, len);
        s->step++;
        s->done = s->step == STEP_ROOT + 1 || s->step >= STEP_COUNT;
        return;
    }
    emit_header(s, &r, "Server", "http.server");
    emit_header(s, &r, "WWW-Authenticate", "http.www_authenticate");
    s->keep_alive = rc == HTTP_PARSE_COMPLETE && connection_persists(&r);
    parse_step(s, &r);
    http_response_free(&r);
    if (s->step >= STEP_COUNT)
        s->done = true;
}

const struct probe_module probe_http = {
    .name = "http",
    .tls = false,
    .response_cap = HTTP_RESPONSE_CAP,
    .build_request = http_build_request,
    .response_status = http_response_status_probe,
    .parse_response = http_parse_response_probe,
};

const struct probe_module probe_https = {
    .name = "https",
    .tls = true,
    .response_cap = HTTP_RESPONSE_CAP,
    .build_request = http_build_request,
    .response_status = http_response_status_probe,
    .parse_response = http_parse_response_probe,
};
