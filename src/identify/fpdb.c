/* fpdb.c — Recog XML fingerprint databases: expat loader, Ruby-to-PCRE2
 * pattern translation, PCRE2 (JIT) compilation, Hyperscan prefilter index,
 * matching with params, and example verification. See fpdb.h. */
#include "identify/fpdb.h"

#include "core/log.h"
#include "core/util.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <dirent.h>
#include <errno.h>
#include <ctype.h>
#include <expat.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#ifdef HAVE_HYPERSCAN
#include <hs/hs.h>
#endif

/* Longest text node (description, example) kept; bounded backtracking. */
#define FPDB_MAX_TEXT (1024u * 1024)
/* Backtracking steps one pattern may take on one value: real matches of
 * capped values need far fewer; hostile values (an unterminated 8 KB tag)
 * stop here instead of costing seconds per host. */
#define FPDB_MATCH_LIMIT 100000u
#define FPDB_DEPTH_LIMIT 10000u
#define FPDB_MATCHER_BUF 8192

struct matcher_pool {
    pthread_mutex_t lock;
    struct fp_matcher **free_list;
    size_t count, cap;
};

struct fp_set {
    struct fp_database *dbs;
    size_t count;
    size_t fingerprints;
    size_t errors;
    uint32_t max_groups;
    bool finalized;
    struct matcher_pool *pool;
#ifdef HAVE_HYPERSCAN
    hs_database_t *prefilter; /* the literals of every indexed database, one compile */
    hs_scratch_t *proto_scratch;
#endif
};

struct fp_matcher {
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    unsigned *hits;
    size_t hit_count, hit_cap;
    char buf[FPDB_MATCHER_BUF];
    size_t buf_used;
    struct fp_value values[FPDB_MAX_PARAMS];
#ifdef HAVE_HYPERSCAN
    const hs_database_t *prefilter;
    hs_scratch_t *scratch;
    unsigned want_ordinal; /* the database being scanned for */
    uint8_t *seen;         /* one bit per fingerprint: already a hit of this scan */
    /* fp_matcher_hold_value: one scan of the held value for every database */
    const char *held;
    size_t held_len;
    bool held_scanned, scan_all;
    unsigned *raw; /* literal ids of the held value's scan, every database, repeats kept */
    size_t raw_count, raw_cap;
#endif
};

/* A database's share of the set's one literal prefilter. */
struct fp_index {
    unsigned ordinal;    /* the database's place in the set (high bits of literal ids) */
    bool indexed;        /* its literals are in the set's prefilter */
    unsigned *unindexed; /* fingerprints the prefilter cannot take: always run */
    size_t unindexed_count;
};

/* Literal ids: database ordinal above, fingerprint index below. */
#define FP_ID_BITS 20
#define FP_ID_MASK ((1u << FP_ID_BITS) - 1)
#define FP_MAX_DATABASES (1u << (32 - FP_ID_BITS))

/* ---- Ruby regex translation ------------------------------------------ */

static void append(char **out, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        *out = xrealloc(*out, *cap);
    }
    memcpy(*out + *len, s, n);
    *len += n;
    (*out)[*len] = '\0';
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

/* Ruby's inline (?m...) is PCRE's (?s...); ^ and $ are always line anchors
 * in Ruby, which PCRE2_MULTILINE gives for the whole pattern. */
static size_t translate_group_flags(const char *p, char **out, size_t *len, size_t *cap)
{
    size_t n = 2; /* "(?" */
    while (p[n] && strchr("imx-", p[n]))
        n++;
    if (n == 2 || (p[n] != ')' && p[n] != ':'))
        return 0;
    for (size_t i = 0; i <= n; i++) {
        char c = p[i] == 'm' && i >= 2 ? 's' : p[i];
        append(out, len, cap, &c, 1);
    }
    return n + 1;
}

/* \h is a hex digit in Ruby (horizontal space in PCRE); \uHHHH has no PCRE
 * form without ALT_BSUX. Returns bytes of p consumed (p at the backslash). */
static size_t translate_escape(const char *p, bool in_class, char **out, size_t *len, size_t *cap)
{
    if (p[1] == 'h') {
        const char *s = in_class ? "0-9a-fA-F" : "[0-9a-fA-F]";
        append(out, len, cap, s, strlen(s));
        return 2;
    }
    if (p[1] == 'H' && !in_class) {
        append(out, len, cap, "[^0-9a-fA-F]", 12);
        return 2;
    }
    if (p[1] == 'u' && hex_value(p[2]) >= 0 && hex_value(p[3]) >= 0 && hex_value(p[4]) >= 0 &&
        hex_value(p[5]) >= 0) {
        char tmp[16];
        snprintf(tmp, sizeof tmp, "\\x{%.4s}", p + 2);
        append(out, len, cap, tmp, strlen(tmp));
        return 6;
    }
    size_t n = p[1] ? 2 : 1;
    append(out, len, cap, p, n);
    return n;
}

char *fp_translate_ruby_regex(const char *pattern)
{
    size_t cap = strlen(pattern) * 2 + 16, len = 0;
    char *out = xmalloc(cap);
    out[0] = '\0';
    bool in_class = false;
    for (const char *p = pattern; *p;) {
        if (*p == '\\') {
            p += translate_escape(p, in_class, &out, &len, &cap);
            continue;
        }
        if (!in_class && p[0] == '(' && p[1] == '?') {
            size_t n = translate_group_flags(p, &out, &len, &cap);
            if (n) {
                p += n;
                continue;
            }
        }
        if (!in_class && *p == '[') {
            in_class = true;
            append(&out, &len, &cap, p, 1);
            p++;
            if (*p == '^') /* a ']' right after '[' or '[^' is literal */
                append(&out, &len, &cap, p++, 1);
            if (*p == ']')
                append(&out, &len, &cap, p++, 1);
            continue;
        }
        if (in_class && *p == '[' && p[1] == ':') { /* [:alpha:] */
            const char *end = strstr(p + 2, ":]");
            if (end) {
                append(&out, &len, &cap, p, (size_t)(end + 2 - p));
                p = end + 2;
                continue;
            }
        }
        if (in_class && *p == ']')
            in_class = false;
        append(&out, &len, &cap, p, 1);
        p++;
    }
    return out;
}

/* ---- compiling -------------------------------------------------------- */

