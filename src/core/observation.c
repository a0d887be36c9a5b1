/* observation.c — the observation record and its JSONL form (jansson is the
 * project's one JSON library); see observation.h. */
#include "core/observation.h"

#include "core/observation_fast.h"
#include "core/signals.h"
#include "core/util.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when invalid. */
static size_t utf8_sequence_length(const unsigned char *p, size_t avail)
{
    unsigned char c = p[0];
    size_t need;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (avail < need)
        return 0;
    for (size_t i = 1; i < need; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((need == 3 && cp < 0x800) || (need == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return need;
}

void observation_set_value(struct observation *obs, const void *value, size_t len)
{
    size_t cap = signal_value_cap(obs->signal);
    const unsigned char *in = value;
    /* Worst case every byte becomes two; never more than cap bytes kept. */
    size_t out_max = len * 2 < cap ? len * 2 : cap;
    char *out = xmalloc(out_max + 1);
    size_t o = 0, i = 0;
    bool truncated = false;
    while (i < len) {
        size_t n = utf8_sequence_length(in + i, len - i);
        size_t out_n = n ? n : 2;
        if (o + out_n > cap) {
            truncated = true;
            break;
        }
        if (n) {
            memcpy(out + o, in + i, n);
            i += n;
        } else { /* invalid byte: its Latin-1 reading as UTF-8 */
            out[o] = (char)(0xC0 | (in[i] >> 6));
            out[o + 1] = (char)(0x80 | (in[i] & 0x3F));
            i++;
        }
        o += out_n;
    }
    out[o] = '\0';
    free(obs->value);
    obs->value = out;
    obs->value_len = o;
    obs->truncated = truncated;
}

void observation_init(struct observation *obs, const char *ip, uint16_t port, const char *proto,
                      const char *signal, const char *source, const char *mac, const void *value,
                      size_t value_len)
{
    memset(obs, 0, sizeof *obs);
    strlcpy_safe(obs->ip, ip ? ip : "", sizeof obs->ip);
    obs->port = port;
    strlcpy_safe(obs->proto, proto ? proto : "", sizeof obs->proto);
    strlcpy_safe(obs->signal, signal, sizeof obs->signal);
    strlcpy_safe(obs->source, source ? source : "", sizeof obs->source);
    strlcpy_safe(obs->mac, mac ? mac : "", sizeof obs->mac);
    obs->time = time_now();
    observation_set_value(obs, value ? value : "", value ? value_len : 0);
}

void observation_clear(struct observation *obs)
{
    free(obs->value);
    obs->value = NULL;
    obs->value_len = 0;
}

static json_t *observation_to_object(const struct observation *obs)
{
    char when[32];
    time_format_rfc3339(obs->time, when, sizeof when);
    json_t *o = json_object();
    json_object_set_new(o, "ip", json_string(obs->ip));
    if (obs->port)
        json_object_set_new(o, "port", json_integer(obs->port));
    if (obs->proto[0])
        json_object_set_new(o, "proto", json_string(obs->proto));
    json_object_set_new(o, "signal", json_string(obs->signal));
    json_object_set_new(o, "value", json_stringn(obs->value, obs->value_len));
    if (obs->truncated)
        json_object_set_new(o, "truncated", json_true());
    if (obs->source[0])
        json_object_set_new(o, "source", json_string(obs->source));
    json_object_set_new(o, "time", json_string(when));
    if (obs->mac[0])
        json_object_set_new(o, "mac", json_string(obs->mac));
    return o;
}

char *observation_to_json(const struct observation *obs)
{
    json_t *o = observation_to_object(obs);
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return text;
}

int observation_write_jsonl(FILE *out, const struct observation *obs)
{
    char *text = observation_to_json(obs);
    if (!text)
        return -1;
    int rc = fputs(text, out) < 0 || fputc('\n', out) == EOF ? -1 : 0;
    free(text);
    return rc;
}

/* Copies an optional string member into a fixed field; error when too long
 * or not a string. */
static int copy_string_member(json_t *root, const char *key, char *dst, size_t dst_size,
                              bool required, char *err, size_t err_size)
{
    json_t *v = json_object_get(root, key);
    if (!v || json_is_null(v)) {
        if (required) {
            snprintf(err, err_size, "missing \"%s\"", key);
            return -1;
        }
        return 0;
    }
    if (!json_is_string(v)) {
        snprintf(err, err_size, "\"%s\" is not a string", key);
        return -1;
    }
    /* "source" is free text (a collector name, or a citation in a corpus):
     * cut it to fit rather than lose the observation. */
    if (json_string_length(v) >= dst_size && strcmp(key, "source") != 0) {
        snprintf(err, err_size, "\"%s\" is longer than %zu bytes", key, dst_size - 1);
        return -1;
    }
    strlcpy_safe(dst, json_string_value(v), dst_size);
    return 0;
}

int observation_parse_json_jansson(const char *line, size_t len, struct observation *obs, char *err,
                                   size_t err_size)
{
    memset(obs, 0, sizeof *obs);
    json_error_t jerr;
    json_t *root = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (!root) {
        snprintf(err, err_size, "invalid JSON: %s (column %d)", jerr.text, jerr.column);
        return -1;
    }
    int rc = -1;
    if (!json_is_object(root)) {
        snprintf(err, err_size, "not a JSON object");
        goto done;
    }
    if (copy_string_member(root, "ip", obs->ip, sizeof obs->ip, true, err, err_size) ||
        copy_string_member(root, "signal", obs->signal, sizeof obs->signal, true, err, err_size) ||
        copy_string_member(root, "proto", obs->proto, sizeof obs->proto, false, err, err_size) ||
        copy_string_member(root, "source", obs->source, sizeof obs->source, false, err, err_size) ||
        copy_string_member(root, "mac", obs->mac, sizeof obs->mac, false, err, err_size))
        goto done;
    if (!obs->ip[0] || !obs->signal[0]) {
        snprintf(err, err_size, "empty \"%s\"", obs->ip[0] ? "signal" : "ip");
        goto done;
    }
    json_t *value = json_object_get(root, "value");
    if (!json_is_string(value)) {
        snprintf(err, err_size, value ? "\"value\" is not a string" : "missing \"value\"");
        goto done;
    }
    json_t *port = json_object_get(root, "port");
    if (port && !json_is_null(port)) {
        if (!json_is_integer(port) || json_integer_value(port) < 0 ||
            json_integer_value(port) > 65535) {
            snprintf(err, err_size, "\"port\" is not an integer from 0 to 65535");
            goto done;
        }
        obs->port = (uint16_t)json_integer_value(port);
    }
    json_t *when = json_object_get(root, "time");
    if (json_is_number(when)) {
        obs->time = json_number_value(when);
    } else if (json_is_string(when)) {
        if (!time_parse_rfc3339(json_string_value(when), &obs->time)) {
            snprintf(err, err_size, "\"time\" is not RFC 3339");
            goto done;
        }
    } else if (when && !json_is_null(when)) {
        snprintf(err, err_size, "\"time\" is neither a string nor a number");
        goto done;
    }
    observation_set_value(obs, json_string_value(value), json_string_length(value));
    obs->truncated = obs->truncated || json_is_true(json_object_get(root, "truncated"));
    rc = 0;
done:
    json_decref(root);
    return rc;
}

int observation_parse_json(const char *line, size_t len, struct observation *obs, char *err,
                           size_t err_size)
{
    if (observation_parse_fast(line, len, obs))
        return 0;
    return observation_parse_json_jansson(line, len, obs, err, err_size);
}

struct jsonl_reader {
    FILE *in;
    char *name;
    size_t max_line;
    size_t line_number;
    char *buf;
    size_t buf_cap;
};

struct jsonl_reader *jsonl_reader_new(FILE *in, const char *name, size_t max_line)
{
    struct jsonl_reader *r = xcalloc(1, sizeof *r);
    r->in = in;
    r->name = xstrdup(name ? name : "-");
    r->max_line = max_line ? max_line : JSONL_MAX_LINE;
    return r;
}

size_t jsonl_reader_line(const struct jsonl_reader *r)
{
    return r->line_number;
}

void jsonl_reader_free(struct jsonl_reader *r)
{
    if (!r)
        return;
    free(r->buf);
    free(r->name);
    free(r);
}

/* Keeps byte c of a line (bounded by max_line). */
static void keep_byte(struct jsonl_reader *r, size_t *len, bool *too_long, char c)
{
    if (*len >= r->max_line) {
        *too_long = true;
        return;
    }
    if (*len + 1 >= r->buf_cap) {
        r->buf_cap = r->buf_cap ? r->buf_cap * 2 : 4096;
        r->buf = xrealloc(r->buf, r->buf_cap);
    }
    r->buf[(*len)++] = c;
}

/* Keeps n bytes of a line at once (bounded by max_line). */
static void keep_bytes(struct jsonl_reader *r, size_t *len, bool *too_long, const char *p, size_t n)
{
    size_t room = r->max_line - *len;
    if (n > room) {
        *too_long = true;
        n = room;
    }
    if (*len + n + 1 > r->buf_cap) {
        while (*len + n + 1 > r->buf_cap)
            r->buf_cap = r->buf_cap ? r->buf_cap * 2 : 4096;
        r->buf = xrealloc(r->buf, r->buf_cap);
    }
    memcpy(r->buf + *len, p, n);
    *len += n;
}

/* Reads one line, up to max_line bytes kept; the rest of a longer line is
 * consumed and *too_long set. Returns false at end of input. With glibc the
 * line is taken from the stream's buffer a run at a time (memchr), as
 * glibc's own getline does; elsewhere byte by byte. */
static bool read_bounded_line(struct jsonl_reader *r, size_t *len, bool *too_long)
{
    *len = 0;
    *too_long = false;
    bool any = false;
    for (;;) {
#ifdef __GLIBC__
        FILE *f = r->in;
        if (f->_IO_read_ptr < f->_IO_read_end) {
            char *p = f->_IO_read_ptr;
            size_t avail = (size_t)(f->_IO_read_end - p);
            char *nl = memchr(p, '\n', avail);
            size_t take = nl ? (size_t)(nl - p) : avail;
            any = true;
            keep_bytes(r, len, too_long, p, take);
            f->_IO_read_ptr = p + take + (nl ? 1 : 0);
            if (nl)
                break;
            continue;
        }
#endif
        int c = getc_unlocked(r->in); /* refills the buffer */
        if (c == EOF)
            break;
        any = true;
        if (c == '\n')
            break;
        keep_byte(r, len, too_long, (char)c);
    }
    if (r->buf)
        r->buf[*len] = '\0';
    return any;
}

int jsonl_reader_next(struct jsonl_reader *r, struct observation *obs, char *err, size_t err_size)
{
    for (;;) {
        size_t len;
        bool too_long;
        if (!read_bounded_line(r, &len, &too_long)) {
            if (ferror(r->in)) { /* a read error is not the end of the input */
                snprintf(err, err_size, "%s: read error after line %zu: %s", r->name,
                         r->line_number, strerror(errno));
                return JSONL_READ_ERROR;
            }
            return 0;
        }
        r->line_number++;
        if (too_long) {
            snprintf(err, err_size, "%s:%zu: line longer than %zu bytes", r->name, r->line_number,
                     r->max_line);
            return -1;
        }
        size_t start = 0;
        while (start < len &&
               (r->buf[start] == ' ' || r->buf[start] == '\t' || r->buf[start] == '\r'))
            start++;
        if (start == len)
            continue; /* blank lines are allowed */
        char why[256];
        if (observation_parse_json(r->buf + start, len - start, obs, why, sizeof why) != 0) {
            snprintf(err, err_size, "%s:%zu: %s", r->name, r->line_number, why);
            return -1;
        }
        return 1;
    }
}
