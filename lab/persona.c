/* persona.c — loads and checks persona files (see persona.h, lab/README.md).
 * Every error message is "FILE: FIELD: what is wrong". */
#include "persona.h"

#include "core/util.h"
#include "tls_cert.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BODY_FILE_LIMIT (16u * 1024 * 1024)

/* Where the loader is: file name, persona folder, current field path. */
struct loader {
    const char *file;
    const char *base_dir;
    char *err;
    size_t err_size;
};

static int fail(const struct loader *ld, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(const struct loader *ld, const char *field, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(ld->err, ld->err_size, "%s: %s: %s", ld->file, field, what);
    return -1;
}

/* Rejects keys outside allowed (a NULL-terminated list): typos must not pass. */
static int check_keys(const struct loader *ld, const char *field, json_t *obj,
                      const char *const *allowed)
{
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value)
    {
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(*a, key) == 0;
        if (!ok) {
            char sub[300];
            snprintf(sub, sizeof sub, "%s%s%s", field, *field ? "." : "", key);
            return fail(ld, sub, "unknown field");
        }
    }
    return 0;
}

static int get_string(const struct loader *ld, json_t *obj, const char *field, const char *key,
                      bool required, char **out)
{
    json_t *v = json_object_get(obj, key);
    char sub[300];
    snprintf(sub, sizeof sub, "%s%s%s", field, *field ? "." : "", key);
    if (!v) {
        *out = NULL;
        return required ? fail(ld, sub, "missing (a string is required)") : 0;
    }
    if (!json_is_string(v))
        return fail(ld, sub, "expected a string");
    if (required && json_string_length(v) == 0)
        return fail(ld, sub, "must not be empty");
    *out = xstrndup(json_string_value(v), json_string_length(v));
    return 0;
}

static int get_int(const struct loader *ld, json_t *obj, const char *field, const char *key,
                   long long lo, long long hi, long long dflt, long long *out)
{
    json_t *v = json_object_get(obj, key);
    char sub[300];
    snprintf(sub, sizeof sub, "%s%s%s", field, *field ? "." : "", key);
    if (!v) {
        if (dflt < lo)
            return fail(ld, sub, "missing (an integer %lld..%lld is required)", lo, hi);
        *out = dflt;
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
        return fail(ld, sub, "expected an integer %lld..%lld", lo, hi);
    *out = json_integer_value(v);
    return 0;
}

static int get_bool(const struct loader *ld, json_t *obj, const char *field, const char *key,
                    int dflt, bool *out)
{
    json_t *v = json_object_get(obj, key);
    char sub[300];
    snprintf(sub, sizeof sub, "%s%s%s", field, *field ? "." : "", key);
    if (!v) {
        if (dflt < 0)
            return fail(ld, sub, "missing (true or false is required)");
        *out = dflt;
        return 0;
    }
    if (!json_is_boolean(v))
        return fail(ld, sub, "expected true or false");
    *out = json_is_true(v);
    return 0;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Hex text with optional spaces/colons -> bytes. -1 if malformed. */
static long decode_hex(const char *text, unsigned char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = text; *p;) {
        if (*p == ' ' || *p == ':') {
            p++;
            continue;
        }
        int hi = hex_value(p[0]), lo = p[1] ? hex_value(p[1]) : -1;
        if (hi < 0 || lo < 0 || n >= cap)
            return -1;
        out[n++] = (unsigned char)(hi << 4 | lo);
        p += 2;
    }
    return (long)n;
}

static long decode_base64(const char *text, unsigned char *out, size_t cap)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    uint32_t acc = 0;
    int bits = 0;
    size_t n = 0;
    for (const char *p = text; *p && *p != '='; p++) {
        if (*p == '\n' || *p == '\r' || *p == ' ')
            continue;
        const char *at = strchr(alphabet, *p);
        if (!at || !*p)
            return -1;
        acc = acc << 6 | (uint32_t)(at - alphabet);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n >= cap)
                return -1;
            out[n++] = (unsigned char)(acc >> bits);
        }
    }
    return (long)n;
}

/* Reads a file below the persona folder; no absolute paths, no "..". */
static int read_body_file(const struct loader *ld, const char *field, const char *rel,
                          unsigned char **out, size_t *out_len)
{
    if (rel[0] == '/' || strstr(rel, ".."))
        return fail(ld, field, "'%s' must be a relative path inside the persona folder", rel);
    char *path = xasprintf("%s/%s", ld->base_dir, rel);
    size_t len = 0;
    char *data = file_read_all(path, BODY_FILE_LIMIT, &len);
    if (!data) {
        int e = errno;
        fail(ld, field, "cannot read '%s': %s", path, strerror(e));
        free(path);
        return -1;
    }
    free(path);
    *out = (unsigned char *)data;
    *out_len = len;
    return 0;
}

