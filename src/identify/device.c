/* device.c — the device record and its JSON form; see device.h. */
#include "identify/device.h"

#include "core/util.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

struct device *device_new(const char *ip)
{
    struct device *dev = xcalloc(1, sizeof *dev);
    strlcpy_safe(dev->ip, ip ? ip : "", sizeof dev->ip);
    dev->manufacturer = xstrdup("unknown");
    return dev;
}

void device_free(struct device *dev)
{
    if (!dev)
        return;
    free(dev->manufacturer);
    free(dev->brand);
    free(dev->model);
    free(dev->device_type);
    free(dev->firmware);
    free(dev->serial);
    free(dev->open_ports);
    for (size_t i = 0; i < dev->evidence_count; i++) {
        struct evidence *e = &dev->evidence[i];
        free(e->signal);
        if (e->packed)
            continue;
        free(e->value);
        free(e->matched_by);
        free(e->names);
    }
    free(dev->evidence);
    for (size_t i = 0; i < dev->conflict_count; i++)
        free(dev->conflicts[i]);
    free(dev->conflicts);
    for (size_t i = 0; i < dev->finding_count; i++) {
        struct finding *f = &dev->findings[i];
        free(f->id);
        free(f->verdict);
        free(f->reason);
        free(f->severity);
        free(f->source);
    }
    free(dev->findings);
    free(dev);
}

