/* escape.c — output escaping for hostile strings; see escape.h. */
#include "report/escape.h"

#include "core/util.h"

#include <stdbool.h>
#include <string.h>

static const char *html_entity(char c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return NULL;
    }
}

void html_put(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        const char *entity = html_entity(*s);
        if (entity)
            fputs(entity, out);
        else
            fputc(*s, out);
    }
}

static int looks_like_formula(const char *s)
{
    return s[0] && strchr("=+-@\t\r", s[0]) != NULL;
}

void csv_put(FILE *out, const char *s)
{
    if (!s)
        return;
    fputc('"', out);
    if (looks_like_formula(s))
        fputc('\'', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

void md_put(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|' || *s == '\\' || *s == '`' || *s == '*' || *s == '_' || *s == '[' ||
            *s == ']')
            fprintf(out, "\\%c", *s);
        else if (*s == '\n' || *s == '\r' || *s == '\t')
            fputc(' ', out);
        else
            html_put(out, (char[]){*s, '\0'});
    }
}

/* Length of the valid UTF-8 character at p (1 to 4 bytes), or 0 when p
 * does not start one (a stray byte, an overlong form, a surrogate). */
static size_t utf8_char_length(const unsigned char *p)
{
    unsigned char c = p[0];
    size_t n;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef)
        n = 3;
    else if (c >= 0xf0 && c <= 0xf4)
        n = 4;
    else
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80) /* also stops at the terminating NUL */
            return 0;
    if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) || (c == 0xf0 && p[1] < 0x90) ||
        (c == 0xf4 && p[1] > 0x8f))
        return 0;
    return n;
}

char *terminal_safe(const char *s)
{
    if (!s)
        return xstrdup("-");
    char *out = xstrdup(s);
    unsigned char *p = (unsigned char *)out;
    for (size_t i = 0; p[i];) {
        size_t n = utf8_char_length(p + i);
        /* C0 controls and DEL, C1 controls (U+0080..U+009F, which start
         * escape sequences on some terminals) and bytes that are not UTF-8
         * (a raw 0x9B is CSI on ISO-8859 terminals) all become '?'. */
        bool control =
            n == 1 ? p[i] < 0x20 || p[i] == 0x7f : n == 2 && p[i] == 0xc2 && p[i + 1] <= 0x9f;
        size_t k = n ? n : 1;
        if (n == 0 || control)
            memset(p + i, '?', k);
        i += k;
    }
    return out;
}

char *terminal_clip(const char *s, size_t width)
{
    char *out = terminal_safe(s);
    size_t len = strlen(out);
    if (len <= width || width < 2)
        return out;
    size_t cut = width - 1;
    while (cut > 0 && ((unsigned char)out[cut] & 0xc0) == 0x80)
        cut--; /* not inside a UTF-8 character */
    out[cut] = '~';
    out[cut + 1] = '\0';
    return out;
}