/* body | body_file | body_base64 | body_hex: at most one. */
static int load_body(const struct loader *ld, json_t *obj, const char *field,
                     struct lab_response *r)
{
    static const char *const keys[] = {"body", "body_file", "body_base64", "body_hex"};
    json_t *found = NULL;
    int which = -1;
    char sub[300];
    for (int i = 0; i < 4; i++) {
        json_t *v = json_object_get(obj, keys[i]);
        if (!v)
            continue;
        snprintf(sub, sizeof sub, "%s.%s", field, keys[i]);
        if (found)
            return fail(ld, sub, "give only one of body, body_file, body_base64, body_hex");
        if (!json_is_string(v))
            return fail(ld, sub, "expected a string");
        found = v;
        which = i;
    }
    bool tmpl = which == 0;
    if (get_bool(ld, obj, field, "template", tmpl, &r->template_body) < 0)
        return -1;
    if (!found) {
        r->body = (unsigned char *)xstrdup("");
        return 0;
    }
    const char *text = json_string_value(found);
    size_t text_len = json_string_length(found);
    if (which == 0) {
        r->body = (unsigned char *)xstrndup(text, text_len);
        r->body_len = text_len;
        return 0;
    }
    if (which == 1)
        return read_body_file(ld, sub, text, &r->body, &r->body_len);
    r->body = xmalloc(text_len + 1);
    long n =
        which == 2 ? decode_base64(text, r->body, text_len) : decode_hex(text, r->body, text_len);
    if (n < 0)
        return fail(ld, sub, "not valid %s", which == 2 ? "base64" : "hex");
    r->body_len = (size_t)n;
    return 0;
}

static const char *default_reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 454:
        return "Session Not Found";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    default:
        return "Unknown";
    }
}

static int load_response(const struct loader *ld, json_t *obj, const char *field,
                         struct lab_response *r)
{
    long long status;
    if (get_int(ld, obj, field, "status", 100, 999, 200, &status) < 0)
        return -1;
    r->status = (int)status;
    if (get_string(ld, obj, field, "reason", false, &r->reason) < 0)
        return -1;
    if (!r->reason)
        r->reason = xstrdup(default_reason(r->status));
    json_t *headers = json_object_get(obj, "headers");
    char sub[300];
    snprintf(sub, sizeof sub, "%s.headers", field);
    if (headers && !json_is_array(headers))
        return fail(ld, sub, "expected an array of \"Name: value\" strings");
    r->n_headers = json_array_size(headers);
    r->headers = xcalloc(r->n_headers + 1, sizeof *r->headers);
    for (size_t i = 0; i < r->n_headers; i++) {
        json_t *h = json_array_get(headers, i);
        snprintf(sub, sizeof sub, "%s.headers[%zu]", field, i);
        if (!json_is_string(h) || !strchr(json_string_value(h), ':') ||
            strpbrk(json_string_value(h), "\r\n"))
            return fail(ld, sub, "expected a \"Name: value\" string without line breaks");
        r->headers[i] = xstrdup(json_string_value(h));
    }
    return load_body(ld, obj, field, r);
}

static const char *const route_keys[] = {
    "method",    "path",        "body_contains", "status",   "reason",  "headers", "body",
    "body_file", "body_base64", "body_hex",      "template", "comment", NULL};