void device_set(char **field, const char *value)
{
    char *copy = value ? xstrdup(value) : NULL;
    free(*field);
    *field = copy;
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void device_add_port(struct device *dev, uint16_t port)
{
    size_t i = 0;
    while (i < dev->open_port_count && dev->open_ports[i] < port)
        i++;
    if (i < dev->open_port_count && dev->open_ports[i] == port)
        return;
    dev->open_ports = xrealloc(dev->open_ports, (dev->open_port_count + 1) * sizeof(uint16_t));
    memmove(dev->open_ports + i + 1, dev->open_ports + i,
            (dev->open_port_count - i) * sizeof(uint16_t));
    dev->open_ports[i] = port;
    dev->open_port_count++;
}

/* One allocation for the four strings of an evidence item: the identify
 * path adds several items per host and this keeps it to one malloc each. */
void device_add_evidence(struct device *dev, const char *signal, const char *value, uint16_t port,
                         const char *matched_by, const char *names, double weight)
{
    const char *in[4] = {signal ? signal : "", value, matched_by, names};
    size_t len[4], total = 0;
    for (int i = 0; i < 4; i++) {
        len[i] = in[i] ? strlen(in[i]) + 1 : 0;
        total += len[i];
    }
    char *block = xmalloc(total), *p = block, *out[4];
    for (int i = 0; i < 4; i++) {
        out[i] = in[i] ? memcpy(p, in[i], len[i]) : NULL;
        p += len[i];
    }
    device_take_evidence(dev, out[0], out[1], port, out[2], out[3], weight);
    dev->evidence[dev->evidence_count - 1].packed = true; /* a NULL signal is stored as "" */
}

void device_take_evidence(struct device *dev, char *signal, char *value, uint16_t port,
                          char *matched_by, char *names, double weight)
{
    if (dev->evidence_count % 8 == 0)
        dev->evidence = xrealloc(dev->evidence, (dev->evidence_count + 8) * sizeof *dev->evidence);
    dev->evidence[dev->evidence_count++] =
        (struct evidence){signal, value, matched_by, names, port, weight, false};
}

void device_add_conflict(struct device *dev, const char *text)
{
    dev->conflicts = xrealloc(dev->conflicts, (dev->conflict_count + 1) * sizeof(char *));
    dev->conflicts[dev->conflict_count++] = xstrdup(text);
}

void device_add_finding(struct device *dev, enum finding_kind kind, const char *id,
                        const char *verdict, const char *reason, const char *severity,
                        const char *source)
{
    dev->findings = xrealloc(dev->findings, (dev->finding_count + 1) * sizeof *dev->findings);
    struct finding *f = &dev->findings[dev->finding_count++];
    f->kind = kind;
    f->id = dup_or_null(id);
    f->verdict = dup_or_null(verdict);
    f->reason = dup_or_null(reason);
    f->severity = dup_or_null(severity);
    f->source = dup_or_null(source);
}

static const char *const finding_kind_names[] = {"restriction", "vulnerability", "phone_home"};

const char *finding_kind_name(enum finding_kind kind)
{
    return (unsigned)kind < 3 ? finding_kind_names[kind] : "unknown";
}

static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *device_to_json(const struct device *dev)
{
    json_t *o = json_object();
    json_object_set_new(o, "ip", json_string(dev->ip));
    json_object_set_new(o, "mac", dev->mac[0] ? json_string(dev->mac) : json_null());
    json_object_set_new(o, "manufacturer",
                        json_string(dev->manufacturer ? dev->manufacturer : "unknown"));
    json_object_set_new(o, "brand", string_or_null(dev->brand));
    json_object_set_new(o, "model", string_or_null(dev->model));
    json_object_set_new(o, "device_type", string_or_null(dev->device_type));
    json_object_set_new(o, "firmware", string_or_null(dev->firmware));
    json_object_set_new(o, "serial", string_or_null(dev->serial));
    json_object_set_new(o, "confidence", json_real(dev->confidence));
    json_t *ports = json_array();
    for (size_t i = 0; i < dev->open_port_count; i++)
        json_array_append_new(ports, json_integer(dev->open_ports[i]));
    json_object_set_new(o, "open_ports", ports);
    json_t *evidence = json_array();
    for (size_t i = 0; i < dev->evidence_count; i++) {
        const struct evidence *e = &dev->evidence[i];
        json_t *item = json_object();
        json_object_set_new(item, "signal", string_or_null(e->signal));
        json_object_set_new(item, "value", string_or_null(e->value));
        if (e->port)
            json_object_set_new(item, "port", json_integer(e->port));
        json_object_set_new(item, "matched_by", string_or_null(e->matched_by));
        json_object_set_new(item, "names", string_or_null(e->names));
        json_object_set_new(item, "weight", json_real(e->weight));
        json_array_append_new(evidence, item);
    }
    json_object_set_new(o, "evidence", evidence);
    json_t *conflicts = json_array();
    for (size_t i = 0; i < dev->conflict_count; i++)
        json_array_append_new(conflicts, json_string(dev->conflicts[i]));
    json_object_set_new(o, "conflicts", conflicts);
    json_t *findings = json_array();
    for (size_t i = 0; i < dev->finding_count; i++) {
        const struct finding *f = &dev->findings[i];
        json_t *item = json_object();
        json_object_set_new(item, "kind", json_string(finding_kind_name(f->kind)));
        json_object_set_new(item, "id", string_or_null(f->id));
        json_object_set_new(item, "verdict", string_or_null(f->verdict));
        json_object_set_new(item, "reason", string_or_null(f->reason));
        json_object_set_new(item, "severity", string_or_null(f->severity));
        json_object_set_new(item, "source", string_or_null(f->source));
        json_array_append_new(findings, item);
    }
    json_object_set_new(o, "findings", findings);
    return o;
}

/* ---- direct writer (device_append_jsonl) ------------------------------ */

struct out {
    char **buf;
    size_t *cap, *len;
};

static void out_reserve(struct out *o, size_t n)
{
    if (*o->len + n + 1 > *o->cap) {
        *o->cap = (*o->len + n + 1) * 2;
        *o->buf = xrealloc(*o->buf, *o->cap);
    }
}

static void out_bytes(struct out *o, const char *s, size_t n)
{
    out_reserve(o, n);
    memcpy(*o->buf + *o->len, s, n);
    *o->len += n;
}

static void out_literal(struct out *o, const char *s)
{
    out_bytes(o, s, strlen(s));
}

/* A JSON string as jansson writes it: '"', '\\' and control bytes escaped,
 * UTF-8 kept as is. */
#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL
/* High bits marking the bytes of w (little endian) below 0x20, '"' or
 * '\\' (SWAR tests); the lowest mark is exact. */
static uint64_t escape_bytes(uint64_t w)
{
    uint64_t below = (w - ONES * 0x20) & ~w & HIGHS;
    uint64_t q = w ^ (ONES * '"'), b = w ^ (ONES * '\\');
    uint64_t quote = (q - ONES) & ~q & HIGHS, slash = (b - ONES) & ~b & HIGHS;
    return below | quote | slash;
}

#ifdef __SSE2__
/* Bit i set when byte i of the 16 at s is below 0x20, '"' or '\\'. */
static unsigned escape_mask16(const char *s)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)s);
    __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
    __m128i slash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
    __m128i below = _mm_cmpeq_epi8(_mm_max_epu8(v, _mm_set1_epi8(0x1F)), _mm_set1_epi8(0x1F));
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, slash), below));
}
#endif