static unsigned parse_flags(const char *flags, const char *where)
{
    unsigned out = 0;
    if (!flags)
        return 0;
    char *copy = xstrdup(flags), *save = NULL;
    for (char *tok = strtok_r(copy, ",| \t", &save); tok; tok = strtok_r(NULL, ",| \t", &save)) {
        if (strcmp(tok, "REG_ICASE") == 0 || strcmp(tok, "IGNORECASE") == 0)
            out |= FP_FLAG_ICASE;
        else if (strcmp(tok, "REG_DOT_NEWLINE") == 0 || strcmp(tok, "REG_MULTILINE") == 0 ||
                 strcmp(tok, "REG_LINE_ANY_CRLF") == 0)
            out |= FP_FLAG_DOTALL;
        else
            log_debug("%s: unknown regex flag '%s' ignored", where, tok);
    }
    free(copy);
    return out;
}

/* Whether text is valid UTF-8 (shortest forms not checked: PCRE2 does). */
static bool valid_utf8(const char *text)
{
    const unsigned char *p = (const unsigned char *)text;
    while (*p) {
        size_t n = *p < 0x80         ? 1
                   : (*p >> 5) == 6  ? 2
                   : (*p >> 4) == 14 ? 3
                   : (*p >> 3) == 30 ? 4
                                     : 0;
        if (!n)
            return false;
        for (size_t i = 1; i < n; i++)
            if ((p[i] & 0xC0) != 0x80)
                return false;
        p += n;
    }
    return true;
}

/* Ruby matches characters, not bytes, for UTF-8 text. A pattern holding
 * UTF-8 characters (and no byte above 0x7F by escape) runs in UTF mode, so a
 * quantifier applies to a whole character (invalid bytes in a subject then
 * match no character); the others run on bytes, which binary banners need.
 * Known difference: an ASCII '.' meets one byte of a multi-byte character. */
static bool wants_utf(const char *pattern)
{
    bool non_ascii = false;
    for (const char *p = pattern; *p && !non_ascii; p++)
        non_ascii = (unsigned char)*p >= 0x80;
    if (!non_ascii || !valid_utf8(pattern))
        return false;
    for (const char *p = strstr(pattern, "\\x"); p; p = strstr(p + 2, "\\x"))
        if (p[2] == '{' || (hex_value(p[2]) >= 8 && hex_value(p[3]) >= 0))
            return false;
    return true;
}

static uint32_t pcre2_options(unsigned flags)
{
    uint32_t o = PCRE2_MULTILINE | PCRE2_DUPNAMES;
    if (flags & FP_FLAG_UTF)
        o |= PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
    if (flags & FP_FLAG_ICASE)
        o |= PCRE2_CASELESS;
    if (flags & FP_FLAG_DOTALL)
        o |= PCRE2_DOTALL;
    return o;
}

static const char *skip_group(const char *p); /* literal prefilter, below */

/* True when the pattern is nothing but lookaheads that scan from where they
 * stand, "(?=[\s\S]*...)" or "(?:(?=[\s\S]*...))?": it then matches at
 * offset 0 whenever it matches at all, so it is compiled anchored. Left
 * unanchored, PCRE2 would rescan the value from every offset, which is
 * quadratic: seconds per host on a hostile 8 KB body. */
static bool only_scanning_lookaheads(const char *p)
{
    static const char scan[] = "(?=[\\s\\S]*";
    static const char optional_scan[] = "(?:(?=[\\s\\S]*";
    bool any = false;
    while (*p) {
        bool optional = strncmp(p, optional_scan, sizeof optional_scan - 1) == 0;
        if (!optional && strncmp(p, scan, sizeof scan - 1) != 0)
            return false;
        if (optional && *(p = skip_group(p + 3)) != ')')
            return false;
        p = optional ? p + 1 : skip_group(p);
        if (optional && *p == '?')
            p++;
        any = true;
    }
    return any;
}

/* Compiles fp->pattern; false with a message when PCRE2 refuses it. */
static bool compile_fingerprint(struct fingerprint *fp, uint32_t *groups, char *msg, size_t size)
{
    char *translated = fp_translate_ruby_regex(fp->pattern);
    if (wants_utf(translated))
        fp->flags |= FP_FLAG_UTF;
    int code;
    PCRE2_SIZE offset;
    uint32_t options = pcre2_options(fp->flags);
    if (only_scanning_lookaheads(translated))
        options |= PCRE2_ANCHORED;
    pcre2_code *re =
        pcre2_compile((PCRE2_SPTR)translated, PCRE2_ZERO_TERMINATED, options, &code, &offset, NULL);
    free(translated);
    if (!re) {
        PCRE2_UCHAR text[160];
        pcre2_get_error_message(code, text, sizeof text);
        snprintf(msg, size, "%s (at offset %zu)", (char *)text, (size_t)offset);
        return false;
    }
    uint32_t n = 0;
    pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &n);
    *groups = n;
    fp->re = re;
    return true;
}

/* ---- XML loading ------------------------------------------------------ */

enum text_target { TEXT_NONE, TEXT_DESCRIPTION, TEXT_EXAMPLE };

struct parse_state {
    struct fp_set *set;
    struct fp_database *db;
    struct fingerprint *fp;
    XML_Parser parser;
    const char *name;
    bool warn;
    bool in_fingerprints;
    enum text_target target;
    char *text;
    size_t text_len, text_cap;
    bool text_overflow;
    bool example_base64;
    struct fp_example example;
    char err[256];
};

static const char *attr_get(const XML_Char **attrs, const char *name)
{
    for (size_t i = 0; attrs[i]; i += 2)
        if (strcmp(attrs[i], name) == 0)
            return attrs[i + 1];
    return NULL;
}

static int current_line(struct parse_state *st)
{
    return (int)XML_GetCurrentLineNumber(st->parser);
}

static void start_fingerprint(struct parse_state *st, const XML_Char **attrs)
{
    struct fp_database *db = st->db;
    db->fps = xrealloc(db->fps, (db->count + 1) * sizeof *db->fps);
    struct fingerprint *fp = &db->fps[db->count++];
    memset(fp, 0, sizeof *fp);
    const char *pattern = attr_get(attrs, "pattern");
    fp->pattern = xstrdup(pattern ? pattern : "");
    fp->description = xstrdup("");
    fp->line = current_line(st);
    char where[300];
    snprintf(where, sizeof where, "%s:%d", st->name, fp->line);
    fp->flags = parse_flags(attr_get(attrs, "flags"), where);
    const char *certainty = attr_get(attrs, "certainty");
    fp->certainty = certainty ? strtod(certainty, NULL) : 1.0;
    if (!(fp->certainty >= 0 && fp->certainty <= 1))
        fp->certainty = 1.0;
    st->fp = fp;
    st->set->fingerprints++;
}