static int load_routes(const struct loader *ld, json_t *svc, const char *field,
                       struct lab_service *s)
{
    json_t *routes = json_object_get(svc, "routes");
    char sub[300];
    snprintf(sub, sizeof sub, "%s.routes", field);
    if (routes && !json_is_array(routes))
        return fail(ld, sub, "expected an array of routes");
    s->n_routes = json_array_size(routes);
    s->routes = xcalloc(s->n_routes + 1, sizeof *s->routes);
    for (size_t i = 0; i < s->n_routes; i++) {
        json_t *r = json_array_get(routes, i);
        snprintf(sub, sizeof sub, "%s.routes[%zu]", field, i);
        struct lab_route *rt = &s->routes[i];
        if (!json_is_object(r))
            return fail(ld, sub, "expected an object");
        if (check_keys(ld, sub, r, route_keys) < 0 ||
            get_string(ld, r, sub, "method", false, &rt->method) < 0 ||
            get_string(ld, r, sub, "path", false, &rt->path) < 0 ||
            get_string(ld, r, sub, "body_contains", false, &rt->body_contains) < 0 ||
            load_response(ld, r, sub, &rt->response) < 0)
            return -1;
    }
    json_t *fb = json_object_get(svc, "fallback");
    snprintf(sub, sizeof sub, "%s.fallback", field);
    if (fb) {
        if (!json_is_object(fb))
            return fail(ld, sub, "expected an object");
        if (check_keys(ld, sub, fb, route_keys) < 0)
            return -1;
        return load_response(ld, fb, sub, &s->fallback);
    }
    json_t *dflt = json_pack("{si}", "status", s->kind == SERVICE_RTSP ? 454 : 404);
    int rc = load_response(ld, dflt, sub, &s->fallback);
    json_decref(dflt);
    return rc;
}

/* banner / reply: text, or *_hex for binary. */
static int load_bytes(const struct loader *ld, json_t *svc, const char *field, const char *key,
                      unsigned char **out, size_t *out_len)
{
    char hex_key[64], sub[300];
    snprintf(hex_key, sizeof hex_key, "%s_hex", key);
    json_t *text = json_object_get(svc, key), *hex = json_object_get(svc, hex_key);
    snprintf(sub, sizeof sub, "%s.%s", field, hex ? hex_key : key);
    if (text && hex)
        return fail(ld, sub, "give %s or %s, not both", key, hex_key);
    json_t *v = text ? text : hex;
    if (!v)
        return 0;
    if (!json_is_string(v))
        return fail(ld, sub, "expected a string");
    size_t len = json_string_length(v);
    *out = xmalloc(len + 1);
    if (text) {
        memcpy(*out, json_string_value(v), len);
        *out_len = len;
        return 0;
    }
    long n = decode_hex(json_string_value(v), *out, len);
    if (n < 0)
        return fail(ld, sub, "not valid hex");
    *out_len = (size_t)n;
    return 0;
}

static int load_dvrip(const struct loader *ld, json_t *svc, const char *field,
                      struct lab_service *s)
{
    json_t *msgs = json_object_get(svc, "messages");
    char sub[300];
    snprintf(sub, sizeof sub, "%s.messages", field);
    if (!json_is_array(msgs) || json_array_size(msgs) == 0)
        return fail(ld, sub, "expected a non-empty array of {request, reply, body}");
    s->n_dvrip = json_array_size(msgs);
    s->dvrip = xcalloc(s->n_dvrip, sizeof *s->dvrip);
    static const char *const keys[] = {"request", "reply", "body", "comment", NULL};
    for (size_t i = 0; i < s->n_dvrip; i++) {
        json_t *m = json_array_get(msgs, i);
        snprintf(sub, sizeof sub, "%s.messages[%zu]", field, i);
        long long req, rep;
        if (!json_is_object(m))
            return fail(ld, sub, "expected an object");
        if (check_keys(ld, sub, m, keys) < 0 ||
            get_int(ld, m, sub, "request", 0, 65535, -1, &req) < 0 ||
            get_int(ld, m, sub, "reply", 0, 65535, -1, &rep) < 0)
            return -1;
        json_t *body = json_object_get(m, "body");
        if (!json_is_object(body)) {
            char b[320];
            snprintf(b, sizeof b, "%s.body", sub);
            return fail(ld, b, "expected a JSON object");
        }
        s->dvrip[i].request_id = (uint16_t)req;
        s->dvrip[i].reply_id = (uint16_t)rep;
        s->dvrip[i].body = json_dumps(body, JSON_INDENT(4) | JSON_PRESERVE_ORDER);
    }
    return 0;
}