/* Copies the leading bytes of s[i..n) that need no escape to p, sixteen or
 * eight at a time (p has room for them plus a block); returns how many. */
static size_t copy_unescaped(char *p, const char *s, size_t i, size_t n)
{
    size_t start = i;
#ifdef __SSE2__
    while (i + 16 <= n) {
        unsigned special = escape_mask16(s + i);
        size_t plain = special ? (size_t)__builtin_ctz(special) : 16;
        memcpy(p + (i - start), s + i, 16);
        i += plain;
        if (plain < 16)
            return i - start;
    }
#endif
    while (i + 8 <= n) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        uint64_t special = escape_bytes(w);
        size_t plain = special ? (size_t)__builtin_ctzll(special) >> 3 : 8;
        memcpy(p + (i - start), &w, 8);
        i += plain;
        if (plain < 8)
            break;
    }
    return i - start;
}

static void out_string(struct out *o, const char *s)
{
    if (!s) {
        out_bytes(o, "null", 4);
        return;
    }
    size_t n = strlen(s);
    out_reserve(o, n * 6 + 2);
    char *p = *o->buf + *o->len;
    *p++ = '"';
    for (size_t i = 0; i < n; i++) {
        /* runs of plain bytes at once (most of the text); room reserved:
         * 6 bytes per input byte, and a block written past a run's end
         * stays inside the run's own reservation or the closing quote's */
        size_t run = copy_unescaped(p, s, i, n);
        p += run;
        i += run;
        if (i >= n)
            break;
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            *p++ = (char)c;
            continue;
        }
        static const char short_form[] = {
            ['\b'] = 'b', ['\f'] = 'f', ['\n'] = 'n', ['\r'] = 'r', ['\t'] = 't'};
        *p++ = '\\';
        if (c == '"' || c == '\\') {
            *p++ = (char)c;
        } else if (c < sizeof short_form && short_form[c]) {
            *p++ = short_form[c];
        } else {
            static const char hex[] = "0123456789ABCDEF";
            memcpy(p, "u00", 3);
            p[3] = hex[c >> 4];
            p[4] = hex[c & 15];
            p += 5;
        }
    }
    *p++ = '"';
    *o->len = (size_t)(p - *o->buf);
}

/* A real as jansson writes it with JSON_REAL_PRECISION(6): "%.6g", a ".0"
 * when that looks like an integer, no '+' or leading zeros in the exponent. */
