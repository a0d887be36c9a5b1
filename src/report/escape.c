/* escape.c — output escaping for hostile strings; see escape.h. */
#include "report/escape.h"

#include "core/util.h"

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

char *terminal_safe(const char *s)
{
    if (!s)
        return xstrdup("-");
    char *out = xstrdup(s);
    unsigned char *p = (unsigned char *)out;
    for (size_t i = 0; p[i]; i++) {
        if (p[i] < 0x20 || p[i] == 0x7f)
            p[i] = '?';
        else if (p[i] == 0xc2 && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f)
            p[i] = p[i + 1] = '?'; /* C1 controls, U+0080..U+009F */
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