static int load_tls(const struct loader *ld, json_t *svc, const char *field, struct lab_service *s)
{
    json_t *tls = json_object_get(svc, "tls");
    if (!tls)
        return 0;
    char sub[300];
    snprintf(sub, sizeof sub, "%s.tls", field);
    static const char *const keys[] = {"subject", "key_bits", "days", "comment", NULL};
    if (!json_is_object(tls))
        return fail(ld, sub, "expected an object");
    if (check_keys(ld, sub, tls, keys) < 0)
        return -1;
    s->tls = xcalloc(1, sizeof *s->tls);
    long long bits, days;
    if (get_int(ld, tls, sub, "key_bits", 1024, 4096, 2048, &bits) < 0 ||
        get_int(ld, tls, sub, "days", 1, 36500, 3650, &days) < 0)
        return -1;
    s->tls->key_bits = (int)bits;
    s->tls->days = (int)days;
    json_t *subject = json_object_get(tls, "subject");
    char ssub[320];
    snprintf(ssub, sizeof ssub, "%s.subject", sub);
    if (!json_is_array(subject) || json_array_size(subject) == 0)
        return fail(ld, ssub,
                    "expected an array of [\"FIELD\", \"value\"] pairs, e.g. [\"CN\", \"IPC\"]");
    s->tls->n_subject = json_array_size(subject);
    s->tls->subject = xcalloc(2 * s->tls->n_subject, sizeof(char *));
    for (size_t i = 0; i < s->tls->n_subject; i++) {
        json_t *pair = json_array_get(subject, i);
        if (!json_is_array(pair) || json_array_size(pair) != 2 ||
            !json_is_string(json_array_get(pair, 0)) || !json_is_string(json_array_get(pair, 1)))
            return fail(ld, ssub, "entry %zu: expected [\"FIELD\", \"value\"]", i);
        s->tls->subject[2 * i] = xstrdup(json_string_value(json_array_get(pair, 0)));
        s->tls->subject[2 * i + 1] = xstrdup(json_string_value(json_array_get(pair, 1)));
        if (strstr(s->tls->subject[2 * i + 1], "{{"))
            s->tls->per_device = true;
    }
    return 0;
}

static int parse_enum(const char *text, const char *const *names, int count)
{
    for (int i = 0; i < count; i++)
        if (strcmp(text, names[i]) == 0)
            return i;
    return -1;
}

static int load_service_kind(const struct loader *ld, json_t *svc, const char *field,
                             struct lab_service *s)
{
    static const char *const kinds[] = {"http", "rtsp", "banner", "dvrip"};
    static const char *const behaviours[] = {"normal",          "tarpit",    "drip",
                                             "endless_headers", "huge_body", "garbage"};
    char *kind = NULL, *behaviour = NULL;
    char sub[300];
    if (get_string(ld, svc, field, "protocol", true, &kind) < 0)
        return -1;
    int k = parse_enum(kind, kinds, 4);
    free(kind);
    snprintf(sub, sizeof sub, "%s.protocol", field);
    if (k < 0)
        return fail(ld, sub, "expected one of http, rtsp, banner, dvrip");
    s->kind = (enum lab_service_kind)k;
    if (get_string(ld, svc, field, "behaviour", false, &behaviour) < 0)
        return -1;
    int b = behaviour ? parse_enum(behaviour, behaviours, 6) : 0;
    free(behaviour);
    snprintf(sub, sizeof sub, "%s.behaviour", field);
    if (b < 0)
        return fail(ld, sub,
                    "expected one of normal, tarpit, drip, endless_headers, huge_body, garbage");
    s->behaviour = (enum lab_behaviour)b;
    return 0;
}

static int load_service(const struct loader *ld, json_t *svc, const char *field,
                        struct lab_service *s)
{
    static const char *const keys[] = {"port",       "protocol",  "behaviour", "tls",
                                       "routes",     "fallback",  "banner",    "banner_hex",
                                       "reply",      "reply_hex", "messages",  "interval_ms",
                                       "body_bytes", "comment",   NULL};
    if (!json_is_object(svc))
        return fail(ld, field, "expected an object");
    long long port, interval, huge;
    if (check_keys(ld, field, svc, keys) < 0 ||
        get_int(ld, svc, field, "port", 1, 65535, -1, &port) < 0 ||
        load_service_kind(ld, svc, field, s) < 0 ||
        get_int(ld, svc, field, "interval_ms", 1, 600000, 1000, &interval) < 0 ||
        get_int(ld, svc, field, "body_bytes", 0, (long long)1 << 40, 100 * 1024 * 1024, &huge) < 0)
        return -1;
    s->port = (uint16_t)port;
    s->interval_ms = (unsigned)interval;
    s->huge_body_bytes = (uint64_t)huge;
    if (load_tls(ld, svc, field, s) < 0)
        return -1;
    if (s->tls && s->kind != SERVICE_HTTP) {
        char sub[300];
        snprintf(sub, sizeof sub, "%s.tls", field);
        return fail(ld, sub, "only http services can use TLS");
    }
    switch (s->kind) {
    case SERVICE_HTTP:
    case SERVICE_RTSP:
        return load_routes(ld, svc, field, s);
    case SERVICE_BANNER:
        if (load_bytes(ld, svc, field, "banner", &s->banner, &s->banner_len) < 0)
            return -1;
        return load_bytes(ld, svc, field, "reply", &s->reply, &s->reply_len);
    case SERVICE_DVRIP:
        return load_dvrip(ld, svc, field, s);
    }
    return 0;
}

