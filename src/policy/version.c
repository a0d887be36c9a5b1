/* version.c — vendor firmware version parsing and comparison; see version.h. */
#include "policy/version.h"

#include <ctype.h>
#include <string.h>

static bool valid_date(uint32_t y, uint32_t m, uint32_t d)
{
    static const uint8_t days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1990 || y > 2099 || m < 1 || m > 12 || d < 1 || d > days[m - 1])
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && d == 29 && !leap);
}

/* Reads n digits at p into *out; false if any is not a digit. */
static bool read_digits(const char *p, size_t n, uint32_t *out)
{
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)p[i]))
            return false;
        v = v * 10 + (uint32_t)(p[i] - '0');
    }
    *out = v;
    return true;
}

/* YYYY-MM-DD at p (len bytes available) -> YYYYMMDD, or 0. */
static uint32_t date_at(const char *p, size_t len)
{
    uint32_t y, m, d;
    if (len < 10 || p[4] != '-' || p[7] != '-')
        return 0;
    if (!read_digits(p, 4, &y) || !read_digits(p + 5, 2, &m) || !read_digits(p + 8, 2, &d))
        return 0;
    if (len > 10 && isdigit((unsigned char)p[10]))
        return 0;
    return valid_date(y, m, d) ? y * 10000 + m * 100 + d : 0;
}

bool fw_date_parse(const char *text, uint32_t *yyyymmdd)
{
    size_t len = strlen(text);
    if (len != 10)
        return false;
    uint32_t v = date_at(text, len);
    if (!v)
        return false;
    *yyyymmdd = v;
    return true;
}

/* A build number of 6 digits is YYMMDD (Hikvision), 8 digits YYYYMMDD. */
static uint32_t date_of_build(uint64_t build, size_t digits)
{
    if (digits == 6) {
        uint32_t y = 2000 + (uint32_t)(build / 10000), m = (uint32_t)(build / 100 % 100),
                 d = (uint32_t)(build % 100);
        return valid_date(y, m, d) ? y * 10000 + m * 100 + d : 0;
    }
    if (digits == 8) {
        uint32_t y = (uint32_t)(build / 10000), m = (uint32_t)(build / 100 % 100),
                 d = (uint32_t)(build % 100);
        return valid_date(y, m, d) ? (uint32_t)build : 0;
    }
    return 0;
}

/* Parses one part s[0..n) such as "5", "R11", "0000020X", "R". */
static int parse_part(const char *s, size_t n, struct fw_part *part)
{
    memset(part, 0, sizeof *part);
    size_t i = 0, k = 0;
    while (i < n && isalpha((unsigned char)s[i])) {
        if (k + 1 >= FW_PART_AFFIX_MAX)
            return -1;
        part->prefix[k++] = (char)tolower((unsigned char)s[i++]);
    }
    size_t digits = 0;
    while (i < n && isdigit((unsigned char)s[i])) {
        if (++digits > FW_PART_MAX_DIGITS)
            return -1;
        part->number = part->number * 10 + (uint64_t)(s[i++] - '0');
        part->has_number = true;
    }
    k = 0;
    while (i < n && isalnum((unsigned char)s[i])) {
        if (k + 1 >= FW_PART_AFFIX_MAX)
            return -1;
        part->suffix[k++] = (char)tolower((unsigned char)s[i++]);
    }
    return (i == n && n > 0) ? 0 : -1;
}

static bool is_build_word(const char *p, size_t left)
{
    return left >= 5 && strncasecmp(p, "build", 5) == 0;
}

/* The version token runs to a space, comma, semicolon, parenthesis or the
 * word "build" (Hikvision writes "V5.5.6build 180326"). */
static size_t version_token_length(const char *p, size_t left)
{
    size_t i = 0;
    while (i < left && p[i] != ' ' && p[i] != ',' && p[i] != ';' && p[i] != '(' && p[i] != '\t' &&
           !is_build_word(p + i, left - i))
        i++;
    return i;
}

/* Hikvision also writes the build after an underscore ("V5.7.13_230822"):
 * a last part of six digits that form a date, after '_', is the build. */
static bool take_underscore_build(const char *p, size_t start, size_t end, struct fw_version *out)
{
    const struct fw_part *last = &out->parts[out->part_count - 1];
    if (start == 0 || p[start - 1] != '_' || end - start != 6 || out->part_count < 3 ||
        last->prefix[0] || last->suffix[0] || !date_of_build(last->number, 6))
        return false;
    out->build = last->number;
    out->has_build = true;
    out->build_date = date_of_build(last->number, 6);
    out->part_count--;
    return true;
}