static void free_example(struct fp_example *ex);

static void start_example(struct parse_state *st, const XML_Char **attrs)
{
    free_example(&st->example); /* an <example> opened inside another */
    memset(&st->example, 0, sizeof st->example);
    st->example.line = current_line(st);
    const char *enc = attr_get(attrs, "_encoding");
    st->example_base64 = enc && strcmp(enc, "base64") == 0;
    for (size_t i = 0; attrs[i]; i += 2) {
        if (attrs[i][0] == '_')
            continue;
        struct fp_example *ex = &st->example;
        ex->attr_names = xrealloc(ex->attr_names, (ex->attr_count + 1) * sizeof(char *));
        ex->attr_values = xrealloc(ex->attr_values, (ex->attr_count + 1) * sizeof(char *));
        ex->attr_names[ex->attr_count] = xstrdup(attrs[i]);
        ex->attr_values[ex->attr_count] = xstrdup(attrs[i + 1]);
        ex->attr_count++;
    }
}

static void start_param(struct parse_state *st, const XML_Char **attrs)
{
    struct fingerprint *fp = st->fp;
    const char *name = attr_get(attrs, "name");
    const char *pos = attr_get(attrs, "pos");
    if (!name || fp->param_count >= FPDB_MAX_PARAMS)
        return;
    long n = pos ? strtol(pos, NULL, 10) : 0;
    fp->params = xrealloc(fp->params, (fp->param_count + 1) * sizeof *fp->params);
    struct fp_param *p = &fp->params[fp->param_count++];
    p->name = xstrdup(name);
    const char *value = attr_get(attrs, "value");
    p->value = value ? xstrdup(value) : NULL;
    p->pos = n < 0 || n > 999 ? 0 : (int)n;
}

static void XMLCALL on_start(void *data, const XML_Char *el, const XML_Char **attrs)
{
    struct parse_state *st = data;
    if (strcmp(el, "fingerprints") == 0) {
        st->in_fingerprints = true;
        const char *matches = attr_get(attrs, "matches");
        if (matches && *matches) {
            free(st->db->matches);
            st->db->matches = xstrdup(matches);
        }
    } else if (strcmp(el, "fingerprint") == 0 && st->in_fingerprints && !st->fp) {
        start_fingerprint(st, attrs);
    } else if (strcmp(el, "description") == 0 && st->fp) {
        st->target = TEXT_DESCRIPTION;
    } else if (strcmp(el, "example") == 0 && st->fp) {
        st->target = TEXT_EXAMPLE;
        start_example(st, attrs);
    } else if (strcmp(el, "param") == 0 && st->fp) {
        start_param(st, attrs);
    }
    st->text_len = 0;
    st->text_overflow = false;
}

static void XMLCALL on_text(void *data, const XML_Char *s, int len)
{
    struct parse_state *st = data;
    if (st->target == TEXT_NONE || len <= 0)
        return;
    if (st->text_len + (size_t)len > FPDB_MAX_TEXT) {
        st->text_overflow = true;
        return;
    }
    if (st->text_len + (size_t)len + 1 > st->text_cap) {
        st->text_cap = (st->text_len + (size_t)len + 1) * 2;
        st->text = xrealloc(st->text, st->text_cap);
    }
    memcpy(st->text + st->text_len, s, (size_t)len);
    st->text_len += (size_t)len;
    st->text[st->text_len] = '\0';
}

static int base64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

/* Decodes base64 (whitespace ignored, stops at '='); new buffer. */
static char *base64_decode(const char *in, size_t len, size_t *out_len)
{
    char *out = xmalloc(len * 3 / 4 + 4);
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len && in[i] != '='; i++) {
        int v = base64_value((unsigned char)in[i]);
        if (v < 0)
            continue;
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)((acc >> bits) & 0xFF);
        }
    }
    out[o] = '\0';
    *out_len = o;
    return out;
}

static void end_example(struct parse_state *st)
{
    struct fingerprint *fp = st->fp;
    struct fp_example ex = st->example;
    const char *text = st->text_len ? st->text : "";
    if (st->example_base64) {
        ex.text = base64_decode(text, st->text_len, &ex.len);
    } else {
        ex.text = xstrndup(text, st->text_len);
        ex.len = st->text_len;
    }
    fp->examples = xrealloc(fp->examples, (fp->example_count + 1) * sizeof *fp->examples);
    fp->examples[fp->example_count++] = ex;
    memset(&st->example, 0, sizeof st->example);
}

static void end_fingerprint(struct parse_state *st)
{
    struct fingerprint *fp = st->fp;
    char msg[200];
    uint32_t groups = 0;
    if (compile_fingerprint(fp, &groups, msg, sizeof msg)) {
        if (groups > st->set->max_groups)
            st->set->max_groups = groups;
    } else {
        st->set->errors++;
        if (st->warn)
            log_warn("%s:%d: pattern does not compile: %s", st->name, fp->line, msg);
    }
    st->fp = NULL;
}

static void XMLCALL on_end(void *data, const XML_Char *el)
{
    struct parse_state *st = data;
    if (strcmp(el, "fingerprint") == 0 && st->fp) {
        end_fingerprint(st);
    } else if (strcmp(el, "description") == 0 && st->fp && st->target == TEXT_DESCRIPTION) {
        free(st->fp->description);
        /* Recog descriptions wrap over lines; keep them on one. */
        char *d = xstrndup(st->text_len ? st->text : "", st->text_len);
        for (char *c = d; *c; c++)
            if (*c == '\n' || *c == '\r' || *c == '\t')
                *c = ' ';
        char *start = d;
        while (*start == ' ')
            start++;
        size_t n = strlen(start);
        while (n && start[n - 1] == ' ')
            start[--n] = '\0';
        st->fp->description = xstrdup(start);
        free(d);
    } else if (strcmp(el, "example") == 0 && st->fp && st->target == TEXT_EXAMPLE) {
        end_example(st);
    } else if (strcmp(el, "fingerprints") == 0) {
        st->in_fingerprints = false;
    }
    st->target = TEXT_NONE;
    st->text_len = 0;
}

static void free_example(struct fp_example *ex)
{
    free(ex->text);
    for (size_t i = 0; i < ex->attr_count; i++) {
        free(ex->attr_names[i]);
        free(ex->attr_values[i]);
    }
    free(ex->attr_names);
    free(ex->attr_values);
}