static void out_real_format(char *out, size_t size, double v)
{
    char text[64], clean[64];
    snprintf(text, sizeof text, "%.6g", v);
    if (!strpbrk(text, ".eE") && !strpbrk(text, "in")) /* not inf/nan */
        strcat(text, ".0");
    char *e = strchr(text, 'e');
    if (e) {
        size_t k = (size_t)(e - text) + 1;
        memcpy(clean, text, k);
        const char *q = e + 1;
        if (*q == '+')
            q++;
        else if (*q == '-')
            clean[k++] = *q++;
        while (*q == '0' && q[1])
            q++;
        strcpy(clean + k, q);
        snprintf(out, size, "%s", clean);
        return;
    }
    snprintf(out, size, "%s", text);
}

/* Weights and confidences repeat: a small per-thread cache of the last
 * formatted values saves printf on most of them. */
#define REAL_CACHE 32
static void out_real(struct out *o, double v)
{
    static _Thread_local struct {
        double v;
        char text[64];
    } cache[REAL_CACHE];
    static _Thread_local bool used[REAL_CACHE];
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    size_t slot = (size_t)((bits * 0x9E3779B97F4A7C15ULL) >> 59) % REAL_CACHE;
    if (!used[slot] || memcmp(&cache[slot].v, &v, sizeof v) != 0) {
        out_real_format(cache[slot].text, sizeof cache[slot].text, v);
        cache[slot].v = v;
        used[slot] = true;
    }
    out_literal(o, cache[slot].text);
}

static void out_unsigned(struct out *o, unsigned v)
{
    char digits[12];
    size_t n = 0;
    do {
        digits[sizeof digits - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    out_bytes(o, digits + sizeof digits - n, n);
}

/* ,"key": (keys are plain ASCII: no escaping to do) */
static inline void out_key_n(struct out *o, const char *key, size_t n, bool first)
{
    out_reserve(o, n + 4);
    char *p = *o->buf + *o->len;
    if (!first)
        *p++ = ',';
    *p++ = '"';
    memcpy(p, key, n);
    p += n;
    *p++ = '"';
    *p++ = ':';
    *o->len = (size_t)(p - *o->buf);
}

/* A key that is a string literal: its length is known when compiling (a
 * pointer argument does not compile: "" "key" needs a literal). */
#define out_key(o, key, first) out_key_n((o), "" key, sizeof(key) - 1, (first))

static void out_evidence(struct out *o, const struct evidence *e)
{
    out_key(o, "signal", true);
    out_string(o, e->signal);
    out_key(o, "value", false);
    out_string(o, e->value);
    if (e->port) {
        out_key(o, "port", false);
        out_unsigned(o, e->port);
    }
    out_key(o, "matched_by", false);
    out_string(o, e->matched_by);
    out_key(o, "names", false);
    out_string(o, e->names);
    out_key(o, "weight", false);
    out_real(o, e->weight);
}

static void out_finding(struct out *o, const struct finding *f)
{
    out_key(o, "kind", true);
    out_string(o, finding_kind_name(f->kind));
    out_key(o, "id", false);
    out_string(o, f->id);
    out_key(o, "verdict", false);
    out_string(o, f->verdict);
    out_key(o, "reason", false);
    out_string(o, f->reason);
    out_key(o, "severity", false);
    out_string(o, f->severity);
    out_key(o, "source", false);
    out_string(o, f->source);
}

void device_append_jsonl(const struct device *dev, char **buf, size_t *cap, size_t *len)
{
    struct out o = {buf, cap, len};
    out_bytes(&o, "{", 1);
    out_key(&o, "ip", true);
    out_string(&o, dev->ip);
    out_key(&o, "mac", false);
    out_string(&o, dev->mac[0] ? dev->mac : NULL);
    out_key(&o, "manufacturer", false);
    out_string(&o, dev->manufacturer ? dev->manufacturer : "unknown");
    const char *const fields[] = {"brand", "model", "device_type", "firmware", "serial"};
    const char *const values[] = {dev->brand, dev->model, dev->device_type, dev->firmware,
                                  dev->serial};
    for (size_t i = 0; i < 5; i++) {
        out_key_n(&o, fields[i], strlen(fields[i]), false);
        out_string(&o, values[i]);
    }
    out_key(&o, "confidence", false);
    out_real(&o, dev->confidence);
    out_key(&o, "open_ports", false);
    out_bytes(&o, "[", 1);
    for (size_t i = 0; i < dev->open_port_count; i++) {
        if (i)
            out_bytes(&o, ",", 1);
        out_unsigned(&o, dev->open_ports[i]);
    }
    out_bytes(&o, "]", 1);
    out_key(&o, "evidence", false);
    out_bytes(&o, "[", 1);
    for (size_t i = 0; i < dev->evidence_count; i++) {
        out_literal(&o, i ? ",{" : "{");
        out_evidence(&o, &dev->evidence[i]);
        out_bytes(&o, "}", 1);
    }
    out_literal(&o, "],");
    out_key(&o, "conflicts", true);
    out_bytes(&o, "[", 1);
    for (size_t i = 0; i < dev->conflict_count; i++) {
        if (i)
            out_bytes(&o, ",", 1);
        out_string(&o, dev->conflicts[i]);
    }
    out_literal(&o, "],");
    out_key(&o, "findings", true);
    out_bytes(&o, "[", 1);
    for (size_t i = 0; i < dev->finding_count; i++) {
        out_literal(&o, i ? ",{" : "{");
        out_finding(&o, &dev->findings[i]);
        out_bytes(&o, "}", 1);
    }
    out_literal(&o, "]}\n");
}

static const char *get_text(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key)); /* NULL unless a string */
}

