/* textproto.c — bounded header, title and XML element extraction for the
 * passive dissectors (see textproto.h). */
#include "passive/textproto.h"

#include <string.h>
#include <strings.h>

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static bool is_blank(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void trim(const uint8_t **p, size_t *len)
{
    while (*len && is_blank(**p)) {
        (*p)++;
        (*len)--;
    }
    while (*len && is_blank((*p)[*len - 1]))
        (*len)--;
}

bool text_starts(const uint8_t *p, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(p, prefix, n) == 0;
}

const uint8_t *text_find_ci(const uint8_t *p, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    if (n == 0 || len < n)
        return NULL;
    int first = lower((unsigned char)needle[0]);
    for (size_t i = 0; i + n <= len; i++) {
        if (lower(p[i]) != first)
            continue;
        size_t j = 1;
        while (j < n && lower(p[i + j]) == lower((unsigned char)needle[j]))
            j++;
        if (j == n)
            return p + i;
    }
    return NULL;
}

/* Length of the line at p (without its CR LF) and where the next one starts. */
static size_t line_length(const uint8_t *p, size_t len, size_t *next)
{
    const uint8_t *nl = memchr(p, '\n', len);
    size_t end = nl ? (size_t)(nl - p) : len;
    *next = nl ? end + 1 : len;
    if (end && p[end - 1] == '\r')
        end--;
    return end;
}

bool text_header(const uint8_t *p, size_t len, const char *name, const uint8_t **value,
                 size_t *value_len)
{
    size_t n = strlen(name), next;
    size_t off = 0;
    line_length(p, len, &next); /* skip the request or status line */
    off = next;
    while (off < len) {
        size_t line = line_length(p + off, len - off, &next);
        if (line == 0)
            return false; /* end of headers */
        const uint8_t *l = p + off;
        if (line > n && l[n] == ':' && strncasecmp((const char *)l, name, n) == 0) {
            *value = l + n + 1;
            *value_len = line - n - 1;
            trim(value, value_len);
            return true;
        }
        off += next;
    }
    return false;
}

bool text_body(const uint8_t *p, size_t len, const uint8_t **body, size_t *body_len)
{
    for (size_t i = 0; i + 3 < len; i++) {
        if (p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' && p[i + 3] == '\n') {
            *body = p + i + 4;
            *body_len = len - i - 4;
            return true;
        }
    }
    return false;
}

bool html_title(const uint8_t *p, size_t len, const uint8_t **value, size_t *value_len)
{
    const uint8_t *open = text_find_ci(p, len, "<title");
    if (!open)
        return false;
    size_t rest = len - (size_t)(open - p);
    const uint8_t *gt = memchr(open, '>', rest);
    if (!gt)
        return false;
    const uint8_t *start = gt + 1;
    const uint8_t *close = text_find_ci(start, len - (size_t)(start - p), "</title");
    if (!close)
        return false;
    *value = start;
    *value_len = (size_t)(close - start);
    trim(value, value_len);
    return true;
}

/* True when the tag name at p (after '<') has local name `local`. */
static bool tag_is(const uint8_t *p, size_t len, const char *local, size_t n)
{
    size_t i = 0;
    while (i < len && p[i] != '>' && p[i] != ' ' && p[i] != '/' && !is_blank(p[i]))
        i++;
    const uint8_t *colon = memchr(p, ':', i);
    const uint8_t *name = colon ? colon + 1 : p;
    size_t name_len = i - (size_t)(name - p);
    return name_len == n && memcmp(name, local, n) == 0;
}

bool xml_element_text(const uint8_t *p, size_t len, const char *local, const uint8_t **value,
                      size_t *value_len)
{
    size_t n = strlen(local);
    for (size_t i = 0; i + 1 < len; i++) {
        if (p[i] != '<' || p[i + 1] == '/' || !tag_is(p + i + 1, len - i - 1, local, n))
            continue;
        const uint8_t *gt = memchr(p + i, '>', len - i);
        if (!gt || gt[-1] == '/')
            return false;
        const uint8_t *start = gt + 1;
        const uint8_t *end = memchr(start, '<', len - (size_t)(start - p));
        if (!end)
            return false;
        *value = start;
        *value_len = (size_t)(end - start);
        trim(value, value_len);
        return true;
    }
    return false;
}