static void free_fingerprint(struct fingerprint *fp)
{
    free(fp->pattern);
    free(fp->description);
    pcre2_code_free(fp->re);
    for (size_t i = 0; i < fp->param_count; i++) {
        free(fp->params[i].name);
        free(fp->params[i].value);
    }
    free(fp->params);
    for (size_t i = 0; i < fp->example_count; i++)
        free_example(&fp->examples[i]);
    free(fp->examples);
}

static void free_index(struct fp_index *ix)
{
    if (!ix)
        return;
    free(ix->unindexed);
    free(ix);
}

static void free_database(struct fp_database *db)
{
    for (size_t i = 0; i < db->count; i++)
        free_fingerprint(&db->fps[i]);
    free(db->fps);
    free(db->matches);
    free(db->path);
    free_index(db->index);
}

/* The default matches= name: the file name without folder and ".xml". */
static char *name_from_path(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".xml") == 0)
        n -= 4;
    return xstrndup(base, n);
}

int fp_set_load_buffer(struct fp_set *set, const char *name, const char *xml, size_t len, bool warn,
                       char *err, size_t err_size)
{
    set->dbs = xrealloc(set->dbs, (set->count + 1) * sizeof *set->dbs);
    struct fp_database *db = &set->dbs[set->count];
    memset(db, 0, sizeof *db);
    db->path = xstrdup(name);
    db->matches = name_from_path(name);
    struct parse_state st = {.set = set, .db = db, .name = name, .warn = warn};
    st.parser = XML_ParserCreate(NULL);
    XML_SetUserData(st.parser, &st);
    XML_SetElementHandler(st.parser, on_start, on_end);
    XML_SetCharacterDataHandler(st.parser, on_text);
    int rc = 0;
    if (len > INT32_MAX || XML_Parse(st.parser, xml, (int)len, 1) == XML_STATUS_ERROR) {
        snprintf(err, err_size, "%s:%lu: %s", name,
                 (unsigned long)XML_GetCurrentLineNumber(st.parser),
                 XML_ErrorString(XML_GetErrorCode(st.parser)));
        rc = -1;
    }
    if (st.fp) /* document cut inside a fingerprint */
        end_fingerprint(&st);
    free_example(&st.example);
    XML_ParserFree(st.parser);
    free(st.text);
    if (rc < 0) {
        set->fingerprints -= db->count;
        free_database(db);
        return -1;
    }
    set->count++;
    set->finalized = false;
    return 0;
}

int fp_set_load_file(struct fp_set *set, const char *path, bool warn, char *err, size_t err_size)
{
    size_t len;
    char *xml = file_read_all(path, FPDB_MAX_FILE_BYTES, &len);
    if (!xml) {
        snprintf(err, err_size, "cannot read '%s': %s", path, strerror(errno));
        return -1;
    }
    int rc = fp_set_load_buffer(set, path, xml, len, warn, err, err_size);
    free(xml);
    return rc;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int fp_set_load_dir(struct fp_set *set, const char *dir, bool warn, char *err, size_t err_size)
{
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(err, err_size, "cannot read '%s': %s", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t count = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n > 4 && strcmp(e->d_name + n - 4, ".xml") == 0 && e->d_name[0] != '.') {
            names = xrealloc(names, (count + 1) * sizeof *names);
            names[count++] = xasprintf("%s/%s", dir, e->d_name);
        }
    }
    closedir(d);
    qsort(names, count, sizeof *names, compare_strings);
    int rc = 0;
    for (size_t i = 0; i < count; i++) {
        if (rc == 0 && fp_set_load_file(set, names[i], warn, err, err_size) < 0)
            rc = -1;
        free(names[i]);
    }
    free(names);
    return rc;
}

/* ---- the set ---------------------------------------------------------- */

struct fp_set *fp_set_new(void)
{
    struct fp_set *set = xcalloc(1, sizeof *set);
    set->pool = xcalloc(1, sizeof *set->pool);
    pthread_mutex_init(&set->pool->lock, NULL);
    return set;
}

static void matcher_free(struct fp_matcher *m)
{
    if (!m)
        return;
    pcre2_match_data_free(m->md);
    pcre2_match_context_free(m->mctx);
    free(m->hits);
#ifdef HAVE_HYPERSCAN
    hs_free_scratch(m->scratch);
    free(m->seen);
    free(m->raw);
#endif
    free(m);
}

void fp_set_free(struct fp_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->count; i++)
        free_database(&set->dbs[i]);
    free(set->dbs);
    for (size_t i = 0; i < set->pool->count; i++)
        matcher_free(set->pool->free_list[i]);
    free(set->pool->free_list);
    pthread_mutex_destroy(&set->pool->lock);
    free(set->pool);
#ifdef HAVE_HYPERSCAN
    hs_free_scratch(set->proto_scratch);
    hs_free_database(set->prefilter);
#endif
    free(set);
}

size_t fp_set_database_count(const struct fp_set *set)
{
    return set->count;
}

const struct fp_database *fp_set_database(const struct fp_set *set, size_t i)
{
    return i < set->count ? &set->dbs[i] : NULL;
}

size_t fp_set_fingerprint_count(const struct fp_set *set)
{
    return set->fingerprints;
}

size_t fp_set_errors(const struct fp_set *set)
{
    return set->errors;
}

/* ---- literal prefilter ------------------------------------------------ */

/* Required literals of a pattern: for each top-level alternative, the
 * longest run of bytes every match must contain. A pattern is a candidate
 * for a value when one of its literals occurs in it (without case: a
 * superset). Anything not understood ends a run, so a literal is never
 * claimed that the pattern does not require. */
#define LITERAL_MIN 3
#define LITERAL_MAX 64

struct literal_run {
    char bytes[LITERAL_MAX];
    size_t len;
};

/* Skips a group or class starting at p; returns the byte after it. */
static const char *skip_group(const char *p)
{
    int depth = 0;
    bool in_class = false;
    for (; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
        } else if (in_class) {
            in_class = *p != ']';
        } else if (*p == '[') {
            in_class = true;
            if (p[1] == '^')
                p++;
            if (p[1] == ']')
                p++;
        } else if (*p == '(') {
            depth++;
        } else if (*p == ')' && --depth == 0) {
            return p + 1;
        }
    }
    return p;
}

static const char *skip_class(const char *p)
{
    p++;
    if (*p == '^')
        p++;
    if (*p == ']')
        p++;
    for (; *p && *p != ']'; p++)
        if (*p == '\\' && p[1])
            p++;
        else if (*p == '[' && p[1] == ':') {
            const char *end = strstr(p, ":]");
            if (end)
                p = end + 1;
        }
    return *p ? p + 1 : p;
}