static int parse_parts(const char *p, size_t n, struct fw_version *out)
{
    size_t start = 0;
    bool any_number = false;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && p[i] != '.' && p[i] != '_' && p[i] != '-')
            continue;
        if (out->part_count >= FW_VERSION_MAX_PARTS)
            return -1;
        struct fw_part *part = &out->parts[out->part_count++];
        if (parse_part(p + start, i - start, part) != 0)
            return -1;
        any_number |= part->has_number;
        if (i == n)
            take_underscore_build(p, start, i, out);
        start = i + 1;
    }
    return any_number ? 0 : -1;
}

/* After "build": separators, an optional "date", then YYYY-MM-DD or digits. */
static void parse_build(const char *p, size_t left, struct fw_version *out)
{
    size_t i = 0;
    while (i < left && (p[i] == ' ' || p[i] == ':' || p[i] == '_' || p[i] == '-'))
        i++;
    if (left - i >= 4 && strncasecmp(p + i, "date", 4) == 0)
        i += 4;
    while (i < left && (p[i] == ' ' || p[i] == ':'))
        i++;
    uint32_t date = date_at(p + i, left - i);
    if (date) {
        out->build_date = date;
        return;
    }
    size_t digits = 0;
    uint64_t v = 0;
    while (i < left && isdigit((unsigned char)p[i]) && digits < FW_PART_MAX_DIGITS) {
        v = v * 10 + (uint64_t)(p[i++] - '0');
        digits++;
    }
    if (digits == 0)
        return;
    out->build = v;
    out->has_build = true;
    out->build_date = date_of_build(v, digits);
}

/* Looks through the rest of the string for "build ..." or a bare date. */
static void parse_rest(const char *p, size_t left, struct fw_version *out)
{
    for (size_t i = 0; i < left; i++) {
        if (is_build_word(p + i, left - i)) {
            parse_build(p + i + 5, left - i - 5, out);
            return;
        }
    }
    for (size_t i = 0; i + 10 <= left; i++) {
        if ((i == 0 || !isdigit((unsigned char)p[i - 1])) && date_at(p + i, left - i)) {
            out->build_date = date_at(p + i, left - i);
            return;
        }
    }
}

int fw_version_parse(const char *text, size_t len, struct fw_version *out)
{
    memset(out, 0, sizeof *out);
    if (!text || len == 0 || len > FW_VERSION_MAX_TEXT || memchr(text, '\0', len))
        return -1;
    size_t i = 0;
    while (i < len && isspace((unsigned char)text[i]))
        i++;
    if (i + 1 < len && (text[i] == 'V' || text[i] == 'v') && isdigit((unsigned char)text[i + 1]))
        i++;
    size_t n = version_token_length(text + i, len - i);
    if (n == 0 || parse_parts(text + i, n, out) != 0) {
        memset(out, 0, sizeof *out);
        return -1;
    }
    parse_rest(text + i + n, len - i - n, out);
    return 0;
}

static const struct fw_part zero_part = {.has_number = true};

static enum fw_cmp compare_part(const struct fw_part *a, const struct fw_part *b)
{
    if (strcmp(a->prefix, b->prefix) != 0 || a->has_number != b->has_number)
        return FW_INCOMPARABLE;
    if (a->number != b->number)
        return a->number < b->number ? FW_LESS : FW_GREATER;
    int s = strcmp(a->suffix, b->suffix);
    return s < 0 ? FW_LESS : s > 0 ? FW_GREATER : FW_EQUAL;
}

enum fw_cmp fw_version_compare_parts(const struct fw_version *a, const struct fw_version *b)
{
    size_t n = a->part_count > b->part_count ? a->part_count : b->part_count;
    for (size_t i = 0; i < n; i++) {
        const struct fw_part *pa = i < a->part_count ? &a->parts[i] : &zero_part;
        const struct fw_part *pb = i < b->part_count ? &b->parts[i] : &zero_part;
        enum fw_cmp c = compare_part(pa, pb);
        if (c != FW_EQUAL)
            return c;
    }
    return FW_EQUAL;
}

enum fw_cmp fw_version_compare(const struct fw_version *a, const struct fw_version *b)
{
    enum fw_cmp c = fw_version_compare_parts(a, b);
    if (c != FW_EQUAL)
        return c;
    if (a->build_date && b->build_date) {
        if (a->build_date != b->build_date)
            return a->build_date < b->build_date ? FW_LESS : FW_GREATER;
        return FW_EQUAL;
    }
    if (a->has_build && b->has_build) {
        if (a->build != b->build)
            return a->build < b->build ? FW_LESS : FW_GREATER;
        return FW_EQUAL;
    }
    /* Here at most one side has a date and at most one a build number: a
     * date against a number, or a build against none, cannot be ordered. */
    bool a_any = a->has_build || a->build_date, b_any = b->has_build || b->build_date;
    return (a_any || b_any) ? FW_INCOMPARABLE : FW_EQUAL;
}