static int load_services(const struct loader *ld, json_t *root, struct persona *p)
{
    json_t *services = json_object_get(root, "services");
    if (!json_is_array(services) || json_array_size(services) == 0)
        return fail(ld, "services", "expected a non-empty array of services");
    p->n_services = json_array_size(services);
    p->services = xcalloc(p->n_services, sizeof *p->services);
    for (size_t i = 0; i < p->n_services; i++) {
        char field[64];
        snprintf(field, sizeof field, "services[%zu]", i);
        if (load_service(ld, json_array_get(services, i), field, &p->services[i]) < 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (p->services[j].port == p->services[i].port)
                return fail(ld, field, "port %u is already used by services[%zu]",
                            p->services[i].port, j);
    }
    return 0;
}

static int load_oui(const struct loader *ld, json_t *root, struct persona *p)
{
    char *text = NULL;
    if (get_string(ld, root, "", "mac_oui", true, &text) < 0)
        return -1;
    unsigned char bytes[16];
    long n = decode_hex(text, bytes, sizeof bytes);
    free(text);
    if (n != 3)
        return fail(ld, "mac_oui", "expected three hex bytes like \"58:50:ED\"");
    memcpy(p->oui, bytes, 3);
    return 0;
}

static int load_tags(const struct loader *ld, json_t *root, struct persona *p)
{
    json_t *tags = json_object_get(root, "tags");
    if (tags && !json_is_array(tags))
        return fail(ld, "tags", "expected an array of strings");
    p->n_tags = json_array_size(tags);
    p->tags = xcalloc(p->n_tags + 1, sizeof *p->tags);
    for (size_t i = 0; i < p->n_tags; i++) {
        json_t *t = json_array_get(tags, i);
        if (!json_is_string(t) || json_string_length(t) == 0)
            return fail(ld, "tags", "entry %zu: expected a non-empty string", i);
        p->tags[i] = xstrdup(json_string_value(t));
    }
    return 0;
}

/* Every persona says where its facts come from. */
static int check_sources(const struct loader *ld, json_t *root)
{
    json_t *sources = json_object_get(root, "sources");
    if (!json_is_array(sources) || json_array_size(sources) == 0)
        return fail(ld, "sources", "expected a non-empty array of {fact, source}");
    for (size_t i = 0; i < json_array_size(sources); i++) {
        json_t *s = json_array_get(sources, i);
        if (!json_is_object(s) || !json_is_string(json_object_get(s, "fact")) ||
            !json_is_string(json_object_get(s, "source")))
            return fail(ld, "sources", "entry %zu: expected {\"fact\": ..., \"source\": ...}", i);
    }
    return 0;
}

static bool valid_name(const char *name)
{
    for (const char *c = name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
            return false;
    return *name != '\0';
}

static int load_identity(const struct loader *ld, json_t *root, struct persona *p)
{
    if (get_string(ld, root, "", "name", true, &p->name) < 0)
        return -1;
    if (!valid_name(p->name))
        return fail(ld, "name", "'%s': use lower-case letters, digits, '-' and '_'", p->name);
    if (get_string(ld, root, "", "manufacturer", true, &p->manufacturer) < 0 ||
        get_string(ld, root, "", "brand", true, &p->brand) < 0 ||
        get_string(ld, root, "", "model", true, &p->model) < 0 ||
        get_string(ld, root, "", "firmware", true, &p->firmware) < 0 ||
        get_string(ld, root, "", "device_type", true, &p->device_type) < 0 ||
        get_string(ld, root, "", "serial", true, &p->serial) < 0 ||
        get_bool(ld, root, "", "restricted_expected", -1, &p->restricted_expected) < 0 ||
        get_bool(ld, root, "", "hostile", 0, &p->hostile) < 0)
        return -1;
    return 0;
}

int persona_load_file(const char *path, const char *base_dir, struct persona *p, char *err,
                      size_t err_size)
{
    memset(p, 0, sizeof *p);
    p->file = xstrdup(path);
    struct loader ld = {path, base_dir, err, err_size};
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        snprintf(err, err_size, "%s: line %d: %s", path, jerr.line, jerr.text);
        return -1;
    }
    static const char *const keys[] = {"name",     "manufacturer", "brand",
                                       "model",    "firmware",     "device_type",
                                       "serial",   "mac_oui",      "restricted_expected",
                                       "hostile",  "tags",         "sources",
                                       "services", "discovery",    "comment",
                                       NULL};
    int rc = -1;
    if (!json_is_object(root)) {
        fail(&ld, "(top level)", "expected a JSON object");
        goto out;
    }
    if (check_keys(&ld, "", root, keys) < 0 || load_identity(&ld, root, p) < 0 ||
        load_oui(&ld, root, p) < 0 || load_tags(&ld, root, p) < 0 || check_sources(&ld, root) < 0 ||
        load_services(&ld, root, p) < 0)
        goto out;
    json_t *disc = json_object_get(root, "discovery");
    if (disc && !json_is_object(disc)) {
        fail(&ld, "discovery", "expected an object");
        goto out;
    }
    p->discovery = json_incref(disc);
    rc = 0;
out:
    json_decref(root);
    return rc;
}

static void response_clear(struct lab_response *r)
{
    free(r->reason);
    for (size_t i = 0; i < r->n_headers; i++)
        free(r->headers[i]);
    free(r->headers);
    free(r->body);
}

static void tls_clear(struct lab_tls *t);

static void service_clear(struct lab_service *s)
{
    for (size_t i = 0; i < s->n_routes; i++) {
        free(s->routes[i].method);
        free(s->routes[i].path);
        free(s->routes[i].body_contains);
        response_clear(&s->routes[i].response);
    }
    free(s->routes);
    response_clear(&s->fallback);
    free(s->banner);
    free(s->reply);
    for (size_t i = 0; i < s->n_dvrip; i++)
        free(s->dvrip[i].body);
    free(s->dvrip);
    tls_clear(s->tls);
}

static void tls_clear(struct lab_tls *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < 2 * t->n_subject; i++)
        free(t->subject[i]);
    free(t->subject);
    if (t->ssl_ctx)
        lab_tls_ctx_free(t->ssl_ctx);
    free(t);
}