/* Whether the atom ending before q is optional (followed by ?, * or {0). */
static bool quantifier_optional(const char *q)
{
    if (*q == '?' || *q == '*')
        return true;
    if (*q == '{') {
        const char *d = q + 1;
        while (*d == ' ')
            d++;
        if (*d == ',' || (*d == '0' && (d[1] == ',' || d[1] == '}')))
            return true;
    }
    return false;
}

static bool is_quantifier(char c)
{
    return c == '?' || c == '*' || c == '+' || c == '{';
}

/* One literal byte at p (plain or escaped); its length in the pattern, or 0
 * when p is not a literal. */
static size_t literal_byte(const char *p, char *out)
{
    if (*p == '\\') {
        char c = p[1];
        if (c == 'x' && hex_value(p[2]) >= 0 && hex_value(p[3]) >= 0) {
            *out = (char)(hex_value(p[2]) * 16 + hex_value(p[3]));
            return 4;
        }
        if (c == 't') {
            *out = '\t';
            return 2;
        }
        if (c == 'n') {
            *out = '\n';
            return 2;
        }
        if (c == 'r') {
            *out = '\r';
            return 2;
        }
        if (c && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
            *out = c;
            return 2;
        }
        return 0;
    }
    if (!*p || strchr(".[()|*+?{^$\\", *p) || (unsigned char)*p >= 0x80)
        return 0; /* a byte of a UTF-8 character may be optional with it */
    *out = *p;
    return 1;
}

/* Skips quantifiers (and their lazy/possessive marks) at p. */
static const char *skip_quantifiers(const char *p, const char *end)
{
    while (p < end && is_quantifier(*p)) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            p = close && close < end ? close + 1 : p + 1;
        } else {
            p++;
        }
    }
    return p;
}

/* Best literal of one alternative [p, end). */
static void best_literal(const char *p, const char *end, struct literal_run *best)
{
    struct literal_run cur = {{0}, 0};
    best->len = 0;
    while (p < end && *p) {
        char byte;
        size_t n = literal_byte(p, &byte);
        if (n) {
            const char *q = p + n;
            if (quantifier_optional(q)) {
                cur.len = 0; /* the byte is optional: the run stops before it */
            } else if (cur.len < LITERAL_MAX) {
                cur.bytes[cur.len++] = byte;
            }
            if (cur.len > best->len)
                *best = cur;
            if (is_quantifier(*q))
                cur.len = 0; /* repeated: the run cannot go on past it */
            p = skip_quantifiers(q, end);
            continue;
        }
        cur.len = 0;
        if (*p == '(')
            p = skip_group(p);
        else if (*p == '[')
            p = skip_class(p);
        else if (*p == '\\' && p[1])
            p += 2;
        else
            p++;
        p = skip_quantifiers(p, end);
    }
}

static size_t literals_of_range(const char *p, const char *end, struct literal_run *out, size_t max,
                                int depth);

/* Where the content of a group starting at p begins, or NULL for groups
 * that match no text of their own (lookarounds, inline flags). */
static const char *group_content(const char *p)
{
    if (p[1] == '*')
        return NULL; /* a verb such as (*UCP): no text of its own */
    if (p[1] != '?')
        return p + 1; /* capturing group */
    const char *q = p + 2;
    if (*q == ':' || *q == '>' || *q == '|')
        return q + 1;
    if (*q == 'P' && q[1] == '<')
        q++;
    if (*q == '<' && q[1] != '=' && q[1] != '!') { /* named group */
        const char *close = strchr(q, '>');
        return close ? close + 1 : NULL;
    }
    if (*q == '\'') {
        const char *close = strchr(q + 1, '\'');
        return close ? close + 1 : NULL;
    }
    while (*q && strchr("imsxnU-", *q)) /* (?i:...) */
        q++;
    return *q == ':' ? q + 1 : NULL;
}

/* Literals of one alternative [p, end): its longest required run, else the
 * literals of a required group inside it (one per alternative of the group).
 * 0 when there are none. */
static size_t literals_of_alternative(const char *p, const char *end, struct literal_run *out,
                                      size_t max, int depth)
{
    if (!max)
        return 0;
    best_literal(p, end, &out[0]);
    if (out[0].len >= LITERAL_MIN)
        return 1;
    if (depth >= 4)
        return 0;
    while (p < end && *p) {
        if (*p == '\\' && p[1]) {
            p += 2;
        } else if (*p == '[') {
            p = skip_class(p);
        } else if (*p == '(') {
            const char *close = skip_group(p);
            const char *content = group_content(p);
            if (content && close > content && close <= end && !quantifier_optional(close)) {
                size_t k = literals_of_range(content, close - 1, out, max, depth + 1);
                if (k)
                    return k;
            }
            p = close;
        } else {
            p++;
        }
    }
    return 0;
}

/* Splits [p, end) at top-level '|' and takes the literals of each
 * alternative; 0 when some alternative has none. */
static size_t literals_of_range(const char *p, const char *end, struct literal_run *out, size_t max,
                                int depth)
{
    size_t count = 0;
    const char *start = p;
    for (;;) {
        if (p < end && *p == '(') {
            p = skip_group(p);
        } else if (p < end && *p == '[') {
            p = skip_class(p);
        } else if (p < end && *p == '\\' && p[1]) {
            p += 2;
        } else if (p >= end || !*p || *p == '|') {
            const char *stop = p < end ? p : end;
            size_t k = literals_of_alternative(start, stop, out + count, max - count, depth);
            if (!k)
                return 0;
            count += k;
            if (p >= end || !*p)
                return count;
            start = ++p;
        } else {
            p++;
        }
    }
}

/* True when an inline flag group turns extended mode on ((?x), (?ix),
 * (?xi:...)): whitespace in the pattern is then not text. */
static bool sets_extended_mode(const char *pattern)
{
    for (const char *p = strstr(pattern, "(?"); p; p = strstr(p + 2, "(?"))
        for (const char *q = p + 2; *q && *q != ')' && *q != ':'; q++) {
            if (*q == 'x')
                return true;
            if (!isalpha((unsigned char)*q) && *q != '-' && *q != '^')
                break;
        }
    return false;
}

/* The literals of a whole pattern (see literals_of_range). */
static size_t extract_literals(const char *pattern, struct literal_run *out, size_t max)
{
    if (sets_extended_mode(pattern) || strstr(pattern, "\\Q"))
        return 0;
    return literals_of_range(pattern, pattern + strlen(pattern), out, max, 0);
}

