/* observation_fast.c — direct reader of the common flat observation line;
 * see observation_fast.h for why it exists and how it stays equal to the
 * jansson reader. Every path that is not plainly valid returns 0. */
#include "core/observation_fast.h"

#include "core/signals.h"
#include "core/util.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Longest number token handled here (longer ones go to jansson). */
#define FAST_NUMBER_MAX 40

struct cursor {
    const unsigned char *p, *end;
};

static void skip_space(struct cursor *c)
{
    if (c->p<c->end && * c->p> ' ')
        return; /* compact JSON: the usual case */
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static int hex4(const unsigned char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        int c = p[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Length of the valid UTF-8 sequence at p as jansson accepts it (no
 * overlong forms, no surrogates, at most U+10FFFF), or 0. */
static size_t utf8_valid_length(const unsigned char *p, const unsigned char *end)
{
    unsigned char c = p[0];
    size_t need;
    uint32_t cp;
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
    if ((size_t)(end - p) < need)
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

static size_t put_utf8(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* One \u escape (c->p after the 'u'), surrogate pairs joined; false on
 * anything jansson would refuse. */
static bool read_unicode_escape(struct cursor *c, uint32_t *cp)
{
    if (c->end - c->p < 4)
        return false;
    int v = hex4(c->p);
    if (v < 0)
        return false;
    c->p += 4;
    if (v >= 0xDC00 && v <= 0xDFFF)
        return false;
    if (v >= 0xD800 && v <= 0xDBFF) {
        if (c->end - c->p < 6 || c->p[0] != '\\' || c->p[1] != 'u')
            return false;
        int low = hex4(c->p + 2);
        if (low < 0xDC00 || low > 0xDFFF)
            return false;
        c->p += 6;
        *cp = 0x10000 + (((uint32_t)v - 0xD800) << 10) + ((uint32_t)low - 0xDC00);
        return true;
    }
    *cp = (uint32_t)v;
    return true;
}

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL
/* High bits marking the bytes of w (little endian) that are not printable
 * ASCII other than '"' and '\\' (SWAR tests); the lowest mark is exact. */
static uint64_t special_bytes(uint64_t w)
{
    uint64_t below = (w - ONES * 0x20) & ~w & HIGHS;
    uint64_t q = w ^ (ONES * '"'), b = w ^ (ONES * '\\');
    uint64_t quote = (q - ONES) & ~q & HIGHS, slash = (b - ONES) & ~b & HIGHS;
    return (w & HIGHS) | below | quote | slash;
}

#ifdef __SSE2__
/* Bit i set when byte i of the 16 at p is not printable ASCII other than
 * '"' and '\\' (a signed compare below 0x20 catches the bytes >= 0x80). */
static unsigned special_mask16(const unsigned char *p)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
    __m128i slash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
    __m128i other = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, slash), other));
}
#endif

/* Copies the leading plain bytes (printable ASCII other than '"' and '\\')
 * of c into out + o, sixteen or eight at a time while cap leaves room for
 * the whole block; returns how many. */
static size_t copy_plain(struct cursor *c, char *out, size_t o, size_t cap)
{
    size_t start = o;
#ifdef __SSE2__
    while (c->end - c->p >= 16 && o + 20 <= cap) {
        unsigned special = special_mask16(c->p);
        size_t plain = special ? (size_t)__builtin_ctz(special) : 16;
        memcpy(out + o, c->p, 16);
        o += plain;
        c->p += plain;
        if (plain < 16)
            return o - start;
    }
#endif
    while (c->end - c->p >= 8 && o + 12 <= cap) {
        uint64_t w;
        memcpy(&w, c->p, 8);
        uint64_t special = special_bytes(w);
        size_t plain = special ? (size_t)__builtin_ctzll(special) >> 3 : 8;
        memcpy(out + o, &w, 8);
        o += plain;
        c->p += plain;
        if (plain < 8)
            break;
    }
    return o - start;
}

/* The byte a two-character escape \e stands for; 0 when e is not one. */
static char short_escape(unsigned char e)
{
    switch (e) {
    case '"':
    case '\\':
    case '/':
        return (char)e;
    case 'b':
        return '\b';
    case 'f':
        return '\f';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    default:
        return 0;
    }
}

/* A short string of plain ASCII (keys, addresses, names), c->p after its
 * opening quote: copied in one pass, true when it closes where the general
 * loop below would accept it (its closing quote by cap - 3); false with
 * c->p unmoved otherwise (the general loop decides). */
static bool read_short_plain(struct cursor *c, char *out, size_t cap, size_t *out_len)
{
    if (cap < 3)
        return false;
    size_t avail = (size_t)(c->end - c->p), limit = cap - 3 + 1, i = 0;
    if (avail < limit)
        limit = avail;
    for (; i + 8 <= avail && i < limit; i += 8) {
        uint64_t w;
        memcpy(&w, c->p + i, 8);
        uint64_t special = special_bytes(w);
        if (special) {
            i += (size_t)__builtin_ctzll(special) >> 3;
            break;
        }
    }
    for (; i < limit; i++) {
        unsigned char b = c->p[i];
        if (b < 0x20 || b == '"' || b == '\\' || b >= 0x80)
            break;
    }
    if (i >= limit || c->p[i] != '"')
        return false;
    memcpy(out, c->p, i);
    *out_len = i;
    c->p += i + 1;
    return true;
}

/* Reads a string into out (at most cap bytes, no terminator counted);
 * escapes only when allowed. */
static bool read_string(struct cursor *c, char *out, size_t cap, size_t *out_len,
                        bool allow_escapes)
{
    if (c->p >= c->end || *c->p != '"')
        return false;
    c->p++;
    if (!allow_escapes && read_short_plain(c, out, cap, out_len))
        return true;
    size_t o = 0;
    while (c->p < c->end) {
        unsigned char b = *c->p;
        if (b == '"') {
            c->p++;
            *out_len = o;
            return true;
        }
        if (b < 0x20)
            return false;
        if (o + 4 > cap)
            return false;
        if (b == '\\') {
            if (!allow_escapes || c->end - c->p < 2)
                return false;
            unsigned char e = c->p[1];
            c->p += 2;
            char plain = short_escape(e);
            if (plain) {
                out[o++] = plain;
            } else if (e == 'u') {
                uint32_t cp;
                if (!read_unicode_escape(c, &cp))
                    return false;
                o += put_utf8(cp, out + o);
            } else {
                return false;
            }
        } else if (b >= 0x80) {
            size_t n = utf8_valid_length(c->p, c->end);
            if (!n)
                return false;
            memcpy(out + o, c->p, n);
            o += n;
            c->p += n;
        } else {
            /* plain ASCII: a run of plain bytes at once, else this one */
            size_t before = o;
            o += copy_plain(c, out, o, cap);
            if (o == before) {
                out[o++] = (char)b;
                c->p++;
            }
        }
    }
    return false;
}

/* The value of a checked integer token of at most 18 digits (cannot
 * overflow), as strtoll would give it. */
static long long parse_integer(const char *text)
{
    bool negative = *text == '-';
    long long v = 0;
    for (const char *p = text + negative; *p; p++)
        v = v * 10 + (*p - '0');
    return negative ? -v : v;
}

enum scalar_kind {
    SCALAR_STRING,
    SCALAR_INTEGER,
    SCALAR_REAL,
    SCALAR_TRUE,
    SCALAR_FALSE,
    SCALAR_NULL
};

/* A JSON number token: integer (no fraction or exponent) or real. */
static bool read_number(struct cursor *c, enum scalar_kind *kind, long long *integer, double *real)
{
    const unsigned char *start = c->p, *p = c->p;
    bool is_real = false;
    if (p < c->end && *p == '-')
        p++;
    if (p >= c->end || *p < '0' || *p > '9')
        return false;
    if (*p == '0')
        p++;
    else
        while (p < c->end && *p >= '0' && *p <= '9')
            p++;
    if (p < c->end && *p == '.') {
        is_real = true;
        p++;
        if (p >= c->end || *p < '0' || *p > '9')
            return false;
        while (p < c->end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < c->end && (*p == 'e' || *p == 'E')) {
        is_real = true;
        p++;
        if (p < c->end && (*p == '+' || *p == '-'))
            p++;
        if (p >= c->end || *p < '0' || *p > '9')
            return false;
        while (p < c->end && *p >= '0' && *p <= '9')
            p++;
    }
    size_t n = (size_t)(p - start);
    if (n >= FAST_NUMBER_MAX || (!is_real && n > 18))
        return false; /* jansson decides about long numbers and overflow */
    char text[FAST_NUMBER_MAX];
    memcpy(text, start, n);
    text[n] = '\0';
    if (is_real) {
        *real = strtod(text, NULL);
        if (*real > 1e308 || *real < -1e308)
            return false;
        *kind = SCALAR_REAL;
    } else {
        *integer = parse_integer(text);
        *kind = SCALAR_INTEGER;
    }
    c->p = p;
    return true;
}

static bool read_literal(struct cursor *c, const char *word, enum scalar_kind kind,
                         enum scalar_kind *out)
{
    size_t n = strlen(word);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
        return false;
    c->p += n;
    *out = kind;
    return true;
}

/* The keys of an observation line, one bit each. */
enum key_id {
    KEY_IP,
    KEY_PORT,
    KEY_PROTO,
    KEY_SIGNAL,
    KEY_VALUE,
    KEY_SOURCE,
    KEY_TIME,
    KEY_MAC,
    KEY_TRUNCATED,
    KEY_COUNT
};
static const char *const key_names[KEY_COUNT] = {"ip",     "port", "proto", "signal",   "value",
                                                 "source", "time", "mac",   "truncated"};

static int key_lookup(const char *key, size_t len)
{
    for (int i = 0; i < KEY_COUNT; i++)
        if (key_names[i][0] == key[0] && strlen(key_names[i]) == len &&
            memcmp(key_names[i], key, len) == 0)
            return i;
    return -1;
}

/* Where a string member goes, and its size (the jansson reader refuses one
 * that does not fit). */
static char *string_field(struct observation *obs, int key, size_t *size)
{
    switch (key) {
    case KEY_IP:
        *size = sizeof obs->ip;
        return obs->ip;
    case KEY_PROTO:
        *size = sizeof obs->proto;
        return obs->proto;
    case KEY_SIGNAL:
        *size = sizeof obs->signal;
        return obs->signal;
    case KEY_SOURCE:
        *size = sizeof obs->source;
        return obs->source;
    case KEY_MAC:
        *size = sizeof obs->mac;
        return obs->mac;
    default:
        return NULL;
    }
}

struct fast_state {
    struct observation *obs;
    char *value; /* decoded value */
    size_t value_len;
    bool have_value, truncated;
};

/* Reads one member value for key; false when the line is not for us. */
static bool read_member(struct cursor *c, int key, struct fast_state *st, size_t value_cap)
{
    struct observation *obs = st->obs;
    enum scalar_kind kind = SCALAR_NULL;
    long long integer = 0;
    double real = 0;
    char text[64];
    size_t text_len = 0;
    size_t field_size = 0;
    char *field = string_field(obs, key, &field_size);
    if (c->p >= c->end)
        return false;
    if (*c->p == '"') {
        kind = SCALAR_STRING;
        if (key == KEY_VALUE) {
            if (!read_string(c, st->value, value_cap, &st->value_len, true))
                return false;
            st->have_value = true;
            return true;
        }
        /* other strings: short, no escapes, or jansson's turn */
        if (!read_string(c, text, sizeof text - 1, &text_len, false))
            return false;
        text[text_len] = '\0';
    } else if (*c->p == 't') {
        if (!read_literal(c, "true", SCALAR_TRUE, &kind))
            return false;
    } else if (*c->p == 'f') {
        if (!read_literal(c, "false", SCALAR_FALSE, &kind))
            return false;
    } else if (*c->p == 'n') {
        if (!read_literal(c, "null", SCALAR_NULL, &kind))
            return false;
    } else if (!read_number(c, &kind, &integer, &real)) {
        return false;
    }
    if (field) {
        if (kind == SCALAR_NULL)
            return key != KEY_IP && key != KEY_SIGNAL;
        if (kind != SCALAR_STRING || text_len >= field_size)
            return false;
        memcpy(field, text, text_len + 1);
        return true;
    }
    switch (key) {
    case KEY_VALUE:
        return false; /* not a string */
    case KEY_PORT:
        if (kind == SCALAR_NULL)
            return true;
        if (kind != SCALAR_INTEGER || integer < 0 || integer > 65535)
            return false;
        obs->port = (uint16_t)integer;
        return true;
    case KEY_TIME:
        if (kind == SCALAR_INTEGER)
            obs->time = (double)integer;
        else if (kind == SCALAR_REAL)
            obs->time = real;
        else if (kind == SCALAR_STRING)
            return time_parse_rfc3339(text, &obs->time);
        else if (kind != SCALAR_NULL)
            return false;
        return true;
    case KEY_TRUNCATED:
        st->truncated = kind == SCALAR_TRUE;
        return true;
    default:
        return false;
    }
}

/* signal_value_cap with a small cache per thread (by a hash of the name):
 * a stream uses a few dozen signals over and over. */
#define VALUE_CAP_SLOTS 64
static size_t cached_value_cap(const char *signal)
{
    static _Thread_local struct {
        char name[OBS_NAME_MAX];
        size_t cap;
    } cache[VALUE_CAP_SLOTS];
    size_t h = 0;
    for (const char *p = signal; *p; p++)
        h = h * 31 + (unsigned char)*p;
    size_t slot = h % VALUE_CAP_SLOTS;
    if (cache[slot].name[0] && strcmp(cache[slot].name, signal) == 0)
        return cache[slot].cap;
    cache[slot].cap = signal_value_cap(signal);
    strlcpy_safe(cache[slot].name, signal, sizeof cache[slot].name);
    return cache[slot].cap;
}

int observation_parse_fast(const char *line, size_t len, struct observation *obs)
{
    memset(obs, 0, sizeof *obs);
    struct cursor c = {(const unsigned char *)line, (const unsigned char *)line + len};
    struct fast_state st = {.obs = obs, .value = xmalloc(len + 4)};
    unsigned seen = 0;
    int ok = 0;
    skip_space(&c);
    if (c.p >= c.end || *c.p++ != '{')
        goto done;
    skip_space(&c);
    if (c.p < c.end && *c.p == '}')
        goto done; /* empty object: an error, jansson's to word */
    for (;;) {
        char key[16];
        size_t key_len;
        skip_space(&c);
        if (!read_string(&c, key, sizeof key - 1, &key_len, false))
            goto done;
        int k = key_lookup(key, key_len);
        if (k < 0 || (seen & (1u << k)))
            goto done; /* unknown keys may repeat: jansson checks that */
        seen |= 1u << k;
        skip_space(&c);
        if (c.p >= c.end || *c.p++ != ':')
            goto done;
        skip_space(&c);
        if (!read_member(&c, k, &st, len + 4))
            goto done;
        skip_space(&c);
        if (c.p < c.end && *c.p == ',') {
            c.p++;
            continue;
        }
        if (c.p < c.end && *c.p == '}') {
            c.p++;
            break;
        }
        goto done;
    }
    skip_space(&c);
    if (c.p != c.end || !obs->ip[0] || !obs->signal[0] || !st.have_value)
        goto done;
    if (st.value_len <= cached_value_cap(obs->signal)) {
        /* checked UTF-8 that fits: what observation_set_value would copy */
        st.value[st.value_len] = '\0';
        obs->value = st.value;
        obs->value_len = st.value_len;
        st.value = NULL;
    } else {
        observation_set_value(obs, st.value, st.value_len);
    }
    obs->truncated = obs->truncated || st.truncated;
    ok = 1;
done:
    free(st.value);
    if (!ok)
        memset(obs, 0, sizeof *obs);
    return ok;
}