void persona_clear(struct persona *p)
{
    free(p->file);
    free(p->name);
    free(p->manufacturer);
    free(p->brand);
    free(p->model);
    free(p->firmware);
    free(p->device_type);
    free(p->serial);
    for (size_t i = 0; i < p->n_tags; i++)
        free(p->tags[i]);
    free(p->tags);
    for (size_t i = 0; i < p->n_services; i++)
        service_clear(&p->services[i]);
    free(p->services);
    json_decref(p->discovery);
    memset(p, 0, sizeof *p);
}

void persona_set_free(struct persona_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->count; i++)
        persona_clear(&set->items[i]);
    free(set->items);
    free(set);
}

struct persona_set *persona_set_load(const char *dir, char *err, size_t err_size)
{
    size_t n = 0;
    err[0] = '\0';
    char **paths = dir_list_sorted(dir, ".json", &n);
    if (!paths) {
        snprintf(err, err_size, "cannot read persona folder '%s': %s", dir, strerror(errno));
        return NULL;
    }
    struct persona_set *set = xcalloc(1, sizeof *set);
    set->items = xcalloc(n + 1, sizeof *set->items);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = persona_load_file(paths[i], dir, &set->items[set->count], err, err_size);
        set->count++;
        if (rc == 0 &&
            persona_set_find(set, set->items[set->count - 1].name) != &set->items[set->count - 1]) {
            snprintf(err, err_size, "%s: name: '%s' is already used by another persona",
                     set->items[set->count - 1].file, set->items[set->count - 1].name);
            rc = -1;
        }
    }
    string_list_free(paths, n);
    if (rc == 0 && set->count == 0) {
        snprintf(err, err_size, "no persona files (*.json) in '%s'", dir);
        rc = -1;
    }
    if (rc < 0) {
        persona_set_free(set);
        return NULL;
    }
    return set;
}

const struct persona *persona_set_find(const struct persona_set *set, const char *name)
{
    for (size_t i = 0; i < set->count; i++)
        if (set->items[i].name && strcmp(set->items[i].name, name) == 0)
            return &set->items[i];
    return NULL;
}

bool persona_has_tag(const struct persona *p, const char *tag)
{
    for (size_t i = 0; i < p->n_tags; i++)
        if (strcmp(p->tags[i], tag) == 0)
            return true;
    return false;
}