#ifdef HAVE_HYPERSCAN
#define LITERALS_PER_PATTERN 64

/* Literals of all indexed databases, gathered for one compile. */
struct literal_batch {
    char **exprs;
    size_t *lens;
    unsigned *flags, *ids;
    size_t count, cap;
};

static void batch_add(struct literal_batch *b, const struct literal_run *lit, unsigned id)
{
    if (b->count == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 1024;
        b->exprs = xrealloc(b->exprs, b->cap * sizeof *b->exprs);
        b->lens = xrealloc(b->lens, b->cap * sizeof *b->lens);
        b->flags = xrealloc(b->flags, b->cap * sizeof *b->flags);
        b->ids = xrealloc(b->ids, b->cap * sizeof *b->ids);
    }
    b->exprs[b->count] = xmalloc(lit->len + 1); /* may hold NUL bytes */
    memcpy(b->exprs[b->count], lit->bytes, lit->len);
    b->exprs[b->count][lit->len] = '\0';
    b->lens[b->count] = lit->len;
    /* No HS_FLAG_SINGLEMATCH: its per-scan bookkeeping costs more on the
     * short values of most signals than the repeated hits it saves, and
     * collect_candidates drops repeats anyway. */
    b->flags[b->count] = HS_FLAG_CASELESS;
    b->ids[b->count++] = id;
}

static void batch_free(struct literal_batch *b)
{
    for (size_t k = 0; k < b->count; k++)
        free(b->exprs[k]);
    free(b->exprs);
    free(b->lens);
    free(b->flags);
    free(b->ids);
}

/* A database's index: its literals go to the batch, the patterns without a
 * usable literal always run. */
static struct fp_index *build_index(struct fp_database *db, unsigned ordinal,
                                    struct literal_batch *batch)
{
    struct fp_index *ix = xcalloc(1, sizeof *ix);
    ix->ordinal = ordinal;
    ix->unindexed = xcalloc(db->count + 1, sizeof *ix->unindexed);
    if (db->count > FP_ID_MASK || ordinal >= FP_MAX_DATABASES) {
        for (size_t i = 0; i < db->count; i++)
            ix->unindexed[ix->unindexed_count++] = (unsigned)i;
        return ix;
    }
    ix->indexed = true;
    struct literal_run lits[LITERALS_PER_PATTERN];
    for (size_t i = 0; i < db->count; i++) {
        struct fingerprint *fp = &db->fps[i];
        if (!fp->re)
            continue;
        char *expr = fp_translate_ruby_regex(fp->pattern);
        size_t k = extract_literals(expr, lits, LITERALS_PER_PATTERN);
        free(expr);
        if (!k)
            ix->unindexed[ix->unindexed_count++] = (unsigned)i;
        for (size_t j = 0; j < k; j++)
            batch_add(batch, &lits[j], (ordinal << FP_ID_BITS) | (unsigned)i);
    }
    return ix;
}

/* One Hyperscan compile for every indexed database (a compile has a large
 * fixed cost); when it fails, every pattern runs. */
static void compile_prefilter(struct fp_set *set, struct literal_batch *batch)
{
    hs_compile_error_t *cerr = NULL;
    if (batch->count &&
        hs_compile_lit_multi((const char *const *)batch->exprs, batch->flags, batch->ids,
                             batch->lens, (unsigned)batch->count, HS_MODE_BLOCK, NULL,
                             &set->prefilter, &cerr) != HS_SUCCESS) {
        log_warn("prefilter not built (%s); every pattern will run",
                 cerr && cerr->message ? cerr->message : "unknown error");
        hs_free_compile_error(cerr);
        set->prefilter = NULL;
    }
    if (set->prefilter && hs_alloc_scratch(set->prefilter, &set->proto_scratch) != HS_SUCCESS) {
        log_warn("cannot allocate prefilter scratch; every pattern will run");
        hs_free_database(set->prefilter);
        set->prefilter = NULL;
    }
    if (!set->prefilter)
        for (size_t d = 0; d < set->count; d++) {
            struct fp_index *ix = set->dbs[d].index;
            if (!ix || !ix->indexed)
                continue;
            ix->indexed = false;
            ix->unindexed_count = 0;
            for (size_t i = 0; i < set->dbs[d].count; i++)
                ix->unindexed[ix->unindexed_count++] = (unsigned)i;
        }
}
#endif

void fp_set_tag_params(struct fp_set *set, int (*tag_of)(const char *name))
{
    for (size_t d = 0; d < set->count; d++)
        for (size_t i = 0; i < set->dbs[d].count; i++) {
            struct fingerprint *fp = &set->dbs[d].fps[i];
            for (size_t k = 0; k < fp->param_count; k++)
                fp->params[k].tag = tag_of(fp->params[k].name);
        }
}

/* JIT-compiles the patterns of one database (PCRE2 falls back to its
 * interpreter where the JIT cannot take a pattern). */
static void jit_database(struct fp_database *db)
{
    for (size_t i = 0; i < db->count; i++)
        if (db->fps[i].re)
            db->fps[i].jitted = pcre2_jit_compile(db->fps[i].re, PCRE2_JIT_COMPLETE) == 0;
}

void fp_set_finalize_for(struct fp_set *set,
                         bool (*wanted)(const struct fp_database *db, void *ctx), void *ctx)
{
    if (set->finalized)
        return;
#ifdef HAVE_HYPERSCAN
    struct literal_batch batch = {0};
#endif
    for (size_t i = 0; i < set->count; i++) {
        struct fp_database *db = &set->dbs[i];
        if (wanted && !wanted(db, ctx))
            continue;
        jit_database(db);
#ifdef HAVE_HYPERSCAN
        free_index(db->index);
        db->index = build_index(db, (unsigned)i, &batch);
#endif
    }
#ifdef HAVE_HYPERSCAN
    compile_prefilter(set, &batch);
    batch_free(&batch);
#endif
    /* Matchers made before this may be too small for the new patterns. */
    for (size_t i = 0; i < set->pool->count; i++)
        matcher_free(set->pool->free_list[i]);
    set->pool->count = 0;
    set->finalized = true;
}

void fp_set_finalize(struct fp_set *set)
{
    fp_set_finalize_for(set, NULL, NULL);
}