struct device *device_from_json(const json_t *obj, char *err, size_t err_size)
{
    if (!json_is_object(obj) || !get_text(obj, "ip")) {
        snprintf(err, err_size, "device is not an object with a string \"ip\"");
        return NULL;
    }
    struct device *dev = device_new(get_text(obj, "ip"));
    if (get_text(obj, "mac"))
        strlcpy_safe(dev->mac, get_text(obj, "mac"), sizeof dev->mac);
    if (get_text(obj, "manufacturer"))
        device_set(&dev->manufacturer, get_text(obj, "manufacturer"));
    device_set(&dev->brand, get_text(obj, "brand"));
    device_set(&dev->model, get_text(obj, "model"));
    device_set(&dev->device_type, get_text(obj, "device_type"));
    device_set(&dev->firmware, get_text(obj, "firmware"));
    device_set(&dev->serial, get_text(obj, "serial"));
    dev->confidence = json_number_value(json_object_get(obj, "confidence"));
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(obj, "open_ports"), i, item)
    {
        json_int_t p = json_integer_value(item);
        if (p > 0 && p <= 65535)
            device_add_port(dev, (uint16_t)p);
    }
    json_array_foreach(json_object_get(obj, "evidence"), i, item)
    {
        json_int_t p = json_integer_value(json_object_get(item, "port"));
        device_add_evidence(dev, get_text(item, "signal"), get_text(item, "value"),
                            p > 0 && p <= 65535 ? (uint16_t)p : 0, get_text(item, "matched_by"),
                            get_text(item, "names"),
                            json_number_value(json_object_get(item, "weight")));
    }
    json_array_foreach(json_object_get(obj, "conflicts"), i, item)
    {
        if (json_is_string(item))
            device_add_conflict(dev, json_string_value(item));
    }
    json_array_foreach(json_object_get(obj, "findings"), i, item)
    {
        const char *kind = get_text(item, "kind");
        enum finding_kind k = FINDING_RESTRICTION;
        for (int n = 0; n < 3; n++)
            if (kind && strcmp(kind, finding_kind_names[n]) == 0)
                k = (enum finding_kind)n;
        device_add_finding(dev, k, get_text(item, "id"), get_text(item, "verdict"),
                           get_text(item, "reason"), get_text(item, "severity"),
                           get_text(item, "source"));
    }
    return dev;
}