struct fp_matcher *fp_matcher_acquire(const struct fp_set *set)
{
    struct matcher_pool *pool = set->pool;
    struct fp_matcher *m = NULL;
    pthread_mutex_lock(&pool->lock);
    if (pool->count)
        m = pool->free_list[--pool->count];
    pthread_mutex_unlock(&pool->lock);
    if (m)
        return m;
    m = xcalloc(1, sizeof *m);
    m->md = pcre2_match_data_create(set->max_groups + 1, NULL);
    m->mctx = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(m->mctx, FPDB_MATCH_LIMIT);
    pcre2_set_depth_limit(m->mctx, FPDB_DEPTH_LIMIT);
#ifdef HAVE_HYPERSCAN
    if (set->proto_scratch && hs_clone_scratch(set->proto_scratch, &m->scratch) != HS_SUCCESS)
        m->scratch = NULL;
    m->prefilter = set->prefilter;
    size_t most = 0;
    for (size_t i = 0; i < set->count; i++)
        if (set->dbs[i].count > most)
            most = set->dbs[i].count;
    m->seen = xcalloc(most / 8 + 1, 1);
#endif
    return m;
}

void fp_matcher_hold_value(struct fp_matcher *m, const char *value, size_t len)
{
#ifdef HAVE_HYPERSCAN
    m->held = value;
    m->held_len = len;
    m->held_scanned = false;
#else
    (void)m;
    (void)value;
    (void)len;
#endif
}

void fp_matcher_release(const struct fp_set *set, struct fp_matcher *m)
{
    fp_matcher_hold_value(m, NULL, 0);
    struct matcher_pool *pool = set->pool;
    pthread_mutex_lock(&pool->lock);
    if (pool->count == pool->cap) {
        pool->cap = pool->cap ? pool->cap * 2 : 8;
        pool->free_list = xrealloc(pool->free_list, pool->cap * sizeof *pool->free_list);
    }
    pool->free_list[pool->count++] = m;
    pthread_mutex_unlock(&pool->lock);
}

/* ---- matching --------------------------------------------------------- */

/* Replaces {name} in a fixed value by the value of that param, into the
 * matcher's buffer; the raw text when it does not fit. */
static void interpolate(struct fp_matcher *m, struct fp_value *v, const struct fp_value *all,
                        size_t count)
{
    if (!memchr(v->value, '{', v->len))
        return;
    char *out = m->buf + m->buf_used;
    size_t room = FPDB_MATCHER_BUF - m->buf_used, o = 0;
    for (size_t i = 0; i < v->len; i++) {
        const char *close = v->value[i] == '{' ? memchr(v->value + i, '}', v->len - i) : NULL;
        const char *piece = v->value + i;
        size_t piece_len = 1;
        if (close) {
            size_t name_len = (size_t)(close - v->value - i - 1);
            for (size_t k = 0; k < count; k++)
                if (strlen(all[k].name) == name_len &&
                    memcmp(all[k].name, v->value + i + 1, name_len) == 0) {
                    piece = all[k].value;
                    piece_len = all[k].len;
                    i += name_len + 1;
                    break;
                }
        }
        if (o + piece_len >= room)
            return;
        memcpy(out + o, piece, piece_len);
        o += piece_len;
    }
    m->buf_used += o;
    v->value = out;
    v->len = o;
}

static size_t resolve_params(const struct fingerprint *fp, struct fp_matcher *m,
                             const char *subject, int groups, struct fp_value *values)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(m->md);
    size_t n = 0;
    for (size_t i = 0; i < fp->param_count && n < FPDB_MAX_PARAMS; i++) {
        const struct fp_param *p = &fp->params[i];
        if (p->pos == 0) {
            if (!p->value)
                continue;
            values[n++] = (struct fp_value){p->name, p->tag, p->value, strlen(p->value)};
        } else if (p->pos < groups && ov[2 * p->pos] != PCRE2_UNSET) {
            values[n++] = (struct fp_value){p->name, p->tag, subject + ov[2 * p->pos],
                                            ov[2 * p->pos + 1] - ov[2 * p->pos]};
        }
    }
    m->buf_used = 0;
    for (size_t i = 0; i < n; i++)
        interpolate(m, &values[i], values, n);
    return n;
}

bool fp_match_one(const struct fingerprint *fp, struct fp_matcher *m, const char *value, size_t len,
                  struct fp_value *values, size_t *value_count)
{
    *value_count = 0;
    if (!fp->re)
        return false;
    /* The JIT entry skips pcre2_match's checks, which every pattern here
     * passes (no match options; invalid UTF-8 is allowed by
     * MATCH_INVALID_UTF); a pattern the JIT did not take goes the long way. */
    int rc = fp->jitted ? pcre2_jit_match(fp->re, (PCRE2_SPTR)value, len, 0, 0, m->md, m->mctx)
                        : pcre2_match(fp->re, (PCRE2_SPTR)value, len, 0, 0, m->md, m->mctx);
    if (rc < 0)
        return false;
    if (rc == 0) /* ovector too small: cannot happen, sized for the set */
        rc = (int)pcre2_get_ovector_count(m->md);
    *value_count = resolve_params(fp, m, value, rc, values);
    return true;
}

#ifdef HAVE_HYPERSCAN
static int on_hs_match(unsigned int id, unsigned long long from, unsigned long long to,
                       unsigned int flags, void *ctx)
{
    struct fp_matcher *m = ctx;
    if (m->scan_all) {
        if (m->raw_count == m->raw_cap) {
            m->raw_cap = m->raw_cap ? m->raw_cap * 2 : 64;
            m->raw = xrealloc(m->raw, m->raw_cap * sizeof *m->raw);
        }
        m->raw[m->raw_count++] = id;
        return 0;
    }
    if (id >> FP_ID_BITS != m->want_ordinal)
        return 0; /* a literal of another database */
    id &= FP_ID_MASK;
    if (m->seen[id >> 3] & (1u << (id & 7)))
        return 0; /* a literal seen again, or another of the same fingerprint */
    m->seen[id >> 3] |= (uint8_t)(1u << (id & 7));
    if (m->hit_count == m->hit_cap) {
        m->hit_cap = m->hit_cap ? m->hit_cap * 2 : 64;
        m->hits = xrealloc(m->hits, m->hit_cap * sizeof *m->hits);
    }
    m->hits[m->hit_count++] = id;
    return 0;
}
#endif

static void add_hit(struct fp_matcher *m, unsigned id)
{
    if (m->hit_count == m->hit_cap) {
        m->hit_cap = m->hit_cap ? m->hit_cap * 2 : 64;
        m->hits = xrealloc(m->hits, m->hit_cap * sizeof *m->hits);
    }
    m->hits[m->hit_count++] = id;
}

/* Insertion sort: candidate lists are short. */
static void sort_hits(unsigned *hits, size_t n)
{
    for (size_t a = 1; a < n; a++)
        for (size_t b = a; b > 0 && hits[b - 1] > hits[b]; b--) {
            unsigned t = hits[b];
            hits[b] = hits[b - 1];
            hits[b - 1] = t;
        }
}

#ifdef HAVE_HYPERSCAN
/* The hits of m->want_ordinal's database in the held value, in the order a
 * scan for that database alone reports them; the value is scanned once, for
 * every database, on the first call (a failed scan leaves no hits). */
static void hits_of_held_value(struct fp_matcher *m)
{
    if (!m->held_scanned) {
        m->raw_count = 0;
        m->scan_all = true;
        if (hs_scan(m->prefilter, m->held, (unsigned)m->held_len, 0, m->scratch, on_hs_match, m) !=
            HS_SUCCESS)
            m->raw_count = 0;
        m->scan_all = false;
        m->held_scanned = true;
    }
    for (size_t i = 0; i < m->raw_count; i++)
        on_hs_match(m->raw[i], 0, 0, 0, m);
}
#endif

/* Fills m->hits with the fingerprints worth running, in file order. */
static void collect_candidates(const struct fp_database *db, struct fp_matcher *m,
                               const char *value, size_t len)
{
    m->hit_count = 0;
    const struct fp_index *ix = db->index;
#ifdef HAVE_HYPERSCAN
    if (ix && ix->indexed && m->prefilter && m->scratch && len <= UINT32_MAX) {
        m->want_ordinal = ix->ordinal;
        hs_error_t rc = HS_SUCCESS;
        if (m->held && value == m->held && len == m->held_len)
            hits_of_held_value(m);
        else
            rc = hs_scan(m->prefilter, value, (unsigned)len, 0, m->scratch, on_hs_match, m);
        for (size_t i = 0; i < m->hit_count; i++)
            m->seen[m->hits[i] >> 3] = 0;
        if (rc == HS_SUCCESS) {
            for (size_t i = 0; i < ix->unindexed_count; i++)
                add_hit(m, ix->unindexed[i]);
        } else {
            m->hit_count = 0; /* the prefilter failed: every pattern runs */
            for (size_t i = 0; i < db->count; i++)
                add_hit(m, (unsigned)i);
        }
        sort_hits(m->hits, m->hit_count);
        size_t unique = 0;
        for (size_t i = 0; i < m->hit_count; i++)
            if (!unique || m->hits[unique - 1] != m->hits[i])
                m->hits[unique++] = m->hits[i];
        m->hit_count = unique;
        return;
    }
#endif
    (void)ix;
    (void)sort_hits;
    for (size_t i = 0; i < db->count; i++)
        add_hit(m, (unsigned)i);
}

size_t fp_database_match(const struct fp_database *db, struct fp_matcher *m, const char *value,
                         size_t len, fp_match_fn fn, void *ctx)
{
    collect_candidates(db, m, value, len);
    size_t reported = 0;
    for (size_t i = 0; i < m->hit_count; i++) {
        const struct fingerprint *fp = &db->fps[m->hits[i]];
        size_t n;
        if (!fp_match_one(fp, m, value, len, m->values, &n))
            continue;
        reported++;
        fn(ctx, db, fp, m->values, n);
        break;
    }
    return reported;
}

/* ---- verification ----------------------------------------------------- */

static bool example_params_agree(const struct fp_example *ex, const struct fp_value *values,
                                 size_t count, const char **bad_name)
{
    for (size_t a = 0; a < ex->attr_count; a++) {
        bool ok = false;
        for (size_t i = 0; i < count && !ok; i++)
            ok = strcmp(values[i].name, ex->attr_names[a]) == 0 &&
                 strlen(ex->attr_values[a]) == values[i].len &&
                 memcmp(ex->attr_values[a], values[i].value, values[i].len) == 0;
        if (!ok) {
            *bad_name = ex->attr_names[a];
            return false;
        }
    }
    return true;
}

/* The prefilter must let through every fingerprint an example matches. */
static bool prefilter_keeps(const struct fp_database *db, const struct fingerprint *fp,
                            struct fp_matcher *m, const struct fp_example *ex)
{
    collect_candidates(db, m, ex->text, ex->len);
    unsigned want = (unsigned)(fp - db->fps);
    for (size_t i = 0; i < m->hit_count; i++)
        if (m->hits[i] == want)
            return true;
    return false;
}

static void verify_fingerprint(const struct fp_database *db, const struct fingerprint *fp,
                               struct fp_matcher *m, FILE *out, struct fp_verify_counts *c)
{
    struct fp_value values[FPDB_MAX_PARAMS];
    for (size_t e = 0; e < fp->example_count; e++) {
        const struct fp_example *ex = &fp->examples[e];
        size_t n;
        const char *bad = NULL;
        c->examples++;
        if (!fp_match_one(fp, m, ex->text, ex->len, values, &n)) {
            c->failed++;
            if (out)
                fprintf(out, "FAIL %s:%d: example does not match '%s'\n", db->path, ex->line,
                        fp->description);
        } else if (!example_params_agree(ex, values, n, &bad)) {
            c->failed++;
            if (out)
                fprintf(out, "FAIL %s:%d: '%s' gives the wrong %s\n", db->path, ex->line,
                        fp->description, bad);
        } else if (!prefilter_keeps(db, fp, m, ex)) {
            c->failed++;
            if (out)
                fprintf(out, "FAIL %s:%d: the prefilter drops '%s' (engine bug)\n", db->path,
                        ex->line, fp->description);
        } else {
            c->passed++;
        }
    }
}

void fp_set_verify(const struct fp_set *set, FILE *out, struct fp_verify_counts *counts)
{
    memset(counts, 0, sizeof *counts);
    struct fp_matcher *m = fp_matcher_acquire(set);
    for (size_t d = 0; d < set->count; d++) {
        const struct fp_database *db = &set->dbs[d];
        for (size_t i = 0; i < db->count; i++) {
            counts->fingerprints++;
            if (!db->fps[i].re) {
                counts->bad_patterns++;
                if (out)
                    fprintf(out, "FAIL %s:%d: pattern does not compile\n", db->path,
                            db->fps[i].line);
            }
            verify_fingerprint(db, &db->fps[i], m, out, counts);
        }
    }
    fp_matcher_release(set, m);
}
